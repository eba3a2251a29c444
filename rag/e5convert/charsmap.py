"""Build a SentencePiece ``precompiled_charsmap`` from a table of string rewrites.

The ``Precompiled`` normalizer of Hugging Face ``tokenizers`` (and SentencePiece itself) reads
this blob: ``u32 trie_bytes | trie units (u32 each) | replacement strings, each NUL-terminated``.
The trie is a darts-clone double array over the UTF-8 bytes of each source string; a key's value
is the offset of its replacement in the strings blob.  Writing it ourselves avoids depending on
the ``sentencepiece`` package just to serialize ~5,000 single-character rules.

darts-clone unit layout (u32), as the readers decode it:
  bit 31        set only on value units, so a value never matches a byte label
  bits 0-7      the byte label of the node (checked on every step of a lookup)
  bit 8         "has leaf": the node ends a key; its value sits at child slot 0
  bit 9, 10-31  the XOR offset from the node's position to its children's base
Children of a node at position ``p`` with base ``b`` live at ``b ^ label`` (the value at ``b``).
A lookup only checks the label at the slot it lands on, so correctness rests on each base being
used by one node only: two nodes can then never claim the same (slot, label) pair.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Mapping

_LEAF = 1 << 8
_VALUE = 1 << 31
_MAX_OFFSET = 1 << 21  # larger offsets need darts-clone's shifted encoding; never reached here
_BLOCK = 256  # readers index base ^ byte unchecked, so the array must cover whole 256-unit blocks


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def build(rules: Mapping[str, str]) -> bytes:
    """Serialize ``rules`` (source string -> replacement, possibly empty) as a precompiled charsmap."""
    strings = bytearray()
    offsets: dict[str, int] = {}
    root = _Node()
    for source in sorted(rules):
        key = source.encode("utf-8")
        if not key or 0 in key:
            raise ValueError(f"charsmap keys must be non-empty and NUL-free, got {source!r}")
        replacement = rules[source]
        if replacement not in offsets:
            offsets[replacement] = len(strings)
            strings += replacement.encode("utf-8") + b"\0"
        node = root
        for byte in key:
            node = node.children.setdefault(byte, _Node())
        node.value = offsets[replacement]
    units = _double_array(root)
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(strings)


def _double_array(root: _Node) -> list[int]:
    units = [0] * _BLOCK
    used = bytearray(_BLOCK)  # slot taken (by a node or a value)
    used[0] = 1  # the root
    bases: set[int] = set()
    first_free = 1
    queue: deque[tuple[_Node, int]] = deque([(root, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(node.children)
        if node.value is not None:
            labels.insert(0, 0)  # slot for the value
        first_free = used.find(0, first_free)
        if first_free < 0:
            first_free = len(used)
        base = _find_base(labels, used, bases, first_free)
        bases.add(base)
        needed = (base | (_BLOCK - 1)) + 1
        if needed > len(units):
            units.extend([0] * (needed - len(units)))
            used.extend(bytes(needed - len(used)))
        offset = pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("charsmap too large for the simple offset encoding")
        units[pos] |= offset << 10 | (_LEAF if node.value is not None else 0)
        for label in labels:
            used[base ^ label] = 1
        if node.value is not None:
            units[base] = node.value | _VALUE
        for label, child in node.children.items():
            units[base ^ label] = label
            queue.append((child, base ^ label))
    return units


def _find_base(labels: list[int], used: bytearray, bases: set[int], start: int) -> int:
    """The lowest unused base that puts every label on a free slot."""
    first = labels[0]
    slot = start
    while True:
        base = slot ^ first
        if base not in bases and all(base ^ lab >= len(used) or not used[base ^ lab] for lab in labels):
            return base
        # Past the end everything is free, so the search always ends.
        slot = used.find(0, slot + 1)
        if slot < 0:
            slot = len(used)
