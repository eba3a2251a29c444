"""The indexed videos, and whether the service is ready."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import SearcherDep, ServiceDep
from api.errors import error_response
from api.schemas import ErrorResponse, HealthResponse, VideoOut, VideosResponse

router = APIRouter()


@router.get("/v1/videos", responses={503: {"model": ErrorResponse}})
def videos(searcher: SearcherDep) -> VideosResponse:
    index = searcher.index
    return VideosResponse(
        index_version=index.manifest.version, videos=[VideoOut.of(v) for v in index.videos.values()]
    )


@router.get("/healthz", response_model=HealthResponse, responses={503: {"model": ErrorResponse}})
def healthz(service: ServiceDep) -> HealthResponse | JSONResponse:
    if not service.ready:
        return error_response(503, "not_ready", service.problem)
    index = service.searcher.index
    m = index.manifest
    return HealthResponse(
        status="ok",
        index_version=m.version,
        model=m.model_id,
        dimension=m.dimension,
        videos=len(index.videos),
        passages=index.size,
    )
