"""`rag mcp`: the service's questions as Model Context Protocol tools, for assistants.

Each tool returns the HTTP API's JSON as structured content (passages with ``timestamp``,
``start``, ``url`` and ``section``) and a short text rendering of it.  A refused input (an empty
question, ``k`` out of range, an unknown video) comes back as a tool error carrying the API's own
message.  The tools ask the local index in process, or a running `rag serve` (``--server URL``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from api import render
from api.client import Api, connect
from api.schemas import AskResponse, SearchResponse, VideosResponse
from api.transcript_schemas import TranscriptResponse
from rag.errors import RagError
from rag.settings import Settings

INSTRUCTIONS = (
    "Answers questions about long talk videos (Korean first; English and Japanese questions work "
    "too) from their transcripts. Every passage carries its timestamp and a link that opens the "
    "video at that moment: cite them. Use ask for a question, search_transcripts for more "
    "passages, list_videos for what is indexed and get_transcript to read around a moment."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
QUESTION = "the question, in any language (1-1,000 characters)"
K = "how many passages to return (1-50)"
VIDEO_ID = "only this video (an id from list_videos); omitted: every video"
START = "seconds from the start of the video; omitted: from the beginning"


async def _result(call: Awaitable[dict[str, Any]], text: Callable[[dict[str, Any]], str]) -> CallToolResult:
    try:
        body = await call
    except RagError as exc:
        return CallToolResult(content=[TextContent(type="text", text=str(exc))], is_error=True)
    return CallToolResult(content=[TextContent(type="text", text=text(body))], structured_content=body)


def build(api: Api, base: str | None = None) -> MCPServer:
    """The tools over ``api``; ``base`` is the server that links to a video's page are relative to."""
    server: MCPServer = MCPServer(name="rag", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(annotations=READ_ONLY)
    async def ask(
        question: Annotated[str, Field(description=QUESTION)],
        k: Annotated[int, Field(description=K)] = 5,
        video_id: Annotated[str | None, Field(description=VIDEO_ID)] = None,
    ) -> Annotated[CallToolResult, AskResponse]:
        """Answer a question from the transcripts: the sentence that answers it, with its timestamp
        and link, and the passages it was chosen from. answer is null (low_confidence true) when the
        transcripts do not seem to say; the closest passages are still returned."""
        return await _result(api.ask(question, k, video_id), lambda body: render.ask(body, base))

    @server.tool(annotations=READ_ONLY)
    async def search_transcripts(
        question: Annotated[str, Field(description=QUESTION)],
        k: Annotated[int, Field(description=K)] = 5,
        video_id: Annotated[str | None, Field(description=VIDEO_ID)] = None,
    ) -> Annotated[CallToolResult, SearchResponse]:
        """The transcript passages closest to a question, best first, each with its video, timestamp,
        section summary and a link that opens the video there."""
        return await _result(api.search(question, k, video_id), lambda body: render.search(body, base))

    @server.tool(annotations=READ_ONLY)
    async def list_videos() -> Annotated[CallToolResult, VideosResponse]:
        """The indexed videos: id, title, summary, channel, upload date, length, link and passage count."""
        return await _result(api.videos(), lambda body: render.videos(body, base))

    @server.tool(annotations=READ_ONLY)
    async def get_transcript(
        video_id: Annotated[str, Field(description="the video's id, from list_videos or a passage")],
        start: Annotated[float | None, Field(description=START)] = None,
        end: Annotated[float | None, Field(description="seconds; omitted: to the end")] = None,
    ) -> Annotated[CallToolResult, TranscriptResponse]:
        """A video's transcript between two moments, as timed segments in order (each with its
        timestamp, section summary and link): read around a passage that search or ask returned."""
        return await _result(api.transcript(video_id, start, end), render.transcript)

    return server


def serve_mcp(settings: Settings, server_url: str | None, http_port: int | None, host: str) -> None:
    """Serve on stdio, or on streamable HTTP at ``http://host:port/mcp``, until stopped."""
    import anyio

    async def run() -> None:
        async with connect(settings, server_url) as api:
            # An assistant cannot open a path: a video's page is on the server forwarded to, or
            # on the `rag serve` these settings describe.
            server = build(api, server_url or render.address(settings.host, settings.port))
            if http_port is None:
                await server.run_stdio_async()
            else:
                await server.run_streamable_http_async(host=host, port=http_port)

    anyio.run(run)
