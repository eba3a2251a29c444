"""The ask page in a real browser (Debian's Chromium driven by Playwright) against a real server."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import ROOT, SEED, VIDEO_ID
from tests.llm_stub import Reply, StubLlm, answer_chunks, serve, wait_for
from tests.server import RAG, rag_env, running_server

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
QUESTION = "H100 GPU 하나의 가격은 얼마인가요?"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, model_cache: Path, seed_env: dict[str, str]) -> Path:
    root = tmp_path_factory.mktemp("page")
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds")
    shutil.copy(ROOT / "tests" / "data" / "001_space.txt", root / "seeds")
    # The session's index of the seed, so that `rag index` embeds only the second video.
    shutil.copytree(seed_env["RAG_INDEX_DIR"], root / "index", symlinks=True)
    built = subprocess.run(
        [RAG, "index"],
        env=rag_env(root, model_cache),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "1 added, 0 changed, 0 removed, 1 reused" in built.stdout, built.stdout + built.stderr
    return root


@pytest.fixture(scope="module")
def base(root: Path, model_cache: Path) -> Iterator[str]:
    with running_server(rag_env(root, model_cache), root / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def stub_llm() -> Iterator[tuple[StubLlm, str]]:
    llm = StubLlm()
    with serve(llm) as url:
        yield llm, f"{url}/v1"


@pytest.fixture(scope="module")
def written_base(root: Path, model_cache: Path, stub_llm: tuple[StubLlm, str]) -> Iterator[str]:
    """A second server over the same index, writing answers with the scripted LLM."""
    env = rag_env(root, model_cache, RAG_LLM_URL=stub_llm[1])
    with running_server(env, root / "server-llm.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium; it is missing"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


def open_page(browser: object, width: int = 1280, height: int = 900) -> object:
    page = browser.new_page(viewport={"width": width, "height": height}, locale="ko-KR")  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    return page


def type_question(page: object, question: str = QUESTION) -> None:
    """Ask as a person does: type the question, press Enter."""
    page.fill("#q", question)  # type: ignore[attr-defined]
    page.press("#q", "Enter")  # type: ignore[attr-defined]


def test_ask_by_typing_shows_answer_and_timestamp_links(base: str, browser: object) -> None:
    page = open_page(browser)
    page.goto(base)  # type: ignore[attr-defined]
    assert page.get_attribute("html", "lang") == "ko"  # type: ignore[attr-defined]
    assert page.is_visible("#video")  # two videos: the filter is offered  # type: ignore[attr-defined]
    type_question(page)
    page.wait_for_selector("#answer:not([hidden]) mark")  # type: ignore[attr-defined]
    assert "25,000달러" in page.inner_text("#answer mark")  # type: ignore[attr-defined]
    assert page.is_hidden("#written")  # type: ignore[attr-defined]  # no LLM: the page is as it was
    # The highlight is exactly the answer span the API returns, inside its result's text.
    import httpx

    body = httpx.post(f"{base}/v1/ask", json={"question": QUESTION, "k": 5}, timeout=30).json()
    assert page.text_content("#answer mark") == body["answer"]["text"]  # type: ignore[attr-defined]
    # One result per moment, and a video's title with the first result of each run of its results.
    items = page.locator("#passages li")  # type: ignore[attr-defined]
    assert items.count() == len(body["passages"]) == 5
    titles = page.locator("#passages .title").all_inner_texts()  # type: ignore[attr-defined]
    ps = body["passages"]
    assert titles == [
        p["title"] for i, p in enumerate(ps) if i == 0 or ps[i - 1]["video_id"] != p["video_id"]
    ]
    first = page.locator("#passages li").first  # type: ignore[attr-defined]
    link = first.locator("a.time")
    assert link.inner_text() == "[12:34]"
    assert link.get_attribute("href") == f"https://www.youtube.com/watch?v={VIDEO_ID}&t=754"
    assert "q=" in page.url and "H100" in page.url  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-desktop.png"), full_page=True)  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]
    # A plain click seeks the embedded player instead of leaving the page.
    link.click()
    player = page.locator("#player")  # type: ignore[attr-defined]
    assert f"/embed/{VIDEO_ID}?start=754" in str(player.get_attribute("src"))
    assert page.url.startswith(base)  # type: ignore[attr-defined]


def test_shared_link_asks_on_open(base: str, browser: object) -> None:
    page = open_page(browser)
    page.goto(
        f"{base}/?q=%EB%B3%B4%EC%8A%A4%ED%84%B4%20%EB%8B%A4%EC%9D%B4%EB%82%B4%EB%AF%B9%EC%8A%A4%20%EC%A7%80%EB%B6%84"
    )  # type: ignore[attr-defined]
    page.wait_for_selector("#passages li")  # type: ignore[attr-defined]
    assert page.input_value("#q") == "보스턴 다이내믹스 지분"  # type: ignore[attr-defined]
    assert "현대가 한 80%" in page.inner_text("#passages li:first-child")  # type: ignore[attr-defined]


def test_back_to_the_address_without_a_question_shows_the_empty_page(base: str, browser: object) -> None:
    # Back to `/` left the last question in the box and its results on the page, under an address
    # that asks nothing: the page must be what loading that address shows.
    page = open_page(browser)
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())  # type: ignore[attr-defined]
    page.goto(base)  # type: ignore[attr-defined]
    type_question(page)
    page.wait_for_selector("#answer:not([hidden]) mark")  # type: ignore[attr-defined]
    first_url = page.url  # type: ignore[attr-defined]
    first = page.locator("#passages li p").all_inner_texts()  # type: ignore[attr-defined]
    # A timestamp opens the player: a fresh `/` has none either.
    page.click("#passages li:first-child a.time")  # type: ignore[attr-defined]
    assert page.is_visible("#player-box")  # type: ignore[attr-defined]
    page.fill("#q", "보스턴 다이내믹스 지분")  # type: ignore[attr-defined]
    page.press("#q", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("#passages li:first-child:has-text('현대가 한 80%')")  # type: ignore[attr-defined]
    # Back to the first question: its own results again (asked anew), not the second's.
    page.go_back()  # type: ignore[attr-defined]
    assert page.url == first_url  # type: ignore[attr-defined]
    page.locator("#passages li:first-child p", has_text=first[0]).wait_for(timeout=10_000)  # type: ignore[attr-defined]
    assert page.input_value("#q") == QUESTION  # type: ignore[attr-defined]
    assert page.locator("#passages li p").all_inner_texts() == first  # type: ignore[attr-defined]
    assert "25,000달러" in page.inner_text("#answer mark")  # type: ignore[attr-defined]
    # Back to the page before any question: empty, as a fresh load of `/` is.
    page.go_back()  # type: ignore[attr-defined]
    assert page.url == f"{base}/"  # type: ignore[attr-defined]
    page.wait_for_selector("#passages-box", state="hidden", timeout=5_000)  # type: ignore[attr-defined]
    assert page.input_value("#q") == ""  # type: ignore[attr-defined]
    assert page.locator("#passages li").count() == 0  # type: ignore[attr-defined]
    assert page.is_hidden("#answer") and page.text_content("#answer-passage") == ""  # type: ignore[attr-defined]
    assert page.is_hidden("#written") and page.text_content("#written-text") == ""  # type: ignore[attr-defined]
    assert page.is_hidden("#player-box") and page.get_attribute("#player", "src") is None  # type: ignore[attr-defined]
    assert page.inner_text("#status") == ""  # type: ignore[attr-defined]
    assert page.errors == [] or all("ERR_" in e for e in page.errors)  # type: ignore[attr-defined]


def test_back_to_the_address_without_a_question_drops_the_question_still_asked(
    base: str, browser: object
) -> None:
    # Back while the page still waits for an answer: that question is no longer the address's, so
    # neither its answer nor the error of its dropped request may land on the empty page.
    page = open_page(browser)
    page.goto(base)  # type: ignore[attr-defined]
    type_question(page)
    page.wait_for_selector("#answer:not([hidden]) mark")  # type: ignore[attr-defined]
    page.go_back()  # type: ignore[attr-defined]
    page.wait_for_selector("#passages-box", state="hidden", timeout=5_000)  # type: ignore[attr-defined]
    held: list[object] = []
    page.route("**/v1/ask", lambda route: held.append(route))  # type: ignore[attr-defined]  # never answered
    with page.expect_request("**/v1/ask"):  # type: ignore[attr-defined]
        page.go_forward()  # type: ignore[attr-defined]
    assert page.get_attribute("#ask", "aria-busy") == "true"  # type: ignore[attr-defined]
    page.go_back()  # type: ignore[attr-defined]
    assert page.url == f"{base}/"  # type: ignore[attr-defined]
    page.wait_for_timeout(1_000)  # type: ignore[attr-defined]  # for the dropped request to fail
    assert held and page.inner_text("#status") == "" and page.input_value("#q") == ""  # type: ignore[attr-defined]
    assert page.get_attribute("#ask", "aria-busy") is None and page.is_enabled("#submit")  # type: ignore[attr-defined]
    assert page.is_hidden("#passages-box") and page.is_hidden("#answer")  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_shared_link_to_a_video_the_index_lacks_says_so(base: str, browser: object) -> None:
    # It searched every video without a word, the address still naming the missing one.
    page = open_page(browser)
    page.goto(f"{base}/?q=GPU&video_id=nope")  # type: ignore[attr-defined]
    page.wait_for_selector("#status.error")  # type: ignore[attr-defined]
    assert page.inner_text("#status") == "no video with id 'nope' in the index"  # type: ignore[attr-defined]
    assert page.locator("#passages li").count() == 0  # type: ignore[attr-defined]


def test_a_withheld_answer_says_what_the_passages_never_mention(base: str, browser: object) -> None:
    page = open_page(browser)
    page.goto(f"{base}/?q=" + quote("엔비디아 H200은 한 개에 얼마야?"))  # type: ignore[attr-defined]
    page.wait_for_selector("#passages li")  # type: ignore[attr-defined]
    assert page.is_hidden("#answer")  # type: ignore[attr-defined]
    assert page.inner_text("#status").startswith("찾은 구간에 h200에 대한 언급이 없어 답을 보류했습니다.")  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_phone_width_has_no_sideways_scroll(base: str, browser: object) -> None:
    page = open_page(browser, 375, 812)
    page.goto(f"{base}/?q=" + "일본%20정부가%20GPU%20구매%20비용으로%20현금%20지원한%20금액은%3F")  # type: ignore[attr-defined]
    page.wait_for_selector("#answer:not([hidden])")  # type: ignore[attr-defined]
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-phone.png"), full_page=True)  # type: ignore[attr-defined]


def test_page_sends_a_content_security_policy(base: str) -> None:
    import httpx

    r = httpx.get(base)
    assert r.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self'")
    assert httpx.get(f"{base}/static/app.js").status_code == 200


def test_the_written_answer_streams_in_above_the_extracted_one(
    written_base: str, stub_llm: tuple[StubLlm, str], browser: object
) -> None:
    pieces = ("H100 하나는 약 25,000달러입니다", " [1]. 일본 이야기는 [2]", "에 나옵니다 [7].")
    stub_llm[0].then(Reply(events=answer_chunks(*pieces), gap=0.5))
    page = open_page(browser)
    page.goto(written_base)  # type: ignore[attr-defined]
    type_question(page)
    # While the LLM is still writing, what it wrote so far is on the page, its markers already links.
    page.wait_for_selector("#written[aria-busy=true] a.cite")  # type: ignore[attr-defined]
    so_far = page.inner_text("#written-text")  # type: ignore[attr-defined]
    assert so_far.startswith("H100 하나는 약 25,000달러입니다 [1]")
    page.wait_for_selector("#written:not([aria-busy]) #written-note:not(:empty)")  # type: ignore[attr-defined]
    # Done: the marker naming no passage is gone; each [n] links passage n.
    written_text = page.inner_text("#written-text")  # type: ignore[attr-defined]
    assert written_text == "H100 하나는 약 25,000달러입니다 [1]. 일본 이야기는 [2]에 나옵니다."
    assert page.inner_text("#written-note") == "위 구간만 보고 쓴 답입니다 · 모델 stub-model."  # type: ignore[attr-defined]
    written = page.locator("#written").bounding_box()  # type: ignore[attr-defined]
    assert written["y"] < page.locator("#answer").bounding_box()["y"]  # type: ignore[attr-defined]
    cites = page.locator("#written-text a.cite")  # type: ignore[attr-defined]
    passages = page.locator("#passages li a.time")  # type: ignore[attr-defined]
    assert cites.count() == 2
    assert cites.nth(1).get_attribute("href") == passages.nth(1).get_attribute("href")
    assert cites.first.get_attribute("href") == f"https://www.youtube.com/watch?v={VIDEO_ID}&t=754"
    cites.first.click()
    assert f"/embed/{VIDEO_ID}?start=754" in str(page.locator("#player").get_attribute("src"))  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-written.png"), full_page=True)  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_back_to_the_address_without_a_question_stops_the_written_answer(
    written_base: str, stub_llm: tuple[StubLlm, str], browser: object
) -> None:
    # Cleared but still streaming, the answer to a question the address no longer asks would write
    # itself back onto the empty page, and the LLM would keep writing it for nobody.
    llm = stub_llm[0]
    left = llm.abandoned
    llm.then(Reply(events=answer_chunks("H100 하나는 [1]", " 약 25,000달러입니다.")[:2], hold=True))
    page = open_page(browser)
    page.goto(written_base)  # type: ignore[attr-defined]
    type_question(page)
    page.wait_for_selector("#written[aria-busy=true] a.cite")  # type: ignore[attr-defined]
    page.go_back()  # type: ignore[attr-defined]
    assert page.url == f"{written_base}/"  # type: ignore[attr-defined]
    page.wait_for_selector("#written", state="hidden", timeout=5_000)  # type: ignore[attr-defined]
    assert page.text_content("#written-text") == ""  # type: ignore[attr-defined]
    assert page.get_attribute("#written", "aria-busy") is None  # type: ignore[attr-defined]
    # The page let go of the stream: the server closed its request to the LLM.
    wait_for(lambda: llm.abandoned == left + 1, seconds=10)
    assert page.errors == []  # type: ignore[attr-defined]


# The tester's repro: emoji (outside the BMP, two UTF-16 code units each, one code point) before
# the answer span, and a video whose URL is Vimeo, not YouTube.
PENGUIN_SRT = """1
00:00:01,000 --> 00:00:04,000
🎉🎉🎉 Welcome everyone 😀😀 to the 🐧 penguin show 🐧🐧!

2
00:00:05,000 --> 00:00:09,000
The emperor penguin weighs about 40 kilograms.
"""
PENGUIN_QUESTION = "How much does the emperor penguin weigh?"
VIMEO_SRT = """1
00:00:01,000 --> 00:00:05,000
Today we talk about cables.

2
00:01:00,000 --> 00:01:06,000
The cable car climbs the hill at twelve kilometres per hour.
"""
VIMEO_INFO = '{"id": "76979871", "title": "Vimeo cable talk", "webpage_url": "https://vimeo.com/76979871"}'
VIMEO_QUESTION = "How fast does the cable car climb the hill?"


@pytest.fixture(scope="module")
def other_base(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[str]:
    """A server over an index of the two repro videos (not the seed's: the tests above count its results)."""
    root = tmp_path_factory.mktemp("page-other")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "penguins.srt").write_text(PENGUIN_SRT, encoding="utf-8")
    (seeds / "cables.srt").write_text(VIMEO_SRT, encoding="utf-8")
    (seeds / "cables.info.json").write_text(VIMEO_INFO, encoding="utf-8")
    env = rag_env(root, model_cache)
    subprocess.run([RAG, "index"], env=env, check=True, capture_output=True, timeout=600)
    with running_server(env, root / "server.log") as url:
        yield url


def test_the_highlight_is_the_answer_span_after_emoji(other_base: str, browser: object) -> None:
    import httpx

    body = httpx.post(f"{other_base}/v1/ask", json={"question": PENGUIN_QUESTION, "k": 5}, timeout=30).json()
    answer = body["answer"]
    # The API counts code points: the three 🎉, two 😀 and three 🐧 before the span count once each.
    text = body["passages"][answer["passage_rank"] - 1]["text"]
    assert text.startswith("🎉🎉🎉") and text[answer["char_start"] : answer["char_end"]] == answer["text"]
    assert answer["text"] == "The emperor penguin weighs about 40 kilograms."
    page = open_page(browser)
    page.goto(f"{other_base}/?q=" + quote(PENGUIN_QUESTION))  # type: ignore[attr-defined]
    page.wait_for_selector("#answer:not([hidden]) mark")  # type: ignore[attr-defined]
    assert page.text_content("#answer mark") == answer["text"]  # type: ignore[attr-defined]
    assert page.text_content("#answer-passage") == text  # type: ignore[attr-defined]  # nothing lost or doubled
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_timestamp_of_a_video_not_on_youtube_is_a_plain_link_to_it(
    other_base: str, browser: object
) -> None:
    page = open_page(browser)
    # No network in tests: the video's own site answers from here.
    context = page.context  # type: ignore[attr-defined]
    context.route("https://vimeo.com/**", lambda route: route.fulfill(body="vimeo", content_type="text/html"))
    page.goto(f"{other_base}/?q=" + quote(VIMEO_QUESTION))  # type: ignore[attr-defined]
    page.wait_for_selector("#answer:not([hidden]) mark")  # type: ignore[attr-defined]
    link = page.locator("#answer-cite a.time")  # type: ignore[attr-defined]
    assert link.inner_text() == "[1:00]"
    assert link.get_attribute("href") == "https://vimeo.com/76979871?t=60"
    first = page.locator("#passages li").first.locator("a.time")  # type: ignore[attr-defined]
    assert first.get_attribute("href") == "https://vimeo.com/76979871?t=1"
    # A plain click opens the video's own page at that second, as a link does; no YouTube player.
    with page.expect_popup() as opened:  # type: ignore[attr-defined]
        link.click()
        assert page.get_attribute("#player", "src") is None  # type: ignore[attr-defined]
        assert page.is_hidden("#player-box")  # type: ignore[attr-defined]
    assert opened.value.url == "https://vimeo.com/76979871?t=60"
    assert page.url.startswith(other_base)  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_video_page_embeds_only_youtube(base: str, other_base: str, browser: object) -> None:
    """video.js reads the same YouTube check (youtube.js) as the ask page."""
    page = open_page(browser)
    page.route("https://www.youtube.com/**", lambda route: route.abort())  # type: ignore[attr-defined]
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())  # type: ignore[attr-defined]
    page.goto(f"{base}/videos/{VIDEO_ID}?t=754")  # type: ignore[attr-defined]
    page.wait_for_selector("#player-box:not([hidden])")  # type: ignore[attr-defined]
    assert f"/embed/{VIDEO_ID}?start=754&" in str(page.get_attribute("#player", "src"))  # type: ignore[attr-defined]
    page = open_page(browser)
    page.goto(f"{other_base}/videos/76979871?t=60")  # type: ignore[attr-defined]
    page.wait_for_selector('#segments li[aria-current="true"]')  # type: ignore[attr-defined]
    assert page.is_hidden("#player-box") and page.get_attribute("#player", "src") is None  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


NO_VIDEO = "이 주소는 어떤 영상도 가리키지 않습니다 (영상 ID의 %-인코딩이 잘못되었습니다)."


def test_a_video_address_with_a_malformed_escape_says_it_names_no_video(base: str, browser: object) -> None:
    # decodeURIComponent threw on `%ZZ` before anything ran: "loading…" forever, an uncaught error.
    page = open_page(browser)
    page.goto(f"{base}/videos/%ZZ")  # type: ignore[attr-defined]
    page.wait_for_selector("#status.error", timeout=10_000)  # type: ignore[attr-defined]
    assert page.inner_text("#status") == NO_VIDEO  # type: ignore[attr-defined]
    assert page.is_hidden("#find") and page.is_hidden("#transcript-box")  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_api_docs_page_works_offline(base: str, browser: object) -> None:
    """/docs is Swagger UI from this server: FastAPI's default loads a CDN, blank without a network."""
    page = open_page(browser)
    outside: list[str] = []
    page.on("request", lambda r: not r.url.startswith(base) and outside.append(r.url))  # type: ignore[attr-defined]
    page.goto(f"{base}/docs")  # type: ignore[attr-defined]
    page.wait_for_selector("#operations-search-ask_v1_ask_post, .opblock")  # type: ignore[attr-defined]
    assert page.locator(".opblock").count() >= 5  # type: ignore[attr-defined]
    assert outside == [] and page.errors == []  # type: ignore[attr-defined]
