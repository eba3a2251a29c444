"""A video's transcript, or the part of it in a time range."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearcherDep
from api.schemas import ErrorResponse
from api.transcript_schemas import ChapterOut, SegmentOut, TranscriptResponse
from rag.timefmt import seconds
from rag.transcript import check_range
from rag.transcript import transcript as read_transcript

router = APIRouter(prefix="/v1", responses={code: {"model": ErrorResponse} for code in (404, 422, 503)})


# Far past the end of any video: a larger bound means the same range, and 1e305 s in milliseconds
# would overflow a float.
_LATEST_S = 1e9


def _ms(value: float | None) -> int | None:
    return None if value is None else round(min(value, _LATEST_S) * 1000)


@router.get("/videos/{video_id}/transcript")
def transcript(
    searcher: SearcherDep,
    video_id: str,
    start: Annotated[
        float | None, Query(ge=0, allow_inf_nan=False, description="seconds; omitted: from the beginning")
    ] = None,
    end: Annotated[
        float | None, Query(ge=0, allow_inf_nan=False, description="seconds; omitted: to the end")
    ] = None,
) -> TranscriptResponse:
    index = searcher.index
    # An unknown video is a 404 whatever the range; a range is checked on the seconds given, before
    # _ms bounds and rounds them (2e9 > 1.5e9 s, both past _LATEST_S, would read as one moment).
    if video_id in index.videos:
        check_range(start, end)
    segments = read_transcript(index, video_id, _ms(start), _ms(end))
    video = index.videos[video_id]
    return TranscriptResponse(
        video_id=video_id,
        title=video.title,
        url=video.url,
        duration=seconds(video.duration_ms),
        chapters=[ChapterOut.of(c) for c in video.chapters],
        start=start,
        end=end,
        segments=[SegmentOut.of(s, video) for s in segments],
    )
