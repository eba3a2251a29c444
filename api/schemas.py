"""Request and response bodies of the HTTP API, kept apart from the core's domain types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from api.jobs import Job
from rag.answer import Answer
from rag.chunking import estimated_at
from rag.manifest import VideoRecord
from rag.moments import Hit
from rag.question import MAX_K, MAX_QUESTION_CHARS, QUESTION_PATTERN, too_long
from rag.timefmt import format_clock, link_at, seconds

if TYPE_CHECKING:
    from rag.result import Result


def _json_integer(value: object) -> object:
    """JSON Schema's integer: 5 and 5.0, not true or "5" (which pydantic's lax mode would take)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]


def within_limit(value: str) -> str:
    """The length limit counted as the CLI and MCP count it: after spacing is normalized, so
    pasted line breaks and indentation do not count against it."""
    long = too_long(value)
    if long:
        raise PydanticCustomError("string_too_long", long)
    return value


QUESTION_HELP = f"the question: at most {MAX_QUESTION_CHARS} characters once runs of spaces are one"
# A question's text at the HTTP door: something not blank, no control characters (the pattern),
# at most MAX_QUESTION_CHARS once its spacing is normalized.
QuestionText = Annotated[
    str,
    Field(min_length=1, pattern=QUESTION_PATTERN, description=QUESTION_HELP),
    AfterValidator(within_limit),
]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: QuestionText
    k: JsonInt = Field(default=5, ge=1, le=MAX_K)
    video_id: str | None = None
    generate: StrictBool | None = Field(
        default=None,
        description="write an answer with the LLM from the passages; default: true when RAG_LLM_URL is set",
    )
    stream: StrictBool = Field(
        default=False,
        description="answer text/event-stream: a passages event, delta events with text, then done",
    )


class PassageOut(BaseModel):
    rank: int
    score: float
    id: str
    video_id: str
    title: str
    start: float = Field(description="seconds from the start of the video")
    end: float
    timestamp: str = Field(description="start as M:SS or H:MM:SS")
    estimated: bool = Field(description="true when start is interpolated inside a section")
    section: str | None = Field(description="summary of the part of the video this passage is in")
    text: str
    url: str = Field(description="video URL that opens at start")

    @classmethod
    def of(cls, hit: Hit, video: VideoRecord) -> PassageOut:
        p = hit.passage
        return cls(
            rank=hit.rank,
            score=round(hit.score, 4),
            id=p.id,
            video_id=p.video_id,
            title=video.title,
            start=seconds(p.start_ms),
            end=seconds(p.end_ms),
            timestamp=format_clock(p.start_ms),
            estimated=p.estimated,
            section=p.section_summary,
            text=p.text,
            url=link_at(video.url, p.start_ms),
        )


class AnswerOut(BaseModel):
    text: str
    score: float
    passage_rank: int = Field(description="rank of the passage the sentence comes from")
    char_start: int = Field(description="offset of the sentence in that passage's text")
    char_end: int
    video_id: str
    start: float
    end: float
    timestamp: str
    estimated: bool
    url: str

    @classmethod
    def of(cls, answer: Answer, video: VideoRecord) -> AnswerOut:
        return cls(
            text=answer.text,
            score=round(answer.score, 4),
            passage_rank=answer.passage_rank,
            char_start=answer.char_start,
            char_end=answer.char_end,
            video_id=answer.passage.video_id,
            start=seconds(answer.start_ms),
            end=seconds(answer.end_ms),
            timestamp=format_clock(answer.start_ms),
            estimated=estimated_at(answer.passage, answer.char_start),
            url=link_at(video.url, answer.start_ms),
        )


class SearchResponse(BaseModel):
    query: str
    took_ms: float
    results: list[PassageOut]


class AskResponse(BaseModel):
    question: str
    took_ms: float
    answer: AnswerOut | None = Field(description="null when nothing relevant was found")
    confidence: float = Field(
        description="estimated probability (0-1) that the answer answers the question; below the calibrated "
        "threshold the answer is withheld and low_confidence is true"
    )
    low_confidence: bool = Field(
        description="true when no passage seems to answer (confidence below the threshold, no span stating the "
        "quantity or time asked, a year or model name the question names in none of the first three "
        "passages, or a question with no word to look for, such as an emoji alone): answer is then null, "
        "whatever the confidence"
    )
    unmentioned: list[str] = Field(
        default_factory=list,
        description="the years and model names the question names that none of the first three passages "
        "mentions (lower-cased: 2025, h200); when there are any, low_confidence is true",
    )
    passages: list[PassageOut]
    generation: GenerationOut | None = Field(
        default=None, description="the written answer; null when not asked for (see generate)"
    )

    @classmethod
    def of(
        cls, question: str, result: Result, videos: Mapping[str, VideoRecord], took_ms: float
    ) -> AskResponse:
        """The response to ``question`` without a written answer (the route and `rag ask` alike)."""
        answer = result.answer
        return cls(
            question=question,
            took_ms=round(took_ms, 2),
            answer=AnswerOut.of(answer, videos[answer.passage.video_id]) if answer else None,
            confidence=round(result.confidence, 4),
            low_confidence=result.low_confidence,
            unmentioned=list(result.unmentioned),
            passages=[PassageOut.of(h, videos[h.passage.video_id]) for h in result.hits],
        )


class CitationOut(BaseModel):
    marker: int = Field(description="the n of [n] in the written answer")
    passage_rank: int = Field(description="rank of the cited passage in passages")
    start: float = Field(description="seconds from the start of the video")
    timestamp: str
    url: str = Field(description="video URL that opens at start")


class GenerationErrorOut(BaseModel):
    code: str = Field(
        description="llm_not_configured, llm_unavailable, llm_timeout, llm_error, llm_busy or low_confidence"
    )
    message: str


class GenerationOut(BaseModel):
    text: str = Field(description="the written answer, citing passages as [n]; empty when error is set")
    citations: list[CitationOut] = Field(
        description="each passage the text cites, in order of first citation"
    )
    invalid_citations: int = Field(description="markers naming no given passage, dropped from the text")
    model: str | None = Field(description="the model that wrote it, as the LLM server names it")
    took_ms: float
    error: GenerationErrorOut | None = Field(
        description="why there is no written answer; the rest still stands"
    )


class VideoOut(BaseModel):
    video_id: str
    title: str
    summary: str
    channel: str | None
    upload_date: str | None
    duration: float
    length: str
    url: str
    info: dict[str, str]
    source: str
    passages: int

    @classmethod
    def of(cls, v: VideoRecord) -> VideoOut:
        return cls(
            video_id=v.video_id,
            title=v.title,
            summary=v.summary,
            channel=v.channel,
            upload_date=v.upload_date,
            duration=seconds(v.duration_ms),
            length=format_clock(v.duration_ms),
            url=v.url,
            info=v.info,
            source=v.source,
            passages=v.passages,
        )


class VideosResponse(BaseModel):
    index_version: str
    videos: list[VideoOut]


class HealthResponse(BaseModel):
    status: str
    index_version: str
    model: str
    dimension: int
    videos: int
    passages: int


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class JobOut(BaseModel):
    job_id: str
    state: str = Field(description="running, succeeded or failed")
    started_at: float
    finished_at: float | None
    result: dict[str, Any] | None = Field(description="what the build did: version, added, changed, …")
    error: str | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            job_id=job.id,
            state=job.state,
            started_at=job.started_at,
            finished_at=job.finished_at,
            result=job.result,
            error=job.error,
        )
