"""What an incremental build can take from the current index version instead of embedding again.

A video's rows are reused when its seed file has the same name and content hash and the index was
built with the same model, prompts and chunk settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rag.chunking import Passage
from rag.embedder import Vectors
from rag.errors import IndexMissingError, RagError
from rag.keyword import analyzer_signature
from rag.languages import spoken
from rag.manifest import VideoRecord
from rag.store import load_index, read_tokens


@dataclass
class VideoPart:
    """One video's rows in a build: its record, passages and their vectors."""

    record: VideoRecord
    passages: list[Passage]
    dense: Vectors
    sentences: Vectors
    # Each passage's keyword tokens; None when they must be computed (new seed, other analyzer).
    tokens: list[list[str]] | None = None
    # Each passage's second-encoder vector (rag.second); None when it must be computed.
    second: Vectors | None = None


def previous_parts(
    index_dir: Path,
    model_id: str,
    dimension: int,
    prompts: dict[str, str],
    chunking: dict[str, int],
    second_model: str = "",
) -> tuple[dict[str, VideoPart], str | None]:
    """Parts of the current version by seed file name, and why none could be reused (if so)."""
    try:
        index = load_index(index_dir, model_id, dimension)
    except IndexMissingError:
        return {}, None
    except RagError as exc:
        return {}, f"previous index not reusable: {exc}"
    m = index.manifest
    if m.prompts != prompts or m.chunking != chunking:
        return {}, "previous index built with other prompts or chunk settings"
    try:
        tokens = read_tokens(index_dir, m) if m.analyzer == analyzer_signature() else None
    except (OSError, ValueError, RagError):
        tokens = None  # only a saving: the build tokenizes again
    parts: dict[str, VideoPart] = {}
    rows_of: dict[str, list[int]] = {}
    # Second vectors of the same encoder are kept; of another (or none), computed again.
    second = index.second_vectors if second_model and m.second_model == second_model else None
    for row, p in enumerate(index.passages):
        rows_of.setdefault(p.video_id, []).append(row)
    for video in index.videos.values():
        rows = rows_of.get(video.video_id, [])
        if not rows:
            continue
        dense = np.vstack([index.dense.reconstruct(r) for r in rows]).astype(np.float32)
        lo, hi = index.sentence_offsets[rows[0]], index.sentence_offsets[rows[-1] + 1]
        passages = [index.passages[r] for r in rows]
        # A video kept from an index built before videos recorded their language gets it now.
        known = video if video.language is not None else replace(video, language=spoken(passages))
        parts[video.source] = VideoPart(
            known,
            passages,
            dense,
            np.asarray(index.sentence_vectors[lo:hi]),
            [tokens[r] for r in rows] if tokens is not None else None,
            None if second is None else np.asarray(second[rows[0] : rows[-1] + 1]),
        )
    return parts, None
