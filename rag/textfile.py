"""Text files as people save them: UTF-8 (with or without BOM), UTF-16 with its BOM (Windows
Notepad's "Unicode"), or CP949/EUC-KR from Korean Windows."""

from __future__ import annotations

import re
from pathlib import Path

from rag.errors import SeedError

_HANGUL = re.compile("[\uac00-\ud7a3]")
_HANJA = re.compile("[\u4e00-\u9fff\uf900-\ufaff]")
# The share of a CP949 file's syllables that must be common ones (_reads_as_korean).
COMMON_SHARE = 0.9
# The most Hanja a CP949 file may hold among its Hangul and Hanja (_reads_as_korean).
HANJA_SHARE = 0.2


def decode_text(raw: bytes, path: Path) -> str:
    """The file's text (UTF-8, UTF-16 with a BOM, or CP949/EUC-KR when that reads as Korean), or an
    error naming the line."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A UTF-16 file always opens with its BOM when Windows writes it: "utf-16" reads the order.
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].decode("utf-16", "replace").count("\n") + 1
            raise SeedError(str(path), line, "not valid UTF-16 text (it starts with a UTF-16 BOM)") from exc
        return _no_nul(text, path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        # Korean Windows tools still save CP949 (a superset of EUC-KR): read it if it is that.
        try:
            text = raw.decode("cp949")
        except UnicodeDecodeError:
            raise SeedError(str(path), line, "not valid UTF-8 (nor CP949/EUC-KR) text") from exc
        if not _reads_as_korean(text):
            raise SeedError(
                str(path), line, "not valid UTF-8 text (and no Korean when read as CP949)"
            ) from exc
    return _no_nul(text, path)


def _no_nul(text: str, path: Path) -> str:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SeedError(str(path), line, "binary data (NUL byte) in a text file")
    return text


def _reads_as_korean(text: str) -> bool:
    """Whether text decoded as CP949 is Korean: most of its syllables are among KS X 1001's 2,350.

    Any byte from 0x81 up starts a CP949 pair, so a Windows-1252 file decodes too: "It\u2019s" becomes
    "It뭩", a syllable from CP949's extension, which Korean text seldom uses (none of the seed's
    5,965 syllables).  A file of such syllables is not Korean, and is refused rather than garbled.
    So is one where Hanja stand among the syllables as often as in Chinese read as CP949.
    """
    syllables = _HANGUL.findall(text)
    common = sum(_common(s) for s in syllables)
    # Chinese in GBK decodes too, and into common syllables: GBK's most used characters sit where
    # KS X 1001 has its Hangul and its Hanja, so "大家好" reads "댕소봤" among as many Hanja (about
    # 40% of the two), which spoken Korean written down hardly uses.
    hanja = len(_HANJA.findall(text))
    return (
        bool(syllables)
        and common >= COMMON_SHARE * len(syllables)
        and hanja <= HANJA_SHARE * (hanja + len(syllables))
    )


def _common(syllable: str) -> bool:
    lead, trail = syllable.encode("cp949")
    # KS X 1001's Hangul rows: lead bytes 0xB0-0xC8, trail bytes 0xA1-0xFE (the extension uses the rest).
    return lead >= 0xB0 and trail >= 0xA1
