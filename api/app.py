"""The FastAPI application, built from settings handed in (never read at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors
from api.head import HeadAsGet
from api.limits import BodyLimit
from api.llm import LlmClient
from api.observe import LlmMetrics, RequestContext
from api.routes import admin, docs, metrics, page, search, transcript, videos
from api.service import EmbedderFactory, Service
from rag.params import RetrievalParams
from rag.settings import Settings


def create_app(
    settings: Settings,
    embedder_factory: EmbedderFactory | None = None,
    *,
    params: RetrievalParams | None = None,
    load_in_background: bool = True,
    watch: bool = False,
) -> FastAPI:
    service = Service(settings, embedder_factory, params)
    llm = LlmClient(settings, LlmMetrics(service.metrics.registry))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Loading the model takes seconds: answer /healthz with 503 meanwhile instead of refusing.
        service.start(background=load_in_background, watch=watch)
        # One HTTP client for every written answer of this process: its connections are reused.
        llm.open()
        yield
        await llm.aclose()
        service.stop()

    app = FastAPI(
        title="rag",
        summary="Cited, timestamped answers from talk-video transcripts",
        version="0.1.0",
        lifespan=lifespan,
        # /docs is served from this process (api.routes.docs); FastAPI's loads a CDN, ReDoc too.
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.state.llm = llm
    errors.install(app)
    # Innermost (added first): logged and counted as the HEAD it was, routed as a GET.
    app.add_middleware(HeadAsGet)
    routers = [search, videos, transcript, admin, page, metrics, docs]
    # A body refused before routing is still counted under the route it was sent to.
    app.add_middleware(BodyLimit, routes=[r for m in routers for r in m.router.routes])
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
        )
    app.add_middleware(RequestContext, metrics=service.metrics)
    for module in routers:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=page.STATIC), name="static")
    app.mount(docs.ASSETS, StaticFiles(directory=docs.assets_folder()), name="docs-assets")
    return app
