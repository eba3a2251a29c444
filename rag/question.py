"""What a question may be: its length, its characters, its spacing, and how many results it asks for.

The same limits reach the HTTP schema (api.schemas, the search route) and the Searcher, so a
question refused at one door is refused at every door, with the same message.
"""

from __future__ import annotations

import re

from rag.errors import QueryError

MAX_K = 50
MAX_QUESTION_CHARS = 1000
# Invisible characters that are not whitespace to Python: a zero-width space, a word joiner and the
# byte-order mark a pasted text may begin with.  They show nothing, so they are dropped, and a
# question of only these is blank.
_INVISIBLE = "\u200b\u2060\ufeff"
_INVISIBLES = re.compile(f"[{_INVISIBLE}]")
_SPACES = re.compile(r"\s+")
# Tabs and line breaks are whitespace in a pasted question; other C0/C1 controls are not text.
_CONTROL_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
_CONTROL = re.compile(f"[{_CONTROL_CLASS}]")
# The same rules as a pattern for the OpenAPI schema: no control characters, something not blank.
QUESTION_PATTERN = f"^[^{_CONTROL_CLASS}]*[^\\s{_INVISIBLE}{_CONTROL_CLASS}][^{_CONTROL_CLASS}]*$"


# Hangul's lone consonants and vowels ("ㅋㅋㅋ", "ㅎㅎ") are laughter and sighs, not words.
_JAMO = re.compile("[\u3131-\u318e]")


def has_words(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit to search for: "?", "🙂" and "ㅋㅋㅋ" ask nothing."""
    return any(ch.isalnum() for ch in _JAMO.sub("", text))


def normalize_query(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLES.sub("", text)).strip()


def too_long(query: str) -> str | None:
    """What is wrong with the length of ``query``, counted once its spacing is normalized, or None:
    every door counts alike (HTTP, CLI, MCP)."""
    n = len(normalize_query(query))
    return (
        f"the question is {n} characters long; the limit is {MAX_QUESTION_CHARS}"
        if n > MAX_QUESTION_CHARS
        else None
    )


def checked(query: str, k: int) -> str:
    """``query`` with its spacing normalized, or a QueryError saying what is wrong with it or ``k``."""
    if _CONTROL.search(query):
        raise QueryError("the question contains control characters")
    text = normalize_query(query)
    if not text:
        raise QueryError("the question is empty")
    long = too_long(text)
    if long:
        raise QueryError(long)
    if not 1 <= k <= MAX_K:
        raise QueryError(f"k must be between 1 and {MAX_K}, got {k}")
    return text
