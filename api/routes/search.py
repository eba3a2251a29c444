"""Questions: ranked passages, and the sentence that answers."""

import time
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearcherDep
from api.schemas import AnswerOut, AskRequest, AskResponse, ErrorResponse, PassageOut, SearchResponse
from rag.moments import Hit
from rag.retrieval import MAX_K, MAX_QUESTION_CHARS, QUESTION_PATTERN, Searcher

router = APIRouter(prefix="/v1", responses={422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})


def _passages(searcher: Searcher, hits: list[Hit]) -> list[PassageOut]:
    return [PassageOut.of(h, searcher.index.videos[h.passage.video_id]) for h in hits]


@router.get("/search", responses={404: {"model": ErrorResponse}})
def search(
    searcher: SearcherDep,
    q: Annotated[
        str,
        Query(
            min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN, description="the question"
        ),
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
    responses={code: {"model": ErrorResponse} for code in (400, 404, 413, 415)},
)
def ask(searcher: SearcherDep, body: AskRequest) -> AskResponse:
    started = time.perf_counter()
    result = searcher.ask(body.question, body.k, body.video_id)
    took = (time.perf_counter() - started) * 1000
    answer = result.answer
    return AskResponse(
        question=body.question,
        took_ms=round(took, 2),
        answer=AnswerOut.of(answer, searcher.index.videos[answer.passage.video_id]) if answer else None,
        confidence=round(result.confidence, 4),
        low_confidence=result.low_confidence,
        passages=_passages(searcher, result.hits),
    )
