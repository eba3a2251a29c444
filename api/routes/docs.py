"""GET /docs: the OpenAPI schema in Swagger UI, served by this process.

FastAPI's own /docs loads Swagger UI from a CDN, so offline (as rag runs) it was a blank page.
The fastapi-offline package carries Swagger UI 5's files (swagger-ui-bundle's Swagger UI 4 cannot
read OpenAPI 3.1); only its files are used, served under ``ASSETS``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

ASSETS = "/docs-assets"

router = APIRouter(include_in_schema=False)


def assets_folder() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


@router.get("/docs")
def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="rag · API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
