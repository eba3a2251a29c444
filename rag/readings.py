"""Korean readings of Japanese kanji: a keyword bridge from Korean questions to Japanese passages.

A Korean question's words match no Japanese passage, so the keyword side leaves Japanese talks to
the encoders, which rank "on this subject" above "this says it" across languages.  Yet most of
Korean's and Japanese's content words are the same Chinese compounds read two ways: 養殖 is 양식,
品種 is 품종, 台風 is 태풍.  Each kanji compound of a passage is therefore also indexed by its
Sino-Korean reading, as syllable pairs, and a Korean question's words are cut into the same
pairs: "양식장" meets 養殖場 in 양식 and 식장.

The readings (``data/hanja.tsv``, written by ``bench.hanja_readings``) come from the `hanja`
package's table of Unihan readings; Japanese shinjitai (学, 国, 売) are in it.  Korean drops an
initial ㄹ or ㄴ before some vowels (두음법칙: 料理 is 요리, not 료리), so the first syllable of
every pair is folded that way on both sides.  The pairs carry a prefix, so they match no Korean
passage's own words and change nothing for a question in the talk's own language.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "hanja.tsv"
# A reading pair is a token of its own kind: no Korean, English or Japanese word looks like it.
PREFIX = "ko:"
_KANJI = re.compile("[\u4e00-\u9fff\uf900-\ufaff\u3005]+")
_HANGUL = re.compile("[\uac00-\ud7a3]+")
_BASE = 0xAC00
_NIEUN, _RIEUL, _IEUNG = 2, 5, 11
# Vowels before which an initial ㄹ or ㄴ becomes ㅇ: ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ.
_Y_VOWELS = frozenset((2, 6, 7, 12, 17, 20))


@cache
def _readings() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        reading, chars = line.split("\t")
        table.update(dict.fromkeys(chars, reading))
    return table


def initial_law(syllable: str) -> str:
    """The syllable as it begins a Korean word (두음법칙): 료 → 요, 론 → 논, 녀 → 여."""
    code = ord(syllable) - _BASE
    lead, vowel = code // 588, code % 588 // 28
    if lead == _RIEUL:
        lead = _IEUNG if vowel in _Y_VOWELS else _NIEUN
    elif lead == _NIEUN and vowel in _Y_VOWELS:
        lead = _IEUNG
    return chr(_BASE + lead * 588 + code % 588)


def _pairs(syllables: str) -> list[str]:
    """Each two syllables in a row, the first as a word begins; a space (no reading) ends a run."""
    return [PREFIX + initial_law(a) + b for a, b in pairwise(syllables) if a != " " and b != " "]


def passage_readings(text: str) -> list[str]:
    """The reading pairs of each kanji compound of ``text`` (a lone kanji reads too many ways)."""
    table = _readings()
    out: list[str] = []
    for run in _KANJI.findall(text):
        # 々 repeats the kanji before it (人々 is 人人).
        chars = "".join(run[i - 1] if c == "\u3005" and i else c for i, c in enumerate(run))
        syllables = "".join(table.get(c, " ") for c in chars)
        out.extend(_pairs(syllables))
    return out


def question_readings(tokens: list[str]) -> list[str]:
    """The syllable pairs of a Korean question's key words, to meet passages' reading pairs."""
    out: list[str] = []
    for token in tokens:
        if _HANGUL.fullmatch(token):
            out.extend(_pairs(token))
    return out


def readable(words: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """A Korean question's key words with the spellings that count as each, plus its reading pairs:
    in a Japanese sentence, 양식 is found as 養殖's reading."""
    return {w: spellings | frozenset(question_readings([w])) for w, spellings in words.items()}
