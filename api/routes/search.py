"""Questions: ranked passages, the sentence that answers, and (optionally) a written answer."""

import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AfterValidator
from starlette.concurrency import run_in_threadpool

from api.deps import LlmDep, SearcherDep
from api.generation import STREAM_DOC, event_stream, generation_out, titles_of, written
from api.schemas import (
    QUESTION_HELP,
    AskRequest,
    AskResponse,
    ErrorResponse,
    PassageOut,
    SearchResponse,
    within_limit,
)
from rag.moments import Hit
from rag.question import MAX_K, QUESTION_PATTERN
from rag.result import Result
from rag.retrieval import Searcher

router = APIRouter(prefix="/v1", responses={422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})


def _passages(searcher: Searcher, hits: list[Hit]) -> list[PassageOut]:
    return [PassageOut.of(h, searcher.index.videos[h.passage.video_id]) for h in hits]


@router.get("/search", responses={404: {"model": ErrorResponse}})
def search(
    searcher: SearcherDep,
    q: Annotated[
        str,
        Query(min_length=1, pattern=QUESTION_PATTERN, description=QUESTION_HELP),
        AfterValidator(within_limit),
    ],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
    video_id: str | None = None,
) -> SearchResponse:
    started = time.perf_counter()
    hits = searcher.search(q, k, video_id)
    took = (time.perf_counter() - started) * 1000
    return SearchResponse(query=q, took_ms=round(took, 2), results=_passages(searcher, hits))


@router.post(
    "/ask",
    response_model=AskResponse,
    responses={200: STREAM_DOC, **{code: {"model": ErrorResponse} for code in (400, 404, 413, 415)}},
)
async def ask(searcher: SearcherDep, llm: LlmDep, body: AskRequest) -> AskResponse | Response:
    # Retrieval is CPU-bound: off the event loop, where the LLM's streams are waited on.
    response, result = await run_in_threadpool(answer, searcher, body)
    generate = llm.configured if body.generate is None else body.generate
    videos = searcher.index.videos
    if body.stream:
        return event_stream(llm if generate else None, body.question, result, response, videos)
    if generate:
        w = await written(llm, body.question, result, titles_of(videos))
        response.generation = generation_out(w, videos)
    return response


def answer(searcher: Searcher, body: AskRequest) -> tuple[AskResponse, Result]:
    """The ask response without a written answer: passages and the extracted sentence."""
    started = time.perf_counter()
    result = searcher.ask(body.question, body.k, body.video_id)
    took = (time.perf_counter() - started) * 1000
    return AskResponse.of(body.question, result, searcher.index.videos, took), result
