"""`rag mcp` driven by the MCP SDK's own client: over stdio as a real process, and on --http PORT."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from api.client import local
from api.mcpserver import build
from rag.embedder import FakeEmbedder
from rag.settings import Settings
from tests.conftest import ROOT, VIDEO_ID
from tests.server import free_port

TOOLS = {
    "ask": ["question"],
    "search_transcripts": ["question"],
    "list_videos": [],
    "get_transcript": ["video_id"],
}
PASSAGE_KEYS = {"timestamp", "start", "url", "section", "text", "title", "video_id"}
QUESTION = "H100 GPU 하나의 가격은 얼마인가요?"
# Inputs the service refuses, and its messages as the tool errors carry them.
REFUSED = [
    ("ask", {"question": ""}, "question: String should have at least 1 character"),
    ("ask", {"question": QUESTION, "k": 0}, "k: Input should be greater than or equal to 1"),
    (
        "search_transcripts",
        {"question": " "},
        "query.q: the question is blank or contains control characters",
    ),
    (
        "search_transcripts",
        {"question": QUESTION, "k": 51},
        "query.k: Input should be less than or equal to 50",
    ),
    ("ask", {"question": QUESTION, "video_id": "nope"}, "no video with id 'nope' in the index"),
    ("get_transcript", {"video_id": "nope"}, "no video with id 'nope' in the index"),
    ("get_transcript", {"video_id": VIDEO_ID, "start": 20, "end": 10}, "end (10 s) is before start (20 s)"),
]


def _text(result: CallToolResult) -> str:
    (block,) = result.content
    assert block.type == "text"
    return block.text


async def _refusals(client: Client) -> None:
    for tool, arguments, message in REFUSED:
        result = await client.call_tool(tool, arguments)
        assert (result.is_error, _text(result)) == (True, message), (tool, arguments)


def _stdio(env: dict[str, str], *args: str) -> StdioServerParameters:
    # `python -m api.cli` runs this checkout's code, whatever `rag` is first on PATH.
    return StdioServerParameters(
        command=sys.executable, args=["-m", "api.cli", "mcp", *args], env=env, cwd=ROOT
    )


def _run(scenario: Callable[[], Awaitable[None]]) -> None:
    anyio.run(scenario)


@pytest.mark.slow
def test_stdio_tools_over_the_local_index(seed_env: dict[str, str]) -> None:
    async def scenario() -> None:
        async with Client(_stdio(seed_env), read_timeout_seconds=120) as client:
            listed = (await client.list_tools()).tools
            assert {t.name: t.input_schema.get("required", []) for t in listed} == TOOLS
            assert all(t.output_schema and t.description for t in listed)

            asked = await client.call_tool("ask", {"question": QUESTION, "k": 3})
            assert not asked.is_error and asked.structured_content is not None
            answer = asked.structured_content["answer"]
            assert (answer["timestamp"], answer["url"]) == (
                "12:34",
                f"https://www.youtube.com/watch?v={VIDEO_ID}&t=754",
            )
            assert "25,000달러" in answer["text"]
            passages = asked.structured_content["passages"]
            assert len(passages) == 3 and all(set(p) >= PASSAGE_KEYS for p in passages)
            title = passages[0]["title"]
            assert _text(asked).startswith(
                f"Answer [12:34] {answer['text']}\n  {answer['url']}\n\n== {title}\n\n1. [12:34]  (score "
            )

            found = await client.call_tool(
                "search_transcripts", {"question": "엔비디아 GPU 조달 작전", "k": 2}
            )
            results = found.structured_content["results"] if found.structured_content else []
            assert [r["rank"] for r in results] == [1, 2] and "엔비디아" in results[0]["text"]
            assert _text(found).startswith(
                f"== {results[0]['title']}\n\n1. [{results[0]['timestamp']}]  (score "
            )

            videos = await client.call_tool("list_videos", {})
            assert videos.structured_content is not None
            assert [v["video_id"] for v in videos.structured_content["videos"]] == [VIDEO_ID]
            assert _text(videos).startswith("1 video(s) in index ")

            read = await client.call_tool("get_transcript", {"video_id": VIDEO_ID, "start": 754, "end": 785})
            assert read.structured_content is not None
            segments = read.structured_content["segments"]
            assert (segments[0]["timestamp"], segments[0]["start"]) == ("12:34", 754)
            assert f"\n[12:34] {segments[0]['text']}" in _text(read)

            await _refusals(client)

    _run(scenario)


@pytest.mark.slow
def test_stdio_forwarding_to_a_running_server(seed_env: dict[str, str], seed_server: str) -> None:
    async def scenario() -> None:
        async with (
            Client(_stdio(seed_env, "--server", seed_server), read_timeout_seconds=60) as there,
            Client(_stdio(seed_env), read_timeout_seconds=120) as here,
        ):
            answers = []
            for client in (there, here):
                result = await client.call_tool("ask", {"question": QUESTION})
                assert result.structured_content is not None
                answers.append({k: v for k, v in result.structured_content.items() if k != "took_ms"})
            assert answers[0] == answers[1]
            await _refusals(there)

    _run(scenario)


def test_unreachable_server_is_a_tool_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    async def scenario() -> None:
        async with Client(_stdio({"RAG_INDEX_DIR": str(tmp_path)}, "--server", url)) as client:
            result = await client.call_tool("list_videos", {})
            assert (result.is_error, _text(result)) == (
                True,
                f"cannot reach the rag server at {url}: is 'rag serve' running there?",
            )

    _run(scenario)


@pytest.mark.slow
def test_streamable_http(seed_env: dict[str, str], seed_server: str, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "mcp.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "mcp", "--http", str(port), "--server", seed_server],
            env=seed_env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)

        async def scenario() -> None:
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                assert {t.name for t in (await client.list_tools()).tools} == set(TOOLS)
                videos = await client.call_tool("list_videos", {})
                assert videos.structured_content is not None
                assert videos.structured_content["videos"][0]["video_id"] == VIDEO_ID

        _run(scenario)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_in_process_with_the_fake_embedder(fake_built: Settings) -> None:
    """The tools' contract without the real model: the empty range, the empty id, a bad argument type."""

    async def scenario() -> None:
        async with local(fake_built, lambda _: FakeEmbedder()) as api, Client(build(api)) as client:
            empty = await client.call_tool("get_transcript", {"video_id": VIDEO_ID, "start": 5000})
            assert empty.structured_content is not None and empty.structured_content["segments"] == []
            assert _text(empty) == f"No transcript of {VIDEO_ID} in that time range."
            no_id = await client.call_tool("get_transcript", {"video_id": ""})
            assert (no_id.is_error, _text(no_id)) == (True, "no video with id '' in the index")
            typed: dict[str, Any] = {"question": ["not", "a", "string"]}
            wrong = await client.call_tool("ask", typed)
            assert wrong.is_error and _text(wrong).startswith("Error executing tool ask: 1 validation error")

    _run(scenario)


def test_links_to_a_video_page_name_the_server(fake_built: Settings) -> None:
    """A video without a URL of its own links to its page: the text says on which server."""
    import shutil

    from index.build import build as build_index

    shutil.copy(ROOT / "tests" / "data" / "formats" / "haenyeo_talk.srt", fake_built.seeds_dir)
    build_index(fake_built, FakeEmbedder())

    async def scenario() -> None:
        base = "http://rag.example:8000"
        async with local(fake_built, lambda _: FakeEmbedder()) as api, Client(build(api, base)) as client:
            listed = _text(await client.call_tool("list_videos", {}))
            assert f"{base}/videos/haenyeo_talk" in listed
            found = await client.call_tool(
                "search_transcripts", {"question": "해녀", "video_id": "haenyeo_talk", "k": 1}
            )
            assert found.structured_content is not None
            url = found.structured_content["results"][0]["url"]
            assert (
                url.startswith("/videos/haenyeo_talk?t=") and f"   {base}{url}" in _text(found).splitlines()
            )

    _run(scenario)
