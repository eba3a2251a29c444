"""The plain-text renderings `rag ask` and the MCP tools print."""

from __future__ import annotations

from typing import Any

import pytest

from api import render


def _body(estimated: bool) -> dict[str, Any]:
    passage = {
        "rank": 1,
        "score": 0.5,
        "video_id": "v",
        "title": "강연",
        "timestamp": "14:05",
        "estimated": True,
        "section": None,
        "text": "앞 문장. 답하는 문장.",
        "url": "https://youtu.be/v?t=845",
    }
    answer = {
        "timestamp": "14:28",
        "estimated": estimated,
        "text": "답하는 문장.",
        "url": "https://youtu.be/v?t=868",
    }
    return {"answer": answer, "unmentioned": [], "passages": [passage]}


@pytest.mark.parametrize(("estimated", "shown"), [(True, "~14:28"), (False, "14:28")])
def test_an_answer_time_inside_a_section_is_marked_as_estimated(estimated: bool, shown: str) -> None:
    lines = render.ask(_body(estimated)).splitlines()
    assert lines[:2] == [f"Answer [{shown}] 답하는 문장.", "  https://youtu.be/v?t=868"]
    assert lines[3:6] == ["== 강연", "", "1. [~14:05]  (score 0.500)"]


def test_links_to_a_video_page_are_made_absolute_against_the_server() -> None:
    body = _body(False)
    body["answer"]["url"] = "/videos/v?t=868"
    body["passages"][0]["url"] = "/videos/v?t=845"
    lines = render.ask(body, "http://127.0.0.1:8000/").splitlines()
    assert lines[1] == "  http://127.0.0.1:8000/videos/v?t=868"
    assert "   http://127.0.0.1:8000/videos/v?t=845" in lines
    # A video's own URL is left as it is.
    assert render.ask(_body(False), "http://127.0.0.1:8000").splitlines()[1] == "  https://youtu.be/v?t=868"


@pytest.mark.parametrize(
    ("host", "port", "address"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000"),
        ("::", 8000, "http://127.0.0.1:8000"),
        ("::1", 8000, "http://[::1]:8000"),
        ("rag.local", 80, "http://rag.local:80"),
    ],
)
def test_the_address_a_browser_reaches_a_server_at(host: str, port: int, address: str) -> None:
    assert render.address(host, port) == address
