"""The ``rag`` command: wiring only.  Domain errors become messages and exit codes here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

from api.askcmd import cmd_ask
from rag.errors import RagError
from rag.params import RetrievalParams
from rag.settings import Settings, check_port, check_server_url, load_settings, unknown_variables
from rag.splits import SPLITS

# What `rag eval` compares: each retriever alone, plain fusion, and the shipped defaults.
# The cross-language ranker (rag.crossrank) was fitted on the final mode's order: the others go without.
EVAL_MODES = {
    "dense": RetrievalParams(mode="dense", sentence_weight=0.0, cross_rank=False, second_weight=0.0),
    "keyword": RetrievalParams(mode="keyword", sentence_weight=0.0, cross_rank=False, second_weight=0.0),
    "fused": RetrievalParams(sentence_weight=0.0, cross_rank=False, second_weight=0.0),
    "final": RetrievalParams(),
}
T = TypeVar("T")
EXIT_ERROR = 1
EXIT_USAGE = 2
SERVER_HELP = "ask the running `rag serve` at URL instead of loading the model and index (RAG_SERVER_URL)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Cited, timestamped answers from talk-video transcripts. "
        "Settings come from RAG_* environment variables (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    idx = sub.add_parser("index", help="build the index from the seeds folder if it is missing or stale")
    idx.add_argument("--force", action="store_true", help="rebuild even when the index is up to date")
    idx.add_argument("--strict", action="store_true", help="fail when any seed file cannot be parsed")
    ask = sub.add_parser("ask", help="answer a question from the index, with cited passages")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=5, help="passages to show (1-50, default 5)")
    ask.add_argument("--video-id", help="only search this video")
    ask.add_argument("--json", action="store_true", help="print the API's JSON instead of text")
    ask.add_argument("--server", metavar="URL", type=_checked(check_server_url), help=SERVER_HELP)
    ask.add_argument(
        "--generate", action="store_true", help="write an answer with the LLM at RAG_LLM_URL, streamed"
    )
    ev = sub.add_parser("eval", help="score retrieval on a labelled question set")
    ev.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    ev.add_argument("--split", choices=[*SPLITS, "dev", "all"], default="report")
    ev.add_argument("--store", choices=["faiss", "milvus"], help="the index to score (RAG_STORE)")
    ev.add_argument(
        "--mode", choices=["all", *EVAL_MODES], default="all", help="retrieval set-ups to compare"
    )
    misses = "also list the questions each set-up got wrong, with what it said and what was wanted"
    ev.add_argument("--misses", action="store_true", help=misses)
    serve = sub.add_parser("serve", help="serve the HTTP API (default 127.0.0.1:8000)")
    serve.add_argument("--host", help="address to bind (RAG_HOST)")
    serve.add_argument("--port", type=_checked(check_port), help="port to bind, 1-65535 (RAG_PORT)")
    serve.add_argument("--watch", action="store_true", help="rebuild when files in the seeds folder change")
    mcp = sub.add_parser("mcp", help="serve the search tools to MCP clients (assistants) on stdio")
    mcp.add_argument(
        "--http", type=_checked(check_port), metavar="PORT", help="serve streamable HTTP on this port instead"
    )
    mcp.add_argument("--host", help="address --http binds (RAG_HOST)")
    mcp.add_argument("--server", metavar="URL", type=_checked(check_server_url), help=SERVER_HELP)
    return parser


def _checked(check: Callable[[str], T]) -> Callable[[str], T]:
    """An argument checked as its setting is: the check's ValueError is argparse's usage error."""

    def parse(value: str) -> T:
        try:
            return check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


class _Progress:
    """Progress on stderr: a live line on a terminal, a few plain lines in logs."""

    def __init__(self, stream: TextIO, doing: str = "") -> None:
        self.stream = stream
        self.doing = doing
        self.tty = stream.isatty()
        self.last_tenth: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.tty:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r  {self._what(stage)}: {done}/{total}{end}")
        else:
            tenth = done * 10 // max(total, 1)
            if tenth == self.last_tenth.get(stage):
                return
            self.last_tenth[stage] = tenth
            self.stream.write(f"  {self._what(stage)}: {done}/{total}\n")
        self.stream.flush()

    def _what(self, stage: str) -> str:
        # A build's stages say what they do ("embedding texts", "writing milvus rows").
        return f"{self.doing} {stage}" if self.doing else stage


def _where(settings: Settings) -> str:
    if settings.store == "milvus":
        from rag.milvus import MilvusConfig

        return MilvusConfig.of(settings).where
    return str(settings.index_dir)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_index(settings: Settings, args: argparse.Namespace) -> int:
    from index.build import build, build_embedder, left_out, seed_files, stale_reason
    from index.lock import make_folder
    from index.parts import set_aside_notes
    from rag.embedder import configured_model_id
    from rag.sources import EXPECTED

    reason = stale_reason(settings, configured_model_id(settings))
    if reason is None and not args.force:
        print(f"index in {_where(settings)} is up to date with {settings.seeds_dir}")
        failed, set_aside, warned = left_out(settings)
        for failure in failed:
            _say(f"bad seed: {failure}")
        for note in set_aside_notes(set_aside):
            _say(note)
        for warning in warned:
            _say(f"warning: {warning}")
        return EXIT_ERROR if failed and args.strict else 0
    # A seeds folder that is not there, or empty with no index to keep, or a folder that cannot
    # hold an index, is said now, not after the model has loaded.
    if not seed_files(settings.seeds_dir) and reason == "no index yet":
        raise RagError(f"no seed files in {settings.seeds_dir} (expected {EXPECTED})")
    if settings.store == "faiss":
        make_folder(settings.index_dir)
    _say(f"building index: {reason or 'forced'}")
    embedder = build_embedder(settings, log=_say)
    report = build(settings, embedder, _Progress(sys.stderr))
    for note in report.notes:
        _say(note)
    for what in ("added", "changed", "removed", "kept"):
        for name in getattr(report, what):
            _say(f"  {what}: {name}")
    for failure in report.failures:
        kept = " (its last good version stays indexed)" if failure.source in report.kept else ""
        _say(f"bad seed: {failure}{kept}")
    for warning in report.warnings:
        _say(f"warning: {warning}")
    print(
        f"built index {report.version} in {_where(settings)}: {len(report.videos)} video(s), "
        f"{report.passages} passages, {report.sentences} sentences in {report.seconds:.1f} s "
        f"(seeds: {report.summary()})"
    )
    return EXIT_ERROR if report.failures and args.strict else 0


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from functools import partial

    from rag.embedder import load_embedder
    from rag.evaluation import format_misses, format_report, questions_in, run, score
    from rag.retrieval import Searcher
    from rag.served import open_corpus

    questions = questions_in(args.questions, args.split)
    embedder = load_embedder(settings, log=_say)
    index = open_corpus(settings, embedder.model_id, embedder.dimension)
    passages = list(index.passages())
    modes = list(EVAL_MODES) if args.mode == "all" else [args.mode]
    print(
        f"{len(questions)} questions ({args.split} split) from {args.questions}, index {index.manifest.version} "
        f"({settings.store})"
    )
    progress = _Progress(sys.stderr, "asking")
    for mode in modes:
        searcher = Searcher(index, embedder, EVAL_MODES[mode])
        outcomes = run(questions, partial(searcher.ask, k=10), passages, partial(progress, mode))
        print()
        print(format_report(score(outcomes), mode))
        if args.misses:
            print()
            print(format_misses(outcomes, mode))
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.observe import configure_logging

    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    app = create_app(settings, watch=args.watch)
    # timeout_graceful_shutdown: on SIGTERM, requests in flight get this long to finish.
    uvicorn.run(app, host=host, port=port, log_config=configure_logging(), timeout_graceful_shutdown=10)
    return 0


def cmd_mcp(settings: Settings, args: argparse.Namespace) -> int:
    from api.mcpserver import serve_mcp

    serve_mcp(settings, args.server, args.http, args.host or settings.host)
    return 0


COMMANDS = {"index": cmd_index, "ask": cmd_ask, "eval": cmd_eval, "serve": cmd_serve, "mcp": cmd_mcp}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        # `rag eval --store milvus` scores the Milvus index with the rest of the settings unchanged.
        settings = load_settings(**({"store": args.store} if getattr(args, "store", None) else {}))
        for unknown in unknown_variables(os.environ):
            _say(f"warning: {unknown}")
        code = COMMANDS[args.command](settings, args)
        sys.stdout.flush()  # here, so that a reader gone (`rag ask … | head -1`) is met below
        return code
    except BrokenPipeError:
        # Stop quietly, as cat does; stdout goes to /dev/null or Python's flush at exit raises again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except RagError as exc:
        _say(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
