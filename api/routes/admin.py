"""Rebuilds on demand, behind ``Authorization: Bearer $RAG_ADMIN_TOKEN``; off when it is unset."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from api.deps import ServiceDep
from api.errors import UnauthorizedError, error_response
from api.jobs import BusyError
from api.schemas import ErrorResponse, JobOut
from index.lock import BuildBusyError, check_free
from rag.errors import NotFoundError

router = APIRouter(
    prefix="/v1/admin", responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}
)


class AdminDisabledError(NotFoundError):
    """No admin token is configured."""


def require_admin(service: ServiceDep, authorization: Annotated[str | None, Header()] = None) -> None:
    token = service.settings.admin_token
    if token is None:
        raise AdminDisabledError("admin routes are disabled: set RAG_ADMIN_TOKEN to enable them")
    scheme, _, given = (authorization or "").partition(" ")
    # compare_digest takes the same time wherever the strings differ: no guessing byte by byte.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.encode(), token.get_secret_value().encode()
    ):
        raise UnauthorizedError("a valid 'Authorization: Bearer <RAG_ADMIN_TOKEN>' header is required")


Admin = Annotated[None, Depends(require_admin)]


@router.post(
    "/reindex",
    status_code=202,
    response_model=JobOut,
    responses={code: {"model": ErrorResponse} for code in (409, 413, 503)},
)
def reindex(
    service: ServiceDep,
    _: Admin,
    force: Annotated[bool, Query(description="build even when the index is up to date")] = False,
) -> JobOut | JSONResponse:
    try:
        service.embedder  # noqa: B018 -- raises NotReadyError (503) before the model is loaded
        # A build by another process (`rag index`, another server) holds the lock file: say so now
        # rather than start a job that can only fail.
        service.jobs.check_idle()
        check_free(service.settings.index_dir)
        job = service.jobs.start(force)
    except BusyError as exc:
        return error_response(409, "busy", str(exc), job_id=exc.job_id)
    except BuildBusyError as exc:
        return error_response(409, "busy", str(exc))
    return JobOut.of(job)


@router.get("/reindex/{job_id}")
def job_status(job_id: str, service: ServiceDep, _: Admin) -> JobOut:
    job = service.jobs.get(job_id)
    if job is None:
        raise NotFoundError(f"no rebuild job {job_id!r}")
    return JobOut.of(job)
