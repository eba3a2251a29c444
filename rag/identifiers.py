"""Years and model names a question pins its answer to, and whether the passages mention them.

"日本政府が2025年度にGPU支援に充てる予算は" over a talk that gives the subsidy with no year, or
"엔비디아 H200은 한 개에 얼마야?" over one that prices the H100: the best passage is on the right
subject, every signal of the confidence model says answered, and the one detail the question
turns on is not in it.  A year or a model name is written alike in any
language ("2024년", "2024年", "in 2024", "H200"), so its absence from the passages an answer is
chosen from says the transcript does not answer, where a paraphrased word's absence would not.

The two sides are read differently, because a wrong flag withholds a right answer: the question
names a year only where its wording says so (2024년, 2024年, in 2024, the 2010s, 2024-03), never a
figure ("GPU 2000개", "$2000"); a passage mentions every year-like number, the short years of
speech ("24년에", "the 90s", "'24"), each year of a range ("2023년부터 2028년까지") and a model name
however it is spaced ("RTX 4090").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from rag.figures import figure
from rag.textfacts import YEAR

if TYPE_CHECKING:
    from rag.answer import Candidate
    from rag.answertype import Expectation

_YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d\d(?!\d)(?!,\d)")
# What makes a four-digit number in a question a year: a year word or a decade after it, a date
# (2024-03, 2024.03), or an English preposition or "FY" before it.
_YEAR_AFTER = re.compile(r"\s*(?:년|年)|'?s\b|[-./]\d")
_YEAR_BEFORE = re.compile(r"(?i)\b(?:in|since|by|from|until|till|to|before|after|during|of|year|fy)\s*$")
# A short year as spoken: "24년에", "90년대", "24年"; not a span of time ("10년 뒤", "3년간").
_SHORT_YEAR = re.compile(r"(?<![\d,.])(\d\d)\s*(?:년|年)(?!\s*(?:뒤|후|동안|간|전|만|째|이상|이내|間|後|前))")
# A short year a question names: "83年って", "88년에", "70년대"; only 1950 to 1999, since "10년에 한
# 번", "20년에 걸쳐" and "30년은" are spans of time, and not an era's year ("쇼와 40년", "昭和40年").
_ASKED_SHORT_YEAR = re.compile(r"(?<![\d,.])([5-9]\d)\s*(?:년도?|年)(?=\s*(?:에|대|엔|に|って|代))")
_ERA = re.compile(r"(?:昭和|平成|令和|大正|明治|쇼와|헤이세이|레이와|다이쇼|메이지)\s*$")
_ENGLISH_SHORT = re.compile(r"'(\d\d)\b|\b(\d0)'?s\b")
# A range of years: "2023년부터 2028년까지", "2023~2028", "from 2023 to 2028", "2023年から2028年".
_RANGE = re.compile(
    r"((?:19|20)\d\d)\s*(?:년|年)?\s*(?:부터|에서|~|〜|-|–|—|to|through|から)\s*((?:19|20)\d\d)(?!\d)"
)
# A model name: up to five Latin letters and at least three digits, "H100", "b200", "RTX-4090" (a
# hyphen only after capitals: "top-100" is not a name).  Fewer digits are too often a name the
# transcript spells its own way ("GPT-4", "COVID-19" is "코로나19"), and letters before a year
# ("FY2024", "CES2024") name the year.
_MODEL = re.compile(r"(?<![A-Za-z\d])(?:([A-Za-z]{1,5})|([A-Z]{1,5})-)(\d{3,})(?!\d)")
_SPACED_MODEL = re.compile(r"(?i)(?<![a-z\d])([a-z]{1,5})[\s-]?(\d{3,})(?!\d)")
# A year named from the speaker's own ("작년", "去年", "last year"), alike in the three languages:
# it pins the answer as a year does ("작년 열대야가 며칠" is "작년에는 41일", not the 1990s' count), but
# only among the spans, since the talk's year is rarely said.
_RELATIVE_YEARS = (
    (re.compile(r"(?i)재작년|一昨年|the year before last"), "year-2"),
    (re.compile(r"(?i)(?<!재)작년|지난해|(?<!一)昨年|去年|(?<!before )last year"), "year-1"),
    (re.compile(r"(?i)올해|금년|今年|this year"), "year+0"),
    (re.compile(r"(?i)내년|(?<!再)来年|next year"), "year+1"),
)


def _century(short: str) -> str:
    return f"{19 if int(short) >= 50 else 20}{short}"


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits[:2] in ("19", "20")


def identifiers(question: str) -> set[str]:
    """The years and model names ``question`` names, lower-cased, a model's hyphen dropped."""
    text = unicodedata.normalize("NFKC", question)
    found = {
        m.group()
        for m in _YEAR.finditer(text)
        if _YEAR_AFTER.match(text, m.end()) or _YEAR_BEFORE.search(text, 0, m.start())
    }
    found |= {f"{a or b}{d}".lower() for a, b, d in _MODEL.findall(text) if not _is_year(d)}
    found |= {
        _century(m.group(1)) for m in _ASKED_SHORT_YEAR.finditer(text) if not _ERA.search(text, 0, m.start())
    }
    return found


# Kept for the passages of the last few questions: naming, pin_amounts and unmentioned read the
# same passages (and, under a decisive question, overlapping prefixes of one) for one question.
@lru_cache(maxsize=1024)
def mentioned(passage: str) -> frozenset[str]:
    """Every year and model name ``passage`` may be saying, read as loosely as it is spoken, and
    the years it names from the speaker's own (``relative_years``)."""
    text = unicodedata.normalize("NFKC", passage)
    seen = {m.group() for m in _YEAR.finditer(text)}
    seen |= {_century(y) for y in _SHORT_YEAR.findall(text)}
    seen |= {_century(a or b) for a, b in _ENGLISH_SHORT.findall(text)}
    for first, last in _RANGE.findall(text):
        if 0 < int(last) - int(first) <= 50:
            seen |= {str(y) for y in range(int(first), int(last) + 1)}
    seen |= {f"{a}{d}".lower() for a, d in _SPACED_MODEL.findall(text)}
    return frozenset(seen | relative_years(text))


def relative_years(text: str) -> set[str]:
    """The years ``text`` names from the speaker's own: "year-1" for 작년, 去年 or last year."""
    return {year for pattern, year in _RELATIVE_YEARS if pattern.search(text)}


def unmentioned(question: str, passages: Iterable[str]) -> tuple[str, ...]:
    """The years and model names of ``question`` that none of ``passages`` mentions, sorted."""
    named = identifiers(question)
    if not named:
        return ()
    seen: set[str] = set()
    for text in passages:
        seen |= mentioned(text)
    return tuple(sorted(named - seen))


def naming(question: str, spans: Sequence[str], scores: Sequence[float], margin: float) -> list[int]:
    """The spans to answer from: those mentioning a year or model name ``question`` names (or a
    year it names from the speaker's own: 작년, 去年, last year) and scoring within ``margin`` of the
    best span, or every span when none does.

    "2030년쯤 되면 폐배터리가 몇 개 나와?" is answered by the sentence about 2030, not by the one
    about this year that shares more of its words.
    """
    named = identifiers(question) | relative_years(question)
    if not named:
        return list(range(len(spans)))
    return pinned(range(len(spans)), [bool(named & mentioned(text)) for text in spans], scores, margin)


def pinned(kept: Iterable[int], stating: Sequence[bool], scores: Sequence[float], margin: float) -> list[int]:
    """Of the spans ``kept``, those ``stating`` what the question pins its answer to and scoring
    within ``margin`` of the best kept span, or all of them when none does."""
    kept = list(kept)
    top = max((scores[i] for i in kept), default=0.0)
    keep = [i for i in kept if stating[i] and scores[i] >= top - margin]
    return keep or kept


def pin_amounts(
    spans: Sequence[Candidate],
    named: list[int],
    scores: Sequence[float],
    expected: Expectation | None,
    margin: float,
    leads: Sequence[str],
) -> list[int]:
    """Of the spans ``named`` kept, those stating another amount beside the question's own ("20년
    후 … 얼마나": "20년 뒤에는 만 배", "after twenty years": the same), within ``margin`` of the best;
    all of them where the question states no amount, or where an info line may answer.  A year the
    question states may be said before a span in its result (``leads``) rather than in it."""
    if expected is None or not expected.given or not named:
        return named
    if any(spans[i].info for i in named):
        return named
    stating = [_states(c, lead, expected.given) for c, lead in zip(spans, leads, strict=True)]
    return pinned(named, stating, scores, margin)


def leads(spans: Sequence[Candidate], decisive: Expectation | None) -> list[str]:
    """What each span says with what its result said before it, where a decisive question's answer
    type is stated in it: a year said once holds for what follows ("2016년 9월에 경주 지진 났을 때요.
    … 그때 만든 게 6만 장이에요." answers how many tiles were made after the 2016 earthquake); else
    the span alone: "Where did they fly to in 2023?" is answered where 2023 is said, not after it."""
    return [_lead_in(c) if decisive is not None and c.typed else c.text for c in spans]


def _lead_in(c: Candidate) -> str:
    p = c.hit.passage
    return p.text[: p.sentences[c.last].end]


def _states(c: Candidate, lead: str, given: Iterable[tuple[str, str]]) -> bool:
    """Whether span ``c`` states an answer and every amount the question gives, a year perhaps
    said before it (``lead``)."""
    if not c.typed:
        return False
    amounts = {(figure(n), u) for n, u in c.amounts}
    return all(g in amounts or _said(g, lead) for g in given)


def _said(given: tuple[str, str], lead: str) -> bool:
    return given[1] == YEAR and given[0] in mentioned(lead)
