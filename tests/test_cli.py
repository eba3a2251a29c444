import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from index.build import build
from rag.embedder import FakeEmbedder
from rag.errors import RagError
from rag.settings import Settings

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


def test_index_is_a_no_op_when_up_to_date(
    fake_built: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in {"SEEDS_DIR": fake_built.seeds_dir, "INDEX_DIR": fake_built.index_dir}.items():
        monkeypatch.setenv(f"RAG_{key}", str(value))
    monkeypatch.setenv("RAG_MODEL", "fake")
    assert main(["index"]) == 0
    assert capsys.readouterr().out == (
        f"index in {fake_built.index_dir} is up to date with {fake_built.seeds_dir}\n"
    )


def test_index_prints_a_seeds_warnings(
    seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "talk.txt").write_text(seed_text.replace("\n2.3. ", "\n"), encoding="utf-8")
    for key, value in {"SEEDS_DIR": seeds, "INDEX_DIR": tmp_path / "index"}.items():
        monkeypatch.setenv(f"RAG_{key}", str(value))
    monkeypatch.setattr("index.build.build_embedder", lambda settings, log: FakeEmbedder())
    # A warning is not a failure: --strict still succeeds.
    assert main(["index", "--strict"]) == 0
    assert (
        f"warning: {seeds / 'talk.txt'}:7: timestamp table row 3 (12:34) has no '2.3.' marker"
        in capsys.readouterr().err
    )


def test_domain_errors_become_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_PORT", "99999")
    assert main(["index"]) == 1
    assert capsys.readouterr().err == (
        "error: bad settings: RAG_PORT: Input should be less than or equal to 65535\n"
    )


def test_missing_seeds_folder(tmp_path: Path) -> None:
    settings = Settings(seeds_dir=tmp_path / "none", index_dir=tmp_path / "i", model="fake")
    with pytest.raises(RagError, match=r"seeds folder .*none does not exist"):
        build(settings, FakeEmbedder())
