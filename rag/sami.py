"""Read SAMI subtitles (``.smi``), the format Korean subtitle sites and players long used.

``<SYNC Start=ms>`` opens a caption that lasts until the next one; a caption of only ``&nbsp;``
clears the screen.  A file may hold several languages, a ``<P Class=…>`` each (``KRCC``, ``ENCC``),
named in its STYLE block (``.KRCC { lang: ko-KR; }``): the Korean one is read, else the first.
Markup (``<br>``, ``<font>``, ``<b>``) is taken out; what is not markup ("<5%") is said text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from rag.errors import SeedError
from rag.subtitles import SpokenLines, TimedLine
from rag.textfile import decode_text

_SYNC = re.compile(r"<sync\b([^>]*)>", re.IGNORECASE)
_START = re.compile(r"\bstart\s*=\s*[\"']?\s*(\d+)", re.IGNORECASE)
# Some editors write when a caption ends too; without it, it lasts until the next SYNC.
_STOP = re.compile(r"\bend\s*=\s*[\"']?\s*(\d+)", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_P = re.compile(r"<p\b([^>]*)>", re.IGNORECASE)
_CLASS = re.compile(r"\bclass\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
_STYLE_CLASS = re.compile(r"\.([\w-]+)\s*\{([^}]*)\}")
_LANG = re.compile(r"\blang\s*:\s*([A-Za-z]+)", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Markup: a tag or a comment.  "<5%" or "a<b" in a caption is said text.
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_END = re.compile(r"</body\b|</sami\b", re.IGNORECASE)
# The last caption has no next SYNC to end it: it is shown this long.
LAST_CAPTION_MS = 3_000


def read_sami(raw: bytes, path: Path) -> SpokenLines:
    """The spoken lines of a SAMI file in time order, or a SeedError naming the line."""
    original = decode_text(raw, path)
    # A SYNC inside a comment is no caption; the STYLE block, which SAMI writes inside one, is read
    # from the original.  Blanked with spaces, so offsets and line numbers stay.
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), original)
    syncs = list(_SYNC.finditer(text))
    if not syncs:
        raise SeedError(str(path), None, "no captions (expected '<SYNC Start=…>' tags)")
    end = _END.search(text, syncs[-1].end())
    bodies = [
        text[m.end() : syncs[i + 1].start() if i + 1 < len(syncs) else (end.start() if end else len(text))]
        for i, m in enumerate(syncs)
    ]
    wanted = _language(original[: syncs[0].start()], [_paragraphs(b) for b in bodies])
    captions: list[tuple[int, str, int, int | None]] = []
    line, at = 1, 0
    for m, body in zip(syncs, bodies, strict=True):
        line += text.count("\n", at, m.start())
        at = m.start()
        start = _START.search(m.group(1))
        if start is None:
            raise SeedError(str(path), line, f"a SYNC tag without a Start time: {m.group(0)[:60]}")
        parts = _paragraphs(body)
        # A SYNC of another language only says when that language's caption changes.
        if wanted not in parts and None not in parts:
            continue
        said = parts.get(wanted, parts.get(None, ""))
        ms = int(start.group(1))
        if captions and ms < captions[-1][0]:
            raise SeedError(
                str(path),
                line,
                f"caption starts at {ms} ms, before the caption on line {captions[-1][2]} ({captions[-1][0]} ms)",
            )
        ends = _STOP.search(m.group(1))
        captions.append((ms, said, line, int(ends.group(1)) if ends else None))
    spoken = []
    for i, (ms, said, line, own_end) in enumerate(captions):
        ends_at = [
            x for x in (own_end, captions[i + 1][0] if i + 1 < len(captions) else None) if x is not None
        ]
        if said:
            spoken.append(TimedLine(ms, max(min(ends_at, default=ms + LAST_CAPTION_MS), ms), said, line))
    if not spoken:
        raise SeedError(str(path), None, "no text in any caption")
    return SpokenLines(spoken, max(spoken[-1].end_ms, captions[-1][0]))


def _paragraphs(body: str) -> dict[str | None, str]:
    """Each language's caption in one SYNC's body, by its P's class (None: no class, or no P)."""
    marks = list(_P.finditer(body))
    if not marks:
        return {None: _said(body)}
    out: dict[str | None, str] = {}
    for i, m in enumerate(marks):
        named = _CLASS.search(m.group(1))
        stop = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        out[named.group(1).upper() if named else None] = _said(body[m.end() : stop])
    return out


def _said(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", markup))).split())


def _language(head: str, parts: list[dict[str | None, str]]) -> str | None:
    """The class of P read: Korean where the STYLE block or the class name says so, else the first."""
    classes = list(dict.fromkeys(c for p in parts for c in p if c is not None))
    if len(classes) < 2:
        return classes[0] if classes else None
    langs = {
        name.upper(): lang.group(1).lower()
        for name, rules in _STYLE_CLASS.findall(head)
        if (lang := _LANG.search(rules))
    }
    korean = [c for c in classes if langs.get(c, "").startswith("ko") or c.startswith(("KR", "KO"))]
    return (korean or classes)[0]
