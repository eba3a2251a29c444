"""JSON files read with errors that name the line (for bad syntax) or the JSON path (for bad values)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from rag.errors import SeedError
from rag.textfile import decode_text


def load_json(raw: bytes, path: Path) -> Node:
    text = decode_text(raw, path)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(str(path), exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    return Node(path, value, "$")


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


class Node:
    """A value inside a JSON document and its path (``$.segments[3].start``)."""

    def __init__(self, path: Path, value: Any, where: str) -> None:
        self.path = path
        self.value = value
        self.where = where

    def error(self, reason: str) -> SeedError:
        return SeedError(str(self.path), None, f"{self.where}: {reason}")

    def expected(self, what: str) -> SeedError:
        got = "nothing" if self.value is None else _shown(self.value)
        return self.error(f"expected {what}, got {got}")

    def get(self, key: str) -> Node:
        if not isinstance(self.value, dict):
            raise self.expected("an object")
        return Node(self.path, self.value.get(key), f"{self.where}.{key}")

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def items(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.expected("a list")
        return [Node(self.path, v, f"{self.where}[{i}]") for i, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.expected("a string")
        return self.value

    def seconds(self) -> float:
        """A time or length in seconds: a finite number, not negative (JSON's true is no number)."""
        v = self.value
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise self.expected("a number of seconds")
        if v < 0:
            raise self.error(f"{v:g} seconds is negative")
        return float(v)

    def count(self) -> int:
        v = self.value
        # 12.0 is a whole number too: JSON has one number type, and some writers emit floats.
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise self.expected("a whole number")
        return v

    def optional_text(self) -> str | None:
        return None if self.value is None else self.text()


def milliseconds(seconds: float) -> int:
    return round(seconds * 1000)
