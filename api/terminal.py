"""`rag ask --generate`: the written answer streamed to the terminal, then the passages it cites."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import aclosing
from typing import TextIO

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
        async with aclosing(write(llm, question, result, titles_of(videos))) as items:
            async for item in items:
                if isinstance(item, Written):
                    return item
                out.write(item)
                out.flush()
    finally:
        await llm.aclose()
    raise AssertionError("write() always ends with a Written")


def sources(written: Written, videos: Mapping[str, VideoRecord]) -> list[str]:
    """One line per cited passage: its marker, timestamp, video title and the link to that moment."""
    lines = []
    for c in written.citations:
        p = c.hit.passage
        approx = "~" if p.estimated else ""
        video = videos[p.video_id]
        lines.append(
            f"[{c.marker}] {approx}{format_clock(p.start_ms)} {video.title}  {link_at(video.url, p.start_ms)}"
        )
    return lines
