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


def _result(rank: int, video_id: str, text: str = "문장.") -> dict[str, Any]:
    return {
        "rank": rank,
        "score": 0.5,
        "video_id": video_id,
        "title": f"{video_id} 강연",
        "timestamp": "0:10",
        "estimated": False,
        "section": None,
        "text": text,
        "url": f"https://youtu.be/{video_id}?t=10",
    }


def test_a_title_heads_each_run_of_one_videos_results() -> None:
    body = {"results": [_result(1, "a"), _result(2, "b"), _result(3, "b"), _result(4, "a")]}
    lines = render.search(body).splitlines()
    heads = [(i, line) for i, line in enumerate(lines) if line.startswith("== ")]
    # Result 4 is a's again: under b's title it would read as b's.
    assert [line for _, line in heads] == ["== a 강연", "== b 강연", "== a 강연"]
    assert lines[heads[2][0] + 2] == "4. [0:10]  (score 0.500)"
    assert sum(line.startswith("3. ") for line in lines[heads[1][0] : heads[2][0]]) == 1


def test_every_line_of_a_result_is_indented_with_it() -> None:
    info = "영상 정보\n제목: 강연\n영상 길이: 10분"
    lines = render.search({"results": [_result(1, "a", info)]}).splitlines()
    assert lines[3:6] == ["   영상 정보", "   제목: 강연", "   영상 길이: 10분"]


def test_json_links_are_made_absolute_against_the_server() -> None:
    body = _body(False)
    body["answer"]["url"] = "/videos/v?t=868"
    body["passages"][0]["url"] = "/videos/v?t=845"
    body["generation"] = {"citations": [{"url": "/videos/v?t=845"}]}
    out = render.linked(body, "http://127.0.0.1:8000/")
    assert out["answer"]["url"] == "http://127.0.0.1:8000/videos/v?t=868"
    assert out["passages"][0]["url"] == "http://127.0.0.1:8000/videos/v?t=845"
    assert out["generation"]["citations"][0]["url"] == "http://127.0.0.1:8000/videos/v?t=845"
    assert render.linked(_body(False), "http://x")["answer"]["url"] == "https://youtu.be/v?t=868"
    assert out["passages"][0]["text"] == body["passages"][0]["text"]
