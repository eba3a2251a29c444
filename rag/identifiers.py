"""Years and model names a question pins its answer to, and whether the passages mention them.

"오픈AI는 2027년 한 해에 적자가 얼마나 날 걸로 봐?" over a talk that gives the losses for 2023 to 2028
and 2026, or "엔비디아 H200은 한 개에 얼마야?" over one that prices the H100: the best passage is
about the right thing, scores high on every signal of the confidence model, and still does not
answer, because the one detail the question turns on is not in it.  A year or a model name is
written the same way in any language ("2027년", "2029年", "in 2024", "H200"), so its absence from
the passages a question is answered from says the transcript does not answer it, where a
paraphrased word's absence would not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A year: four digits from 1900 to 2099 that are not part of a longer figure ("1,041", "2,000억",
# "20250").  The decade "2010s" and "2025年度" count as their year.
_YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d\d(?![\d,])")
# A speaker often says the short year ("24년에", "90년대"): it mentions 2024, 1990.
_SHORT_YEAR = re.compile(r"(?<![\d,.])(\d\d)\s*(?:년|年)")
# A model name: up to five Latin letters and at least three digits, "H100", "b200", "RTX-4090" (a
# hyphen only after capitals: "top-10" is not a name).  Fewer digits are too often a name the
# transcript spells its own way ("GPT-4", "COVID-19" is "코로나19", "G20"), and a space would make
# "in 2024" a name.
_MODEL = re.compile(r"(?<![A-Za-z\d])(?:([A-Za-z]{1,5})|([A-Z]{1,5})-)(\d{3,})(?!\d)")


def identifiers(text: str) -> set[str]:
    """The years and model names ``text`` writes, lower-cased, a model's separator dropped."""
    found = {m.group() for m in _YEAR.finditer(text)}
    found |= {f"{a or b}{d}".lower() for a, b, d in _MODEL.findall(text)}
    return found


def unmentioned(question: str, passages: Iterable[str]) -> tuple[str, ...]:
    """The years and model names of ``question`` that none of ``passages`` mentions, sorted."""
    named = identifiers(question)
    if not named:
        return ()
    seen: set[str] = set()
    for text in passages:
        seen |= identifiers(text)
        seen |= {f"{19 if int(y) >= 50 else 20}{y}" for y in _SHORT_YEAR.findall(text)}
    return tuple(sorted(named - seen))
