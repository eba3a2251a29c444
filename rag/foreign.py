"""Words of other scripts for the keyword side: English words whole and folded, Japanese as bigrams.

Kiwi reads Korean.  Over English it cuts the last word of a sentence in two with its full stop
("Newfoun", "dland.") and keeps every function word; over Japanese it leaves runs of kana and
kanji with their particles ("のミツバチは").  rag.keyword hands it Latin words whole and turns what
it returns into tokens that match however a question is worded.
"""

from __future__ import annotations

import re
from typing import Any

# Latin words are handed to Kiwi whole, as foreign words; one written onto Hangul ("오픈AI") is left
# to Kiwi, which reads it as part of the Korean word.
LATIN_WORD = re.compile(r"(?<![\uac00-\ud7a3A-Za-z])[A-Za-z]+(?:'[A-Za-z]+)?")
# Web addresses; e-mail addresses are found as whitespace-separated words holding an "@", since a
# pattern for them scans every long run of text (Japanese has no spaces) once per character.
URL = re.compile(r"\b(?:https?://|www\.)\S+")
_WORD = re.compile(r"\S+")
# English words that carry no content: they would match every English passage.
# fmt: off
EN_STOP = frozenset((
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "from",
    "with", "about", "into", "over", "as", "is", "are", "was", "were", "be", "been", "being", "am",
    "do", "does", "did", "done", "have", "has", "had", "having", "i", "you", "he", "she", "it",
    "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "its", "our", "their",
    "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom", "whose",
    "when", "where", "why", "how", "not", "no", "so", "than", "then", "too", "very", "just", "can",
    "could", "will", "would", "shall", "should", "may", "might", "must", "also", "um", "uh", "oh",
    "yeah", "okay", "ok", "like", "well", "i'm", "it's", "that's", "don't",
))
# fmt: on
# Japanese runs Kiwi leaves as foreign symbols (SW, SH), particles and all: "のミツバチは".  Their
# character bigrams match a question's however the run was cut.
CJK_RUN = re.compile("[\u3040-\u30fa\u30fc-\u30ff\u3005\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]+")


def latin_words(text: str) -> list[tuple[int, int, str]]:
    """Spans of the Latin words outside web addresses (which Kiwi tags as such, W_URL)."""
    urls = [m.span() for m in URL.finditer(text)]
    if "@" in text:
        urls += [m.span() for m in _WORD.finditer(text) if "@" in m.group()]
    words = []
    for m in LATIN_WORD.finditer(text):
        if not any(a <= m.start() < b for a, b in urls):
            words.append((m.start(), m.end(), "SL"))
    return words


def name_part(m: Any, after: Any) -> bool:
    """Whether a word that looks like a function word is an acronym ("IT") or glued to what follows
    (the "A" of "A100", "A형")."""
    return bool(m.form.isupper() and len(m.form) > 1) or (
        after is not None and after.start == m.start + m.len
    )


def singular(word: str, acronym: bool = False) -> str:
    """An English plural folded to its singular, roughly and the same way on both sides."""
    if acronym and len(word) > 2 and word.endswith("s"):
        return word[:-1]  # GPUs, CEOs
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def bigrams(text: str) -> list[str]:
    """Character bigrams of each kana and kanji run (a lone kanji or katakana stands for itself, a
    lone hiragana is a particle)."""
    out: list[str] = []
    for run in CJK_RUN.findall(text):
        if len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        elif not "\u3040" <= run <= "\u309f":
            out.append(run)
    return out


_HANGUL = re.compile("[\uac00-\ud7a3]")
_KANA = re.compile("[\u3040-\u30ff]")
_LATIN = re.compile("[A-Za-z]")


def script(text: str) -> str | None:
    """Korean, Japanese or English: which of them ``text`` is written in, by its letters."""
    if _HANGUL.search(text):
        return "ko"
    if _KANA.search(text):
        return "ja"
    return "en" if _LATIN.search(text) else None
