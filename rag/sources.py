"""What the seeds folder holds: transcripts of six kinds, and yt-dlp's metadata beside them.

- ``<stem>.txt``: the seed format (rag.seed), which carries its own metadata;
- ``<stem>.vtt`` / ``<stem>.srt``, also yt-dlp's ``<id>.<lang>.vtt`` (rag.subtitles);
- ``<stem>.smi`` (SAMI, rag.sami) and ``<stem>.sbv`` (YouTube Studio, rag.sbv);
- ``<stem>.json``: speech-to-text segments: whisper, faster-whisper, whisper.cpp (rag.whisper);
- ``<stem>.info.json``: yt-dlp's metadata for the transcript of the same stem (rag.sidecar), never
  a transcript itself.

A transcript and its sidecar are one source, named by the transcript's file name and hashed
together, so a sidecar that arrives or changes later re-indexes that video.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rag.errors import RagError, SeedError
from rag.filenames import split_language
from rag.sami import read_sami
from rag.sbv import read_sbv
from rag.seed import read_seed
from rag.sidecar import SIDECAR_SUFFIX, Sidecar, id_problem, korean_length, read_sidecar
from rag.subtitles import SpokenLines, TimedLine, read_subtitles
from rag.timed import Chapter, Cue
from rag.video import INFO_LENGTH, INFO_URL, Section, Seed, Video
from rag.whisper import read_whisper

KINDS = {
    ".txt": "seed",
    ".vtt": "vtt",
    ".srt": "srt",
    ".json": "whisper",
    ".smi": "smi",
    ".sami": "smi",
    ".sbv": "sbv",
}
LIVE_CHAT_SUFFIX = ".live_chat.json"
EXPECTED = "*.txt, *.vtt, *.srt, *.smi, *.sbv or speech-to-text *.json transcripts"
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
# yt-dlp's default output template, "%(title)s [%(id)s].%(ext)s".
_YT_DLP_NAME = re.compile(r"(.+?) \[([A-Za-z0-9_-]{11})\]")
# Without chapters, a transcript is cut into sections of this length (no passage or result
# crosses one).  Chosen by `python -m bench.windows`, retrieval on the seed read as unpunctuated
# rolling auto-captions without chapters (docs/formats.md): dev hit@1 / MRR@10 0.734 / 0.815 at
# 2 minutes, 0.747 / 0.831 at 5, 0.759 / 0.834 at 10, 0.810 / 0.868 at 15 and 0.797 / 0.863 with
# no windows at all.  A boundary only cuts passages apart here, so longer is better up to a plateau.
SECTION_WINDOW_MS = 900_000


@dataclass(frozen=True)
class Source:
    path: Path
    sidecar: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str:
        return KINDS[self.path.suffix.lower()]


def _is_sidecar(name: str) -> bool:
    return name.lower().endswith(SIDECAR_SUFFIX)


def find_sources(folder: Path) -> list[Source]:
    """The transcripts in ``folder``, by file name, each with its sidecar when there is one."""
    if not folder.is_dir():
        raise RagError(f"seeds folder {folder} {'is not a folder' if folder.exists() else 'does not exist'}")
    files = {p.name: p for p in folder.iterdir() if p.is_file()}
    # A sidecar is found whatever the case of its name, as its transcript is ("Talk.INFO.JSON").
    sidecars = {name.lower(): path for name, path in files.items() if _is_sidecar(name)}
    sources: list[Source] = []
    for name in sorted(files):
        path = files[name]
        # Windows tools and cameras name files "Talk.SRT": the extension's case says nothing.
        kind = KINDS.get(path.suffix.lower())
        # yt-dlp's live chat replay (<id>.live_chat.json, written with the subtitles of a
        # streamed video) is viewers' messages, not the talk.
        if _is_sidecar(name) or kind is None or name.lower().endswith(LIVE_CHAT_SUFFIX):
            continue
        sidecar = None
        if kind != "seed":
            base, _ = split_language(path.stem)
            for candidate in dict.fromkeys((path.stem + SIDECAR_SUFFIX, base + SIDECAR_SUFFIX)):
                if candidate.lower() in sidecars:
                    sidecar = sidecars[candidate.lower()]
                    break
        sources.append(Source(path, sidecar))
    return sources


# Subtitle and transcript formats people drop in that are not read, by extension: what they are,
# and how to get one that is.
_SUBTITLE_EDIT = "convert them to SRT, e.g. with Subtitle Edit"
_YT_DLP = "ask yt-dlp for WebVTT instead: --sub-format vtt, or --convert-subs srt"
UNREAD = {
    ".ass": ("SubStation Alpha subtitles", "convert them to SRT, e.g. ffmpeg -i talk.ass talk.srt"),
    ".ssa": ("SubStation Alpha subtitles", "convert them to SRT, e.g. ffmpeg -i talk.ssa talk.srt"),
    ".sub": ("MicroDVD or VobSub subtitles", _SUBTITLE_EDIT),
    ".lrc": ("LRC lyrics", _SUBTITLE_EDIT),
    ".ttml": ("TTML subtitles", _SUBTITLE_EDIT),
    ".dfxp": ("TTML (DFXP) subtitles", _SUBTITLE_EDIT),
    ".srv1": ("YouTube's srv1 captions", _YT_DLP),
    ".srv2": ("YouTube's srv2 captions", _YT_DLP),
    ".srv3": ("YouTube's srv3 captions", _YT_DLP),
    ".json3": ("YouTube's json3 captions", _YT_DLP),
    ".tsv": ("tab-separated segments (openai-whisper's TSV)", "give whisper's .json, .srt or .vtt instead"),
}


def unread_files(folder: Path) -> list[tuple[str, str, str]]:
    """Files in a format of ``UNREAD``, by name, with what they are and what to do: skipped, but said."""
    return sorted(
        (p.name, *UNREAD[p.suffix.lower()])
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in UNREAD
    )


def lone_sidecars(folder: Path, sources: list[Source]) -> list[str]:
    """Sidecars with no transcript beside them (yt-dlp found no subtitles, or they are elsewhere)."""
    used = {s.sidecar.name for s in sources if s.sidecar}
    return sorted(
        p.name for p in folder.iterdir() if p.is_file() and _is_sidecar(p.name) and p.name not in used
    )


def _read(path: Path, source: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SeedError(str(path), None, f"cannot read file: {exc.strerror or exc}", source) from exc


def _combined(transcript: bytes, sidecar: bytes | None) -> str:
    digest = hashlib.sha256(transcript).hexdigest()
    if sidecar is None:
        return digest
    return hashlib.sha256(f"{digest} {hashlib.sha256(sidecar).hexdigest()}".encode()).hexdigest()


def source_hash(source: Source) -> str:
    """The sha256 of the transcript, combined with its sidecar's when it has one."""
    sidecar = _read(source.sidecar, source.name) if source.sidecar else None
    return _combined(_read(source.path, source.name), sidecar)


def read_source(source: Source, window_ms: int | None = None) -> Seed:
    """Parse a source into a seed; a bad sidecar's error names the sidecar and the transcript."""
    if source.kind == "seed":
        seed = read_seed(source.path)
        # The seed's id comes from its URL's "v=", which may be percent-encoded ("v=a%2Fb").
        if problem := id_problem(seed.video.video_id):
            raise SeedError(str(source.path), None, f"{problem} (taken from its video URL)")
        return seed
    raw = _read(source.path, source.name)
    if source.kind == "whisper":
        lines = read_whisper(raw, source.path)
    elif source.kind == "smi":
        lines = read_sami(raw, source.path)
    elif source.kind == "sbv":
        lines = read_sbv(raw, source.path)
    else:
        lines = read_subtitles(raw, source.path, "vtt" if source.kind == "vtt" else "srt")
    sidecar_raw = _read(source.sidecar, source.name) if source.sidecar else None
    sidecar = None
    if source.sidecar and sidecar_raw is not None:
        try:
            sidecar = read_sidecar(sidecar_raw, source.sidecar)
        except SeedError as exc:
            raise exc.against(source.name) from None
    video = _video(source.path, sidecar, lines)
    sections = timed_sections(lines, video.chapters, video.duration_ms, window_ms or SECTION_WINDOW_MS)
    # A sidecar's warnings are the transcript's, as its errors are.
    warnings = tuple(w.against(source.name) for w in sidecar.warnings) if sidecar else ()
    return Seed(source.path, _combined(raw, sidecar_raw), video, (), sections, warnings)


def _video(path: Path, sidecar: Sidecar | None, lines: SpokenLines) -> Video:
    # macOS writes file names decomposed (NFD): an id or title taken from one looks like the typed
    # name but never equals it, so both are composed (NFC), as typed text is.
    stem = unicodedata.normalize("NFC", path.stem)
    base, language = split_language(stem)
    video_id = sidecar.video_id if sidecar else base
    # "talk.ko.srt" is titled "talk": the language and the recording's extension name no talk.
    title = base
    # yt-dlp's own file names are "<title> [<id>]": the YouTube id and the title, not one id.
    named = None if sidecar else _YT_DLP_NAME.fullmatch(base)
    if named:
        title, video_id = named.group(1), named.group(2)
    # An id shaped like YouTube's is one only where yt-dlp named the file (its sidecar, its
    # "<title> [<id>]", its "<id>.<lang>.vtt"): "lecture_001.json" is eleven characters too.
    from_youtube = (
        sidecar is not None
        or named is not None
        or (language is not None and path.suffix.lower() in (".vtt", ".srt"))
    )
    # A file name has no "/", but may have a control character or be ".." ("...srt").
    if sidecar is None and (problem := id_problem(video_id)):
        raise SeedError(str(path), None, f"{problem} (taken from the file's name)")
    # Where the last cue or segment ends, said or not: a silent ending is still the video's.
    spoken = lines.end_ms
    duration = max(sidecar.duration_ms or 0, spoken) if sidecar else spoken
    url = sidecar.url if sidecar and sidecar.url else None
    if url is None:
        # Without a link to the video, a moment links to this video's own transcript page.
        url = (
            f"https://www.youtube.com/watch?v={video_id}"
            if from_youtube and _YOUTUBE_ID.match(video_id)
            else f"/videos/{quote(video_id, safe='')}"
        )
    info = dict(sidecar.info) if sidecar else {}
    info.setdefault(INFO_LENGTH, korean_length(duration))
    if url.startswith("http"):
        info.setdefault(INFO_URL, url)
    return Video(
        video_id=video_id,
        title=(sidecar.title if sidecar and sidecar.title else title),
        summary="",
        channel=sidecar.channel if sidecar else None,
        upload_date=sidecar.upload_date if sidecar else None,
        duration_ms=duration,
        url=url,
        info=info,
        chapters=sidecar.chapters if sidecar else (),
    )


def timed_sections(
    lines: list[TimedLine], chapters: tuple[Chapter, ...], duration_ms: int, window_ms: int
) -> tuple[Section, ...]:
    """Lines grouped into sections: by chapter when there are chapters, else by fixed windows.

    A line belongs to the section its start falls in; section 0 holds what comes before the
    first chapter.
    """

    def bounds(ms: int) -> tuple[int, int, int, str | None]:
        if chapters:
            n = sum(1 for c in chapters if c.start_ms <= ms)
            if n == 0:
                return 0, 0, chapters[0].start_ms, None
            end = chapters[n].start_ms if n < len(chapters) else max(chapters[-1].end_ms, duration_ms)
            return n, chapters[n - 1].start_ms, end, chapters[n - 1].title
        k = ms // window_ms
        return k + 1, k * window_ms, min((k + 1) * window_ms, max(duration_ms, ms)), None

    groups: list[tuple[tuple[int, int, int, str | None], list[TimedLine]]] = []
    for line in lines:
        where = bounds(line.start_ms)
        if groups and groups[-1][0][0] == where[0]:
            groups[-1][1].append(line)
        else:
            groups.append((where, [line]))
    sections = []
    for (number, start, end, summary), members in groups:
        cues: list[Cue] = []
        offset = 0
        for line in members:
            cues.append(Cue(offset, offset + len(line.text), line.start_ms, line.end_ms))
            offset += len(line.text) + 1
        text = " ".join(line.text for line in members)
        sections.append(Section(number, start, end, summary, text, members[0].line or 0, tuple(cues)))
    return tuple(sections)
