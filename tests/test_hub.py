"""A model named by a Hugging Face id that cannot be had is refused at once, saying why."""

from __future__ import annotations

import time

import pytest

from rag.errors import ModelError
from rag.hub import load_sentence_transformer


def test_an_unknown_id_is_refused_without_retrying(monkeypatch: pytest.MonkeyPatch) -> None:
    # Offline (here and in CI) the Hub cannot be reached; online, it says there is no such model.
    # Either way one request decides it: huggingface_hub's retries took about 80 s.
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    started = time.monotonic()
    with pytest.raises(ModelError) as info:
        load_sentence_transformer("rag-tests/no-such-model")
    took = time.monotonic() - started
    message = str(info.value)
    assert message.startswith("cannot load model 'rag-tests/no-such-model': ")
    assert (
        "it is not in the local cache and the Hugging Face Hub cannot be reached (" in message
        or "no such model on the Hugging Face Hub" in message
    ), message
    assert took < 30


@pytest.mark.parametrize("name", ["/no/such/folder", "./model", "bad name!"])
def test_a_missing_folder_is_not_sent_to_the_hub(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(ModelError) as info:
        load_sentence_transformer(name)
    assert str(info.value) == (
        f"cannot load model {name!r}: there is no such folder, and it is no Hugging Face Hub id (owner/name)"
    )


def test_offline_mode_asks_nothing_of_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.HfApi.model_info", _no_call)
    with pytest.raises(ModelError) as info:
        load_sentence_transformer("rag-tests/no-such-model")
    assert str(info.value).startswith("cannot load model 'rag-tests/no-such-model': ")


def _no_call(*args: object, **kwargs: object) -> None:
    raise AssertionError("the Hub was asked in offline mode")
