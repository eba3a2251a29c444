"""The ask page and a page per video: HTML files and their static script and style, served by the app."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"
# Only what the page uses: its own files and API, and the YouTube player in a frame.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "frame-src https://www.youtube-nocookie.com; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# The video page also loads the YouTube IFrame API (a script of www.youtube.com), which reports
# the playing time so the transcript can follow playback.
VIDEO_CSP = CSP.replace("script-src 'self'", "script-src 'self' https://www.youtube.com").replace(
    "frame-src https://www.youtube-nocookie.com",
    "frame-src https://www.youtube-nocookie.com https://www.youtube.com",
)

router = APIRouter(include_in_schema=False)


@router.get("/")
def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/videos/{video_id}")
def video_page(video_id: str) -> FileResponse:
    """The video's own page; its script reads the transcript (and a 404 for an unknown id) from the API."""
    headers = {**HEADERS, "Content-Security-Policy": VIDEO_CSP}
    return FileResponse(STATIC / "video.html", media_type="text/html; charset=utf-8", headers=headers)
