"""Mutations of the real seed: every outcome is a valid parse or an error naming file and line."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.errors import SeedError
from rag.seed import parse_seed
from tests.conftest import SEED

LINES = SEED.read_bytes().split(b"\n")
NAME = Path("fuzz.txt")


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "bytes", "truncate", "marker", "huge", "time"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "bytes":
            lines[i] = lines[i][: draw(st.integers(0, 40))] + draw(st.binary(max_size=12))
        elif op == "truncate":
            cut = draw(st.integers(0, len(b"\n".join(lines))))
            return b"\n".join(lines)[:cut]
        elif op == "marker":
            lines.insert(i, f"2.{draw(st.integers(-1, 12))}. 요약".encode())
        elif op == "huge":
            lines[i] = lines[i] + "가나다 ".encode() * draw(st.integers(1, 20_000))
        elif op == "time":
            lines.insert(i, f"{draw(st.integers(0, 99))}:{draw(st.integers(0, 99)):02d} | x |".encode())
    return b"\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_seed_parses_or_names_file_and_line(raw: bytes) -> None:
    try:
        seed = parse_seed(raw, NAME)
    except SeedError as exc:
        assert str(exc).startswith("fuzz.txt")
        assert exc.line is None or 1 <= exc.line <= raw.count(b"\n") + 1
        return
    # A valid parse keeps every invariant the indexer relies on.
    assert seed.sections
    times = [(s.start_ms, s.end_ms) for s in seed.sections]
    assert all(0 <= a < b <= seed.video.duration_ms for a, b in times)
    assert all(times[i][1] <= times[i + 1][0] for i in range(len(times) - 1))
