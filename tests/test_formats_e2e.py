"""Subtitles, speech-to-text and sidecars end to end with the real model: indexed beside the seed by
`rag index`, asked over HTTP, and each video's page in Chromium (desktop and phone widths)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SEED, VIDEO_ID
from tests.server import RAG, rag_env, running_server
from tests.test_page import ARTIFACTS, CHROMIUM, open_page

pytestmark = pytest.mark.slow
FORMATS = ROOT / "tests" / "data" / "formats"
BATTERY = "Xq7LmN2pR4s"

# (question, video, the start of the cue the answer begins with, as the file writes it, and words
# of the answer).  The times are the files' own: nothing is interpolated.
QUESTIONS = [
    ("새 배터리 재활용 공장은 언제 완공되나요?", BATTERY, "00:01:33.471", "2027년 상반기에 완공"),
    ("리튬 회수율은 얼마나 되나요?", BATTERY, "00:01:06.114", "리튬 회수율은 95퍼센트"),
    (
        "제주 해녀 문화는 언제 유네스코 인류무형문화유산에 등재되었나요?",
        "haenyeo_talk",
        "00:00:31,540",
        "2016년",
    ),
    ("해녀는 한 번 잠수할 때 얼마나 숨을 참나요?", "haenyeo_talk", "00:00:13,290", "2분 정도"),
    ("한국인은 1년에 커피를 몇 잔 마시나요?", "coffee_lecture", "21.28", "405잔"),
    ("국내 커피 전문점은 몇 개인가요?", "coffee_lecture", "108.59", "10만 개"),
]


def seconds_of(stamp: str) -> float:
    if ":" not in stamp:
        return float(stamp)
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("formats")
    (root / "seeds").mkdir()
    for path in (SEED, *FORMATS.iterdir()):
        shutil.copy(path, root / "seeds")
    env = rag_env(root, model_cache)
    built = subprocess.run([RAG, "index"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0 and "4 added" in built.stdout, built.stderr
    with running_server(env, root / "server.log") as url:
        yield url


@pytest.mark.parametrize(("question", "video", "stamp", "words"), QUESTIONS, ids=[q[1] for q in QUESTIONS])
def test_questions_find_their_moment_at_the_cue_time(
    base: str, question: str, video: str, stamp: str, words: str
) -> None:
    body = httpx.post(f"{base}/v1/ask", json={"question": question}, timeout=60).json()
    answer = body["answer"]
    assert answer is not None and words in answer["text"], body
    assert (answer["video_id"], answer["start"], answer["estimated"]) == (video, seconds_of(stamp), False)
    first = body["passages"][0]
    assert first["video_id"] == video and words in first["text"] and first["estimated"] is False
    assert first["start"] <= answer["start"] < first["end"]


def test_the_transcript_route(base: str) -> None:
    body = httpx.get(f"{base}/v1/videos/{BATTERY}/transcript").json()
    assert body["title"].startswith("전기차 폐배터리") and body["duration"] == 143
    assert [c["title"] for c in body["chapters"]] == [
        "인사와 폐배터리 문제",
        "재활용 공정과 회수율",
        "포항 공장과 투자 계획",
    ]
    segments = body["segments"]
    assert {s["estimated"] for s in segments} == {False}
    # The first segment: the rolling captions' first five lines, from the first cue's start to the
    # end of the cue that first shows the fifth (00:00:00.160 and 00:00:19.086 in the file).
    assert segments[0] == {
        "start": 0.16,
        "end": 19.086,
        "timestamp": "0:00",
        "estimated": False,
        "section": "인사와 폐배터리 문제",
        "chapter": "인사와 폐배터리 문제",
        "text": "안녕하세요 여러분 오늘은 전기차 폐배터리 재활용 이야기를 해 보겠습니다 저는 배터리 소재 연구소에서 "
        "일하는 김하늘 연구원입니다 전기차가 늘어나면서",
        "url": f"https://www.youtube.com/watch?v={BATTERY}&t=0",
    }
    missing = httpx.get(f"{base}/v1/videos/nope/transcript")
    assert (missing.status_code, missing.json()["error"]["message"]) == (
        404,
        "no video with id 'nope' in the index",
    )


def youtube_offline(page: object) -> None:
    """No network in tests: the player frame and the IFrame API fail to load, as when blocked."""
    page.route("https://www.youtube.com/**", lambda route: route.abort())  # type: ignore[attr-defined]
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())  # type: ignore[attr-defined]


def eventually(check: Callable[[], object], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.05)


def marked(page: object) -> str:
    return str(page.inner_text('#segments li[aria-current="true"]'))  # type: ignore[attr-defined]


def in_view(page: object, selector: str) -> bool:
    box = page.locator(selector).bounding_box()  # type: ignore[attr-defined]
    height = page.evaluate("window.innerHeight")  # type: ignore[attr-defined]
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_video_page_marks_the_moment_and_seeks_without_the_player(base: str, browser: object) -> None:
    page = open_page(browser)
    youtube_offline(page)
    page.goto(f"{base}/videos/{BATTERY}?t=104")  # type: ignore[attr-defined]
    page.wait_for_selector('#segments li[aria-current="true"]')  # type: ignore[attr-defined]
    assert "2027년 상반기에 완공될 예정입니다" in marked(page)
    assert in_view(page, '#segments li[aria-current="true"]')
    api = httpx.get(f"{base}/v1/videos/{BATTERY}/transcript").json()
    assert page.locator("#segments li.segment").count() == len(api["segments"])  # type: ignore[attr-defined]
    assert page.inner_text("h1") == api["title"]  # type: ignore[attr-defined]
    assert page.locator("#chapters li").all_inner_texts() == [  # type: ignore[attr-defined]
        "[0:00] 인사와 폐배터리 문제",
        "[0:47] 재활용 공정과 회수율",
        "[1:33] 포항 공장과 투자 계획",
    ]
    assert page.get_attribute('#chapters li[aria-current="true"]', "aria-current") == "true"  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "video-desktop.png"), full_page=False)  # type: ignore[attr-defined]
    page.screenshot(path=str(ARTIFACTS / "video-desktop-full.png"), full_page=True)  # type: ignore[attr-defined]
    # A click on a chapter, then on a segment, seeks: the embed reloads at that second.
    page.click("#chapters li:nth-child(2)")  # type: ignore[attr-defined]
    assert marked(page).startswith("[0:47] 재활용은 크게 세 단계로")
    assert "start=47&" in str(page.get_attribute("#player", "src"))  # type: ignore[attr-defined]
    page.locator("#segments li.segment").nth(2).locator("span").click()  # type: ignore[attr-defined]
    third = api["segments"][2]
    assert marked(page).endswith(third["text"]) and page.url.endswith(f"?t={int(third['start'])}")  # type: ignore[attr-defined]
    assert f"start={int(third['start'])}&" in str(page.get_attribute("#player", "src"))  # type: ignore[attr-defined]
    assert page.errors == [] or all("ERR_" in e or "Failed to load" in e for e in page.errors)  # type: ignore[attr-defined]


FAKE_API = """
window.__seeks = [];
window.__time = 0;
window.YT = { PlayerState: { PLAYING: 1 }, Player: function (id, options) {
  this.getCurrentTime = () => window.__time;
  this.seekTo = (s) => { window.__seeks.push(s); window.__time = s; };
  this.playVideo = () => {};
  setTimeout(() => options.events.onStateChange({ data: 1, target: this }), 0);
} };
window.onYouTubeIframeAPIReady();
"""


def test_the_mark_follows_playback_where_the_player_reports_its_time(base: str, browser: object) -> None:
    page = open_page(browser)
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda r: r.fulfill(body="<html></html>", content_type="text/html"),
    )  # type: ignore[attr-defined]
    page.route(
        "https://www.youtube.com/iframe_api",
        lambda r: r.fulfill(body=FAKE_API, content_type="text/javascript"),
    )  # type: ignore[attr-defined]
    page.goto(f"{base}/videos/{BATTERY}?t=0")  # type: ignore[attr-defined]
    # The page's CSP forbids eval, so no wait_for_function: poll from here.
    eventually(lambda: page.evaluate("window.__seeks !== undefined"))  # type: ignore[attr-defined]
    page.evaluate("window.__time = 82.5")  # type: ignore[attr-defined]
    eventually(lambda: "95퍼센트까지" in marked(page))
    assert in_view(page, '#segments li[aria-current="true"]')
    # With the API, a click seeks the player instead of reloading the frame.
    page.click("#chapters li:nth-child(3)")  # type: ignore[attr-defined]
    assert page.evaluate("window.__seeks") == [93]  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_search_within_the_video_uses_the_search_api(base: str, browser: object) -> None:
    page = open_page(browser)
    youtube_offline(page)
    page.goto(f"{base}/videos/coffee_lecture")  # type: ignore[attr-defined]
    page.wait_for_selector("#segments li.segment")  # type: ignore[attr-defined]
    assert page.is_hidden("#player-box") and page.is_hidden("#chapters-box")  # no YouTube id, no chapters  # type: ignore[attr-defined]
    page.fill("#q", "커피 전문점은 몇 개인가요?")  # type: ignore[attr-defined]
    page.press("#q", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("#results li")  # type: ignore[attr-defined]
    api = httpx.get(
        f"{base}/v1/search", params={"q": "커피 전문점은 몇 개인가요?", "k": 5, "video_id": "coffee_lecture"}
    ).json()
    texts = page.locator("#results li span").all_inner_texts()  # type: ignore[attr-defined]
    assert texts == [" ".join(p["text"].split()) for p in api["results"]]
    page.click("#results li:first-child a.time")  # type: ignore[attr-defined]
    assert marked(page).startswith(f"[{api['results'][0]['timestamp']}]")
    assert page.errors == []  # type: ignore[attr-defined]


def test_phone_width(base: str, browser: object) -> None:
    page = open_page(browser, 375, 812)
    youtube_offline(page)
    page.goto(f"{base}/videos/{BATTERY}?t=104")  # type: ignore[attr-defined]
    page.wait_for_selector('#segments li[aria-current="true"]')  # type: ignore[attr-defined]
    assert in_view(page, '#segments li[aria-current="true"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "video-phone.png"), full_page=False)  # type: ignore[attr-defined]


def test_main_page_results_link_to_their_moment(base: str, browser: object) -> None:
    page = open_page(browser)
    youtube_offline(page)
    page.goto(f"{base}/?q=해녀는 한 번 잠수할 때 얼마나 숨을 참나요?")  # type: ignore[attr-defined]
    page.wait_for_selector("#passages li a.moment")  # type: ignore[attr-defined]
    body = httpx.post(
        f"{base}/v1/ask", json={"question": "해녀는 한 번 잠수할 때 얼마나 숨을 참나요?", "k": 5}
    ).json()
    links = page.locator("#passages li a.moment")  # type: ignore[attr-defined]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        f"/videos/{p['video_id']}?t={int(p['start'])}" for p in body["passages"]
    ]
    page.click("#passages li:first-child a.moment")  # type: ignore[attr-defined]
    page.wait_for_selector('#segments li[aria-current="true"]')  # type: ignore[attr-defined]
    assert page.url.endswith(f"/videos/haenyeo_talk?t={int(body['passages'][0]['start'])}")  # type: ignore[attr-defined]
    page.goto(f"{base}/videos/{VIDEO_ID}?t=760")  # type: ignore[attr-defined]
    page.wait_for_selector('#segments li[aria-current="true"]')  # type: ignore[attr-defined]
    assert "25,000달러" in marked(page)
    page.goto(f"{base}/videos/nope")  # type: ignore[attr-defined]
    page.wait_for_selector("#status.error")  # type: ignore[attr-defined]
    assert page.inner_text("#status") == "no video with id 'nope' in the index"  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium; it is missing"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def test_video_page_policy_allows_only_the_youtube_player_and_its_api(base: str) -> None:
    r = httpx.get(f"{base}/videos/{BATTERY}")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    policy = r.headers["content-security-policy"]
    assert "script-src 'self' https://www.youtube.com;" in policy
    assert "frame-src https://www.youtube-nocookie.com https://www.youtube.com;" in policy
    assert "connect-src 'self';" in policy and "unsafe" not in policy
    # The ask page keeps its own, stricter policy.
    assert "script-src 'self';" in httpx.get(base).headers["content-security-policy"]
