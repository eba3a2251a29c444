"""Text files as people save them: UTF-8 (with or without BOM), or CP949/EUC-KR from Korean Windows."""

from __future__ import annotations

import re
from pathlib import Path

from rag.errors import SeedError

_HANGUL = re.compile("[\uac00-\ud7a3]")


def decode_text(raw: bytes, path: Path) -> str:
    """The file's text (UTF-8, or CP949/EUC-KR when that reads as Korean), or an error naming the line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        # Korean Windows tools still save CP949 (a superset of EUC-KR): read it if it is that.
        try:
            text = raw.decode("cp949")
        except UnicodeDecodeError:
            raise SeedError(str(path), line, "not valid UTF-8 (nor CP949/EUC-KR) text") from exc
        if not _HANGUL.search(text):
            raise SeedError(
                str(path), line, "not valid UTF-8 text (and no Korean when read as CP949)"
            ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SeedError(str(path), line, "binary data (NUL byte) in a text file")
    return text
