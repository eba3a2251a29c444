import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from index.build import build
from rag.embedder import FakeEmbedder
from rag.errors import RagError
from rag.settings import Settings
from tests.conftest import SEED, VIDEO_ID

RAG = str(Path(sys.executable).with_name("rag"))


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, api.cli, api.app, rag.embedder, rag.store, index.build\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'faiss') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    helped = subprocess.run([RAG, "--help"], capture_output=True, text=True, check=True)
    assert "index" in helped.stdout and "serve" in helped.stdout


def _use(built: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the RAG_* variables `main` reads at ``built``'s folders and the fake model."""
    for key, value in {"SEEDS_DIR": built.seeds_dir, "INDEX_DIR": built.index_dir}.items():
        monkeypatch.setenv(f"RAG_{key}", str(value))
    monkeypatch.setenv("RAG_MODEL", "fake")


def test_index_is_a_no_op_when_up_to_date(
    fake_built: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(fake_built, monkeypatch)
    assert main(["index"]) == 0
    assert capsys.readouterr().out == (
        f"index in {fake_built.index_dir} is up to date with {fake_built.seeds_dir}\n"
    )


def test_an_up_to_date_index_still_names_the_files_it_left_out(
    fake_built: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake_built.seeds_dir / "bad.txt").write_text("제목\n", encoding="utf-8")
    (fake_built.seeds_dir / "copy.txt").write_bytes(SEED.read_bytes())
    _use(fake_built, monkeypatch)
    monkeypatch.setattr("index.build.build_embedder", lambda settings, log: FakeEmbedder())
    assert main(["index"]) == 0
    capsys.readouterr()
    assert main(["index", "--strict"]) == 1
    out, err = capsys.readouterr()
    assert out == f"index in {fake_built.index_dir} is up to date with {fake_built.seeds_dir}\n"
    assert err == (
        f"bad seed: {fake_built.seeds_dir / 'bad.txt'}: no timestamp table (expected a '시간 | 요약 |' header line); a transcript without one needs its times, as SRT, WebVTT or speech-to-text JSON\n"
        f"copy.txt: not indexed: video {VIDEO_ID} is indexed from {SEED.name}\n"
    )


def test_index_prints_a_seeds_warnings(
    seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "talk.txt").write_text(seed_text.replace("\n2.3. ", "\n"), encoding="utf-8")
    for key, value in {"SEEDS_DIR": seeds, "INDEX_DIR": tmp_path / "index", "MODEL": "fake"}.items():
        monkeypatch.setenv(f"RAG_{key}", str(value))
    monkeypatch.setattr("index.build.build_embedder", lambda settings, log: FakeEmbedder())
    # A warning is not a failure: --strict still succeeds.
    assert main(["index", "--strict"]) == 0
    warning = f"warning: {seeds / 'talk.txt'}:7: timestamp table row 3 (12:34) has no '2.3.' marker"
    assert warning in capsys.readouterr().err
    # An up-to-date index still says it: the file has not been mended.
    assert main(["index", "--strict"]) == 0
    out, err = capsys.readouterr()
    assert out.endswith(f"is up to date with {seeds}\n") and err.startswith(warning)


def test_domain_errors_become_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_PORT", "99999")
    assert main(["index"]) == 1
    assert capsys.readouterr().err == (
        "error: bad settings: RAG_PORT: Input should be less than or equal to 65535\n"
    )


def test_a_misspelt_setting_is_warned_of(
    fake_built: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(fake_built, monkeypatch)
    monkeypatch.setenv("RAG_LLM_TIMOUT", "5")
    assert main(["index"]) == 0
    assert capsys.readouterr().err == (
        "warning: RAG_LLM_TIMOUT is not a setting; did you mean RAG_LLM_TIMEOUT?\n"
    )


def test_missing_seeds_folder(tmp_path: Path) -> None:
    settings = Settings(seeds_dir=tmp_path / "none", index_dir=tmp_path / "i", model="fake")
    with pytest.raises(RagError, match=r"seeds folder .*none does not exist"):
        build(settings, FakeEmbedder())


def _no_model(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the model was loaded")


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (None, "seeds folder {} does not exist"),
        ("file", "seeds folder {} is not a folder"),
        (
            "empty",
            "no seed files in {} (expected *.txt, *.vtt, *.srt, *.smi, *.sbv or speech-to-text *.json transcripts)",
        ),
    ],
)
def test_a_seeds_folder_that_is_not_one_is_said_before_the_model_loads(
    make: str | None,
    what: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seeds = tmp_path / "seeds"
    if make == "file":
        seeds.write_text("a file", encoding="utf-8")
    elif make == "empty":
        seeds.mkdir()
    monkeypatch.setenv("RAG_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setattr("index.build.build_embedder", _no_model)
    assert main(["index"]) == 1
    assert capsys.readouterr().err == f"error: {what.format(seeds)}\n"
    assert not (tmp_path / "index").exists()  # nor a build lock left behind


@pytest.mark.parametrize("server", [None, "http://127.0.0.1:9"])
@pytest.mark.parametrize(
    ("argv", "message"),
    [(["-k", "0", "질문"], "k must be between 1 and 50, got 0"), (["  "], "the question is empty")],
)
def test_a_bad_question_or_k_is_said_before_anything_loads_the_same_at_every_door(
    server: str | None,
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("rag.embedder.load_embedder", _no_model)
    monkeypatch.setattr("api.client.remote", _no_model)
    assert main(["ask", *argv, *(["--server", server] if server else [])]) == 1
    assert capsys.readouterr().err == f"error: {message}\n"


def test_bad_cors_origins_are_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_CORS_ORIGINS", "[1]")
    assert main(["index"]) == 1
    assert capsys.readouterr().err == (
        "error: bad settings: RAG_CORS_ORIGINS: Value error, expected a JSON list of strings such as "
        "[\"https://example.org\"], or origins separated by commas, got '[1]'\n"
    )


def test_an_index_folder_that_is_a_file_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("hi\n", encoding="utf-8")
    monkeypatch.setenv("RAG_INDEX_DIR", str(afile))
    monkeypatch.setenv("RAG_SEEDS_DIR", str(tmp_path))
    # `rag index` says so before it loads the model.
    monkeypatch.setattr("index.build.build_embedder", _no_model)
    assert main(["index"]) == 1
    assert capsys.readouterr().err == f"error: index folder {afile} is not a folder\n"
    monkeypatch.setattr("rag.embedder.load_embedder", lambda settings, log: FakeEmbedder())
    assert main(["ask", "hi"]) == 1
    assert capsys.readouterr().err == f"error: index folder {afile} is not a folder\n"


def test_a_milvus_lite_path_is_blamed_for_what_is_wrong_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from milvus_lite import MilvusLite

    monkeypatch.setenv("RAG_STORE", "milvus")
    monkeypatch.setattr("index.build.build_embedder", _no_model)
    nowhere, afile, held = tmp_path / "none" / "x.db", tmp_path / "afile.db", tmp_path / "held.db"
    afile.write_text("hi\n", encoding="utf-8")
    for uri, message in [
        (
            nowhere,
            f"cannot create the Milvus Lite file {nowhere}: the folder {nowhere.parent} does not exist",
        ),
        (
            afile / "x.db",
            f"cannot create the Milvus Lite file {afile / 'x.db'}: the folder {afile} is not a folder",
        ),
        (afile, f"the Milvus Lite file {afile} is a file, not the folder Milvus Lite keeps its database in"),
    ]:
        monkeypatch.setenv("RAG_MILVUS_URI", str(uri))
        assert main(["index"]) == 1
        assert capsys.readouterr().err == f"error: {message}\n"
    # Held by another opener (a lock of its own, as another process's would be): that is said.
    db = MilvusLite(str(held))
    try:
        monkeypatch.setenv("RAG_MILVUS_URI", str(held))
        assert main(["index"]) == 1
    finally:
        db.close()
    assert capsys.readouterr().err.startswith(
        f"error: the Milvus Lite file {held} is open in another process"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "0"],
        ["serve", "--port", "99999"],
        ["serve", "--port", "http"],
        ["mcp", "--http", "0"],
    ],
)
def test_a_port_outside_1_to_65535_is_refused(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: None)
    monkeypatch.setattr("api.app.create_app", lambda settings, watch: None)
    monkeypatch.setattr("api.mcpserver.serve_mcp", lambda *args: None)
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"rag {argv[0]}: error: argument {argv[1]}: expected a port from 1 to 65535, got {argv[2]!r}"
    )


def test_serve_binds_the_port_given_else_rag_port(monkeypatch: pytest.MonkeyPatch) -> None:
    ports: list[int] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: ports.append(kwargs["port"]))
    monkeypatch.setattr("api.app.create_app", lambda settings, watch: None)
    monkeypatch.setenv("RAG_PORT", "8123")
    assert main(["serve", "--port", "8001"]) == 0 and main(["serve"]) == 0
    assert ports == [8001, 8123]


def test_eval_of_no_questions_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("rag.embedder.load_embedder", _no_model)
    questions, empty = tmp_path / "blind20.jsonl", tmp_path / "empty.jsonl"
    record = {
        "id": "q1",
        "lang": "ko",
        "kind": "fact",
        "split": "blind20",
        "question": "몇 년?",
        "evidence": "1",
    }
    questions.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    empty.write_text("\n", encoding="utf-8")
    assert main(["eval", "--questions", str(questions), "--split", "blind3"]) == 1
    assert capsys.readouterr().err == f"error: no questions in split blind3 in {questions}\n"
    assert main(["eval", "--questions", str(empty), "--split", "all"]) == 1
    assert capsys.readouterr().err == f"error: no questions in {empty}\n"


def test_a_reader_gone_ends_the_output_quietly() -> None:
    # `rag ask … | head -1`: the answer is longer than the pipe holds, and head leaves after a line.
    code = (
        "import sys, api.askcmd, api.cli, api.render\n"
        "api.askcmd._ask_here = lambda settings, args: {}\n"
        "api.render.ask = lambda body, base: 'a passage\\n' * 200_000\n"
        "sys.exit(api.cli.main(['ask', 'question']))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline() == b"a passage\n"
        proc.stdout.close()
        err = proc.stderr.read()
        assert (proc.wait(timeout=60), err) == (1, b"")
