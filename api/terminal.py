"""`rag ask --generate`: the written answer streamed to the terminal, then the passages it cites."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import aclosing
from typing import TextIO

from api import render
from api.generation import Written, titles_of, write
from api.llm import LlmClient
from rag.manifest import VideoRecord
from rag.result import Result
from rag.settings import Settings
from rag.timefmt import format_clock, link_at


def stream_written(
    settings: Settings, question: str, result: Result, videos: Mapping[str, VideoRecord], out: TextIO
) -> Written:
    """Print the answer as it comes; return it with its citations resolved (or its error)."""
    return asyncio.run(_stream(settings, question, result, videos, out))


async def _stream(
    settings: Settings, question: str, result: Result, videos: Mapping[str, VideoRecord], out: TextIO
) -> Written:
    llm = LlmClient(settings)
    llm.open()
    try:
        wrote = False
        async with aclosing(write(llm, question, result, titles_of(videos))) as items:
            async for item in items:
                if isinstance(item, Written):
                    if item.error is not None and wrote:
                        out.write("\n")  # the error is said on a line of its own, not after the text
                    return item
                out.write(item)
                out.flush()
                wrote = True
    finally:
        await llm.aclose()
    raise AssertionError("write() always ends with a Written")


def sources(written: Written, videos: Mapping[str, VideoRecord], base: str | None = None) -> list[str]:
    """One line per cited passage: its marker, timestamp, video title and the link to that moment
    (a video without a URL of its own links to its page on ``base``)."""
    lines = []
    for c in written.citations:
        p = c.hit.passage
        approx = "~" if p.estimated else ""
        video = videos[p.video_id]
        lines.append(
            f"[{c.marker}] {approx}{format_clock(p.start_ms)} {video.title}  "
            + render.link(link_at(video.url, p.start_ms), base)
        )
    return lines
