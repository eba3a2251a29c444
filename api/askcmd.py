"""``rag ask``: a question answered here (the model and the index loaded) or by a running server."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rag.errors import RagError
from rag.question import checked
from rag.settings import Settings

if TYPE_CHECKING:
    from api.generation import Written
    from rag.manifest import VideoRecord
    from rag.result import Result


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from api import render

    url = args.server or settings.server_url
    if url and args.generate:
        raise RagError(
            "--generate writes the answer with this machine's RAG_LLM_URL; a server writes its own: "
            'ask its POST /v1/ask with "generate": true'
        )
    # Checked here first: a bad k or question is said before the model loads, and in the same
    # words whether this machine or a server would answer.
    checked(args.question, args.k)
    body = _ask_server(url, args) if url else _ask_here(settings, args)
    # A terminal or a script cannot follow a path: the video page is on the server asked, or on the
    # one `rag serve` starts with these settings.
    base = url or render.address(settings.host, settings.port)
    if args.json:
        print(json.dumps(render.linked(body, base), ensure_ascii=False, indent=2))
    else:
        print(render.ask(body, base))
    return 0


def _ask_here(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    from api.schemas import AskResponse
    from rag.embedder import load_embedder
    from rag.retrieval import Searcher
    from rag.served import open_corpus

    embedder = load_embedder(settings, log=_say)
    searcher = Searcher(open_corpus(settings, embedder.model_id, embedder.dimension), embedder)
    result = searcher.ask(args.question, args.k, args.video_id)
    videos = searcher.index.videos
    # As the server answers, without its timing (and generation null unless asked for).
    body: dict[str, Any] = AskResponse.of(args.question, result, videos, 0.0).model_dump(exclude={"took_ms"})
    if args.generate:
        written = _written(settings, args, result, videos)
        if args.json:
            from api.generation import generation_out

            body["generation"] = generation_out(written, videos).model_dump()
    return body


def _written(
    settings: Settings, args: argparse.Namespace, result: Result, videos: Mapping[str, VideoRecord]
) -> Written:
    """With --generate: the written answer, streamed to stdout unless --json (then only returned)."""
    import io

    from api import render
    from api.terminal import sources, stream_written

    out = io.StringIO() if args.json else sys.stdout
    written = stream_written(settings, args.question, result, videos, out)
    if args.json:
        return written
    if written.error is not None:
        _say(f"no written answer: {written.error.message} ({written.error.code})")
        return written
    print("\n")
    if written.invalid_citations:
        _say(f"({written.invalid_citations} citation(s) naming no passage were dropped)")
    for line in sources(written, videos, render.address(settings.host, settings.port)):
        print(line)
    print()
    return written


def _ask_server(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """The server's answer to the question, as the local one would print it (no timing)."""
    import anyio

    from api.client import remote

    async def asked() -> dict[str, Any]:
        async with remote(url) as api:
            return await api.ask(args.question, args.k, args.video_id)

    body = anyio.run(asked)
    body.pop("took_ms", None)
    return body
