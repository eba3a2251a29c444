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
