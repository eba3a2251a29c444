"""The ask page in a real browser (Debian's Chromium driven by Playwright) against a real server."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED, VIDEO_ID
from tests.server import RAG, rag_env, running_server

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
QUESTION = "H100 GPU 하나의 가격은 얼마인가요?"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("page")
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds")
    shutil.copy(ROOT / "tests" / "data" / "001_space.txt", root / "seeds")
    env = rag_env(root, model_cache)
    subprocess.run([RAG, "index"], env=env, check=True, capture_output=True, timeout=600)
    with running_server(env, root / "server.log") as url:
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


def test_ask_by_typing_shows_answer_and_timestamp_links(base: str, browser: object) -> None:
    page = open_page(browser)
    page.goto(base)  # type: ignore[attr-defined]
    assert page.get_attribute("html", "lang") == "ko"  # type: ignore[attr-defined]
    assert page.is_visible("#video")  # two videos: the filter is offered  # type: ignore[attr-defined]
    page.fill("#q", QUESTION)  # type: ignore[attr-defined]
    page.press("#q", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("#answer:not([hidden]) mark")  # type: ignore[attr-defined]
    assert "25,000달러" in page.inner_text("#answer mark")  # type: ignore[attr-defined]
    # The highlight is exactly the answer span the API returns, inside its result's text.
    import httpx

    body = httpx.post(f"{base}/v1/ask", json={"question": QUESTION, "k": 5}, timeout=30).json()
    assert page.text_content("#answer mark") == body["answer"]["text"]  # type: ignore[attr-defined]
    # One result per moment, and each video's title once, with its first result.
    items = page.locator("#passages li")  # type: ignore[attr-defined]
    assert items.count() == len(body["passages"]) == 5
    titles = page.locator("#passages .title").all_inner_texts()  # type: ignore[attr-defined]
    assert sorted(titles) == sorted({p["title"] for p in body["passages"]})
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
