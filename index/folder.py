"""Reading the seeds folder for a build: every transcript parsed, and one file indexed per video.

Shared by the FAISS build (``index.build``) and the Milvus build (``index.milvus_build``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from index.parts import BuildReport, seed_files, set_aside_notes
from rag.errors import NotASeedError, SeedError
from rag.filenames import split_language
from rag.sources import lone_sidecars, read_source, source_hash, unread_files
from rag.video import Seed


@dataclass(frozen=True)
class Parsed:
    """The seeds folder read: what is indexed, what failed, what another file's video displaces."""

    seeds: list[Seed]
    failures: list[SeedError]
    # Parsed, but another file of the same video is preferred: file name -> why (a note, no error).
    set_aside: dict[str, str]
    # Every transcript's hash as read (rag.sources.source_hash), failures included.
    seen: dict[str, str]

    def fill(self, report: BuildReport) -> None:
        report.failures, report.set_aside, report.seen = self.failures, self.set_aside, self.seen
        # What the parsed files read but look wrong in (rag.video.Seed.warnings).
        report.warnings = [w for seed in self.seeds for w in seed.warnings]
        report.notes += set_aside_notes(self.set_aside)


def _preference(seed: Seed) -> tuple[int, str]:
    """Which of several files of one video is indexed: a seed, then Korean subtitles, then by name.

    A seed (.txt) carries its summary table and info, which no subtitle file has.  yt-dlp writes
    one file per language (<id>.ko.vtt, <id>.en.vtt, <id>.ko-orig.vtt): the product answers Korean
    first, so a Korean track wins over an English one whatever their names.
    """
    _, language = split_language(seed.path.stem)
    if seed.path.suffix.lower() == ".txt":
        rank = 0
    elif language is None:
        rank = 3
    elif language.lower() == "ko":
        rank = 1
    else:
        rank = 2 if language.lower().startswith("ko-") else 4
    return rank, seed.path.name


def _why_first(owner: Seed, other: Seed) -> str:
    first, second = _preference(owner)[0], _preference(other)[0]
    if first == second:
        return ""  # by name
    return " (a seed first)" if first == 0 else " (Korean subtitles first)"


def folder_notes(seeds_dir: Path, seeds: list[Seed]) -> list[str]:
    """What the seeds folder holds that no build reads, said in the build's notes (``seeds``: the
    transcripts indexed, which may hold the same talk)."""
    lone = [
        f"{name}: metadata without a transcript beside it, not indexed"
        for name in lone_sidecars(seeds_dir, seed_files(seeds_dir))
    ]
    by_base = {split_language(s.path.stem)[0]: s for s in seeds}
    unread = []
    for name, what, hint in unread_files(seeds_dir):
        twin = by_base.get(split_language(PurePath(name).stem)[0])
        where = f"video {twin.video.video_id} is indexed from {twin.path.name}" if twin else hint
        unread.append(f"{name}: {what} are not read, not indexed ({where})")
    return lone + unread


def parse_seeds(seeds_dir: Path) -> Parsed:
    parsed: list[Seed] = []
    failures: list[SeedError] = []
    seen: dict[str, str] = {}
    for source in seed_files(seeds_dir):
        try:
            # Hashed before it is read: a file changing in between only makes the next build redo it.
            seen[source.name] = source_hash(source)
            parsed.append(read_source(source))
        except SeedError as exc:
            failures.append(exc)
    chosen: dict[str, Seed] = {}
    for seed in sorted(parsed, key=_preference):
        chosen.setdefault(seed.video.video_id, seed)
    set_aside = {
        seed.path.name: f"video {seed.video.video_id} is indexed from {owner.path.name}"
        + _why_first(owner, seed)
        for seed in parsed
        if (owner := chosen[seed.video.video_id]) is not seed
    }
    # openai-whisper writes talk.txt (plain text, no times) beside talk.json, talk.srt and talk.vtt
    # by default: a .txt that is no seed, beside a transcript of its name that is read, is that
    # transcript's text again, not a broken seed.
    read = {split_language(seed.path.stem)[0]: seed for seed in parsed if seed.path.suffix.lower() != ".txt"}
    for error in list(failures):
        twin = read.get(split_language(PurePath(error.path).stem)[0])
        # Only a file with no seed table at all: a seed with a broken table stays a failure.
        if isinstance(error, NotASeedError) and twin is not None:
            owner = chosen[twin.video.video_id]
            failures.remove(error)
            set_aside[error.source] = (
                f"plain text without times (no seed table); video {owner.video.video_id} is indexed "
                f"from {owner.path.name}"
            )
    seeds = [seed for seed in parsed if seed.path.name not in set_aside]
    return Parsed(seeds, failures, dict(sorted(set_aside.items())), seen)
