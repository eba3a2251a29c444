"""Written answers: the prompt that grounds an LLM in the retrieved moments, and its citations.

Pure logic, no network: the HTTP client lives in ``api/llm.py``.  The LLM sees the hits of an ask
numbered ``[1]…[n]`` in rank order, each with its timestamp and its section's summary, and must cite
them by number; a marker that names no given passage is dropped from the text and counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rag.timefmt import format_clock

if TYPE_CHECKING:
    from rag.moments import Hit

ErrorCode = Literal[
    "llm_not_configured", "llm_unavailable", "llm_timeout", "llm_error", "llm_busy", "low_confidence"
]
ERROR_CODES: tuple[ErrorCode, ...] = (
    "llm_not_configured",
    "llm_unavailable",
    "llm_timeout",
    "llm_error",
    "llm_busy",
    "low_confidence",
)

# What the answer says when the passages do not answer, in the question's language: one fixed
# sentence is easier for a reader (and a test) to recognise than whatever the model improvises.
NOT_SAID = {
    "Korean": "영상에서는 이에 대해 말하지 않습니다.",
    "Japanese": "動画ではそれについて述べていません。",
    "Chinese": "视频中没有提到这一点。",
    "English": "The video does not say.",
}
# What a written answer ends with when the LLM stopped at max_tokens mid-answer, in the question's
# language: the text is kept (most of an answer is worth reading) and says plainly that it stops
# short, where a client shows it, with no field a client must know to look for.
CUT_OFF = {
    "Korean": "…(답변이 최대 길이에서 잘렸습니다)",
    "Japanese": "…（回答は最大の長さで途切れました）",
    "Chinese": "…（回答在最大长度处被截断）",
    "English": "… (the answer was cut off at its maximum length)",
}
_HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile("[\u3040-\u30ff]")
_HAN = re.compile("[\u4e00-\u9fff]")
_LATIN = re.compile("[A-Za-z]")

# [3], [1, 2], [1-3], [1][2], and the full-width 【3】 that Japanese and Chinese output tends to use.
_ITEM = r"\d{1,4}(?:\s*[-–~]\s*\d{1,4})?"
_MARKERS = re.compile(rf"(?P<space>[ \t]?)[\[【]\s*(?P<items>{_ITEM}(?:\s*[,，、;]\s*{_ITEM})*)\s*[\]】]")
_RANGE = re.compile(r"(\d+)(?:\s*[-–~]\s*(\d+))?")
# A range wider than this is not a citation (nobody cites [1-900]); its ends are counted alone.
_WIDEST_RANGE = 50


def language_of(question: str) -> str | None:
    """The question's language when its script tells it plainly; None when it does not."""
    if _HANGUL.search(question):
        return "Korean"
    if _KANA.search(question):
        return "Japanese"
    if _HAN.search(question):
        return "Chinese"
    if _LATIN.search(question):
        return "English"
    return None


def system_prompt(question: str) -> str:
    language = language_of(question)
    said = NOT_SAID.get(language or "English", NOT_SAID["English"])
    write_in = f"in {language}" if language else "in the language of the question"
    return (
        "You answer questions about a video using only numbered passages from its transcript.\n"
        "Rules:\n"
        f"- Write the answer {write_in}, in a few plain sentences.\n"
        "- Use only what the passages say; do not add outside knowledge or guesses.\n"
        "- After each claim, cite the passage it comes from by its number in square brackets, "
        "like [1] or [2][3]. Cite only the numbers given.\n"
        f'- If the passages do not answer the question, say so plainly: "{said}"'
    )


def cut_off_note(question: str) -> str:
    """What is appended, after a space, to an answer the LLM stopped at max_tokens."""
    return " " + CUT_OFF.get(language_of(question) or "English", CUT_OFF["English"])


def passage_block(number: int, hit: Hit, title: str | None) -> str:
    p = hit.passage
    clock = ("~" if p.estimated else "") + format_clock(p.start_ms)
    head = [f"[{number}] {clock}"]
    if title:
        head.append(f"video: {title}")
    if p.section_summary:
        head.append(f"section: {p.section_summary}")
    return " · ".join(head) + "\n" + p.text.strip()


def build_messages(question: str, hits: Sequence[Hit], titles: Mapping[str, str]) -> list[dict[str, str]]:
    """Chat messages for an OpenAI-compatible server: the rules, then the passages and the question.

    ``titles`` maps video ids to titles; a passage names its video only when the hits come from
    more than one, so a one-video answer spends no tokens on a repeated title.
    """
    several = len({h.passage.video_id for h in hits}) > 1
    blocks = [
        passage_block(i, h, titles.get(h.passage.video_id) if several else None)
        for i, h in enumerate(hits, 1)
    ]
    lead = ""
    if not several and hits and hits[0].passage.video_id in titles:
        lead = f'Passages from the video "{titles[hits[0].passage.video_id]}":\n\n'
    user = lead + "\n\n".join(blocks) + f"\n\nQuestion: {question.strip()}"
    return [{"role": "system", "content": system_prompt(question)}, {"role": "user", "content": user}]


@dataclass(frozen=True)
class Citation:
    """A passage the written answer cites: ``marker`` is the n of ``[n]``, ``hit`` the passage."""

    marker: int
    hit: Hit


@dataclass(frozen=True)
class Cited:
    text: str
    citations: list[Citation]
    # Markers naming no given passage, dropped from the text.
    invalid: int


def resolve_citations(text: str, hits: Sequence[Hit]) -> Cited:
    """The answer with every marker written ``[n]`` and checked against the ``len(hits)`` passages.

    A group such as ``[1, 3]`` becomes ``[1][3]`` so each number is one link; a number outside
    1…n is dropped (with the space before it when nothing of its group is left) and counted.
    Citations are listed once each, in the order the text first cites them.
    """
    invalid = 0
    seen: dict[int, Citation] = {}

    def rewrite(match: re.Match[str]) -> str:
        nonlocal invalid
        kept = []
        for number in _numbers(match.group("items")):
            if 1 <= number <= len(hits):
                kept.append(f"[{number}]")
                seen.setdefault(number, Citation(number, hits[number - 1]))
            else:
                invalid += 1
        if not kept:
            return ""
        return match.group("space") + "".join(kept)

    cleaned = _MARKERS.sub(rewrite, text).strip()
    return Cited(cleaned, list(seen.values()), invalid)


def _numbers(items: str) -> list[int]:
    out: list[int] = []
    for first, last in _RANGE.findall(items):
        lo, hi = int(first), int(last or first)
        out.extend(range(lo, hi + 1) if 0 <= hi - lo <= _WIDEST_RANGE else (lo, hi))
    return out
