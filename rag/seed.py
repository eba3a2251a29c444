"""Parse one transcript file into a video, its timestamp table and its timed script sections.

The format: a title line, a one-line summary, a ``시간 | 요약 |`` table, ``2. 스크립트`` with
``2.N. <summary>`` markers where the part at table row N begins, and ``3. 영상정보`` with
``- key: value`` info lines.  Every rejection names the file and the line at fault.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rag.errors import NotASeedError, RagError, SeedError
from rag.textfile import decode_text
from rag.timed import Chapter
from rag.timefmt import format_clock, parse_clock, parse_duration
from rag.video import INFO_CHANNEL, INFO_LENGTH, INFO_UPLOADED, INFO_URL, Section, Seed, TableRow, Video
from rag.weburl import is_web_url, video_id_from_url

# Markdown editors write the table with outer pipes ("| 시간 | 요약 |") and aligned rules (":---").
# A .txt is read as the seed format; plain text without its table has no times to cite.
NO_TABLE = (
    "no timestamp table (expected a '시간 | 요약 |' header line); a transcript without one needs "
    "its times, as SRT, WebVTT or speech-to-text JSON"
)
_TABLE_HEADER = re.compile(r"^\s*\|?\s*시간\s*\|\s*요약\s*\|?\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|\s*:?-{3,}:?\s*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|?\s*([0-9:]+)\s*\|\s*(.*?)\s*\|?\s*$")
_SCRIPT_HEADER = re.compile(r"^\s*2\.\s*스크립트\s*$")
_INFO_HEADER = re.compile(r"^\s*3\.\s*영상\s*정보\s*$")
_MARKER = re.compile(r"^\s*2\.(\d+)\.(?:\s+(.*))?$")
# A Korean keyboard's full-width colon (U+FF1A) is a colon too.
_INFO_LINE = re.compile("^\\s*-\\s*([^:\uff1a]+?)\\s*[:\uff1a]\\s*(.*)$")
_TITLE_NUMBER = re.compile(r"^1\.\s+")
_SUMMARY_LABEL = re.compile(r"^한줄\s*요약\s*:\s*")


def read_seed(path: Path) -> Seed:
    """Read and parse a transcript file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedError(str(path), None, f"cannot read file: {exc.strerror or exc}") from exc
    return parse_seed(raw, path)


def parse_seed(raw: bytes, path: Path) -> Seed:
    """Parse the bytes of a transcript file; ``path`` is used for messages and the result."""
    text = decode_text(raw, path)
    lines = [line.rstrip() for line in text.splitlines()]
    parser = _Parser(str(path), lines)
    video, table, sections = parser.parse()
    return Seed(path, hashlib.sha256(raw).hexdigest(), video, table, sections, tuple(parser.warnings))


class _Parser:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.warnings: list[SeedError] = []

    def error(self, line: int | None, reason: str) -> SeedError:
        return SeedError(self.path, line, reason)

    def find(self, pattern: re.Pattern[str], start: int = 0) -> int | None:
        for i in range(start, len(self.lines)):
            if pattern.match(self.lines[i]):
                return i
        return None

    def parse(self) -> tuple[Video, tuple[TableRow, ...], tuple[Section, ...]]:
        content = [i for i, line in enumerate(self.lines) if line.strip()]
        if not content:
            raise self.error(None, "file is empty")
        header = self.find(_TABLE_HEADER)
        if header is None:
            raise NotASeedError(self.path, None, NO_TABLE)
        script = self.find(_SCRIPT_HEADER, header + 1)
        if script is None:
            raise self.error(None, "no script (expected a '2. 스크립트' line after the table)")
        info_at = self.find(_INFO_HEADER, script + 1)
        info_end = info_at if info_at is not None else len(self.lines)
        title, summary = self.heading(header)
        info = self.info(info_at)
        duration_ms = self.duration(info, info_at)
        url, video_id = self.url(info, info_at)
        table = self.table(header, script, duration_ms)
        sections = self.sections(script, info_end, table, duration_ms)
        video = Video(
            video_id=video_id,
            title=title,
            summary=summary,
            channel=info.get(INFO_CHANNEL),
            upload_date=info.get(INFO_UPLOADED),
            duration_ms=duration_ms,
            url=url,
            info=info,
            chapters=tuple(
                Chapter(row.start_ms, nxt.start_ms if nxt else duration_ms, row.summary)
                for row, nxt in zip(table, [*table[1:], None], strict=True)
            ),
        )
        return video, table, sections

    def heading(self, header: int) -> tuple[str, str]:
        above = [self.lines[i].strip() for i in range(header) if self.lines[i].strip()]
        if not above:
            raise self.error(header + 1, "no title line before the timestamp table")
        title = _TITLE_NUMBER.sub("", above[0]).strip()
        summary = _SUMMARY_LABEL.sub("", above[1]).strip() if len(above) > 1 else ""
        return title, summary

    def info(self, info_at: int | None) -> dict[str, str]:
        if info_at is None:
            raise self.error(None, "no video info (expected a '3. 영상정보' line after the script)")
        info: dict[str, str] = {}
        for line in self.lines[info_at + 1 :]:
            m = _INFO_LINE.match(line)
            if m:
                info[m[1].strip()] = m[2].strip()
        return info

    def info_line(self, info_at: int | None, key: str) -> int | None:
        start = (info_at or 0) + 1
        for i in range(start, len(self.lines)):
            m = _INFO_LINE.match(self.lines[i])
            if m and m[1].strip() == key:
                return i + 1
        return None if info_at is None else info_at + 1

    def duration(self, info: dict[str, str], info_at: int | None) -> int:
        value = info.get(INFO_LENGTH)
        if not value:
            raise self.error(info_at and info_at + 1, f"no video length ('- {INFO_LENGTH}:' line)")
        try:
            ms = parse_duration(value)
        except RagError as exc:
            raise self.error(self.info_line(info_at, INFO_LENGTH), str(exc)) from None
        if ms <= 0:
            raise self.error(self.info_line(info_at, INFO_LENGTH), f"video length {value!r} is zero")
        return ms

    def url(self, info: dict[str, str], info_at: int | None) -> tuple[str, str]:
        value = info.get(INFO_URL)
        if not value:
            raise self.error(info_at and info_at + 1, f"no video URL ('- {INFO_URL}:' line)")
        if not is_web_url(value):
            # It goes out as the video's link (the API's url, MCP clients): javascript: would run.
            raise self.error(
                self.info_line(info_at, INFO_URL), f"the video URL {value!r} is not an http(s) address"
            )
        video_id = video_id_from_url(value)
        if video_id is None:
            line = self.info_line(info_at, INFO_URL)
            raise self.error(line, f"cannot find the video id in URL {value!r}")
        return value, video_id

    def table(self, header: int, script: int, duration_ms: int) -> tuple[TableRow, ...]:
        rows: list[TableRow] = []
        for i in range(header + 1, script):
            line = self.lines[i]
            if not line.strip() or _TABLE_RULE.match(line):
                continue
            m = _TABLE_ROW.match(line)
            if m is None:
                raise self.error(i + 1, f"not a table row (expected 'MM:SS | summary |'): {line!r}")
            try:
                start = parse_clock(m[1])
            except RagError as exc:
                raise self.error(i + 1, str(exc)) from None
            if rows and start <= rows[-1].start_ms:
                prev = format_clock(rows[-1].start_ms)
                raise self.error(i + 1, f"timestamp {m[1]} is not after {prev} on line {rows[-1].line}")
            if start >= duration_ms:
                length = format_clock(duration_ms)
                raise self.error(i + 1, f"timestamp {m[1]} is past the video length {length}")
            rows.append(TableRow(start, m[2], i + 1))
        if not rows:
            raise self.error(header + 1, "the timestamp table has no rows")
        return tuple(rows)

    def sections(
        self, script: int, end: int, table: tuple[TableRow, ...], duration_ms: int
    ) -> tuple[Section, ...]:
        # Each part is (number, marker summary, first line, text lines); part 0 is the intro.
        parts: list[tuple[int, str | None, int, list[str]]] = [(0, None, script + 2, [])]
        seen: dict[int, int] = {}
        for i in range(script + 1, end):
            line = self.lines[i]
            m = _MARKER.match(line)
            if m is None:
                if line.strip():
                    parts[-1][3].append(line.strip())
                continue
            number = int(m[1])
            if number in seen:
                raise self.error(i + 1, f"duplicate marker 2.{number}. (first on line {seen[number]})")
            if number < 1 or number > len(table):
                raise self.error(
                    i + 1,
                    f"marker 2.{number}. has no row {number} in the timestamp table ({len(table)} rows)",
                )
            if number < parts[-1][0]:
                raise self.error(i + 1, f"marker 2.{number}. comes after marker 2.{parts[-1][0]}.")
            seen[number] = i + 1
            parts.append((number, (m[2] or "").strip() or None, i + 1, []))
        if not any(lines for *_, lines in parts):
            raise self.error(script + 1, "empty script: no text after '2. 스크립트'")
        self.unmarked(table, {number for number, *_ in parts})
        return self.timed(parts, table, duration_ms)

    def unmarked(self, table: tuple[TableRow, ...], marked: set[int]) -> None:
        """Warn of table rows with no ``2.N.`` marker: their text is read with the part before them,
        and timed within it.  Refusing the file would lose all of it for one missing line."""
        rows = [(n, row) for n, row in enumerate(table, 1) if n not in marked]
        if not rows:
            return
        which = ", ".join(f"{n} ({format_clock(row.start_ms)})" for n, row in rows)
        markers = ", ".join(f"'2.{n}.'" for n, _ in rows)
        if len(rows) == 1:
            reason = f"timestamp table row {which} has no {markers} marker in the script: its text is read"
            reason += " as part of the one before, with estimated times"
        else:
            reason = f"timestamp table rows {which} have no markers ({markers}) in the script: their text is"
            reason += " read as part of the one before each, with estimated times"
        self.warnings.append(self.error(rows[0][1].line, reason))

    def timed(
        self,
        parts: list[tuple[int, str | None, int, list[str]]],
        table: tuple[TableRow, ...],
        duration_ms: int,
    ) -> tuple[Section, ...]:
        sections: list[Section] = []
        for j, (number, marker_summary, line, lines) in enumerate(parts):
            start = 0 if number == 0 else table[number - 1].start_ms
            end = duration_ms if j + 1 == len(parts) else table[parts[j + 1][0] - 1].start_ms
            summary = table[number - 1].summary if number else None
            text = " ".join(lines)
            if not text:
                continue
            if end <= start:
                # A first row at 0:00 leaves the intro no time of its own: it belongs to part 1.
                nxt = parts[j + 1]
                parts[j + 1] = (nxt[0], nxt[1], line, lines + nxt[3])
                continue
            sections.append(Section(number, start, end, summary or marker_summary, text, line))
        return tuple(sections)
