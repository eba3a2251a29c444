from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from rag.params import RetrievalParams
from rag.settings import Settings
from tests.llama import Llama
from tests.llm_stub import StubLlm, serve

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6959ead08c95735d.txt"
VIDEO_ID = "PR3c4Q63rOs"


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings built from a dict, isolated from the environment's RAG_* variables."""

    def make(**values: Any) -> Settings:
        base: dict[str, Any] = {
            "seeds_dir": tmp_path / "seeds",
            "index_dir": tmp_path / "index",
            "model_cache": tmp_path / "models",
        }
        base.update(values)
        return Settings(**base)

    return make


def seed_index(make_settings: Callable[..., Settings], tmp_path: Path, model_id: str = "fake") -> Settings:
    """An index of the real seed built with the fake embedder under ``model_id``; its settings."""
    import shutil

    from index.build import build
    from rag.embedder import FakeEmbedder

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    settings = make_settings(model="fake")
    build(settings, FakeEmbedder(model_id=model_id))
    return settings


def seed_stores(
    make_settings: Callable[..., Settings], tmp_path: Path, model_id: str = "fake"
) -> tuple[Settings, Settings]:
    """The real seed indexed twice with the fake embedder under ``model_id``: FAISS, and Milvus
    Lite in a .db file."""
    import shutil

    from index.build import build
    from rag.embedder import FakeEmbedder

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    faiss = make_settings(model="fake")
    milvus = make_settings(model="fake", store="milvus", milvus_uri=str(tmp_path / "milvus.db"))
    build(faiss, FakeEmbedder(model_id=model_id))
    build(milvus, FakeEmbedder(model_id=model_id))
    return faiss, milvus


@pytest.fixture
def fake_built(make_settings: Callable[..., Settings], tmp_path: Path) -> Settings:
    """An index of the real seed built with the fake embedder; returns its settings."""
    return seed_index(make_settings, tmp_path)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One materialized model for every end-to-end test of the session."""
    import os

    given = os.environ.get("RAG_TEST_MODEL_CACHE")
    return Path(given) if given else tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def seed_env(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> dict[str, str]:
    """RAG_* variables of a folder holding the real seed, indexed once by `rag index` (real model)."""
    import shutil
    import subprocess

    from tests.server import RAG, rag_env

    root = tmp_path_factory.mktemp("seeded")
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds" / SEED.name)
    env = rag_env(root, model_cache)
    built = subprocess.run([RAG, "index"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr
    return env


def beside_seed(
    tmp_path_factory: pytest.TempPathFactory, seed_env: dict[str, str], model_cache: Path, talk: Path
) -> Settings:
    """A library of the seed and ``talk``, built with the real model: the build reuses the seed's
    index (copied from ``seed_env``) and embeds only the talk."""
    import shutil

    from index.build import build
    from rag.embedder import load_embedder

    root = tmp_path_factory.mktemp(talk.stem)
    shutil.copytree(seed_env["RAG_SEEDS_DIR"], root / "seeds")
    shutil.copytree(seed_env["RAG_INDEX_DIR"], root / "index")
    shutil.copy(talk, root / "seeds" / talk.name)
    settings = Settings(seeds_dir=root / "seeds", index_dir=root / "index", model_cache=model_cache)
    build(settings, load_embedder(settings, purpose="build"))
    return settings


@pytest.fixture(scope="session")
def seed_server(seed_env: dict[str, str]) -> Iterator[str]:
    """A real `rag serve` on 127.0.0.1 over ``seed_env``'s index; yields its base URL."""
    from tests.server import running_server

    with running_server(seed_env, Path(seed_env["RAG_INDEX_DIR"]).parent / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Llama]:
    """A real llama.cpp server (SmolLM2-135M) on 127.0.0.1, started once for the session."""
    from tests.llama import llama_server

    with llama_server(tmp_path_factory.mktemp("llama") / "llama.log") as server:
        yield server


@pytest.fixture
def scripted_llm() -> Iterator[tuple[StubLlm, str]]:
    """A scripted OpenAI-compatible server on 127.0.0.1 and its base URL (for RAG_LLM_URL)."""
    llm = StubLlm()
    with serve(llm) as base:
        yield llm, f"{base}/v1"


AppOf = Callable[..., FastAPI]


@pytest.fixture
def app_of(fake_built: Settings) -> AppOf:
    """Apps over the fake-embedder index, with RAG_LLM_* settings (and retrieval params) as given."""

    def make(params: RetrievalParams | None = None, **llm: Any) -> FastAPI:
        from api.app import create_app
        from rag.embedder import FakeEmbedder

        settings = Settings(**{**fake_built.model_dump(), **llm})
        # The fake embedder's cosines mean nothing: no confidence threshold unless a test sets one.
        params = params or RetrievalParams(min_confidence=0.0)
        return create_app(settings, lambda s: FakeEmbedder(), params=params, load_in_background=False)

    return make
