"""Settings read from RAG_* variables: what each form of a value gives, and bad ones as messages."""

import pytest

from rag.errors import RagError
from rag.settings import Settings, load_settings

CORS_EXPECTED = (
    'expected a JSON list of strings such as ["https://example.org"], or origins separated by commas'
)


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("https://example.org", ["https://example.org"]),
        ("https://a.example, https://b.example:8443,", ["https://a.example", "https://b.example:8443"]),
        ('["https://a.example", "http://127.0.0.1:3000"]', ["https://a.example", "http://127.0.0.1:3000"]),
        (" [] ", []),
        ("", []),
    ],
)
def test_cors_origins_are_a_json_list_or_separated_by_commas(
    value: str, origins: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_CORS_ORIGINS", value)
    assert load_settings().cors_origins == origins


@pytest.mark.parametrize("value", ['["https://example.org"', "[1]", '["a", null]', "[{}]"])
def test_bad_cors_origins_name_the_variable(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_CORS_ORIGINS", value)
    with pytest.raises(RagError) as info:
        load_settings()
    assert str(info.value) == f"bad settings: RAG_CORS_ORIGINS: Value error, {CORS_EXPECTED}, got {value!r}"


@pytest.mark.parametrize(
    "origin", ["https://a.example/", "https://a.example/app", "a.example", "ftp://a.example"]
)
def test_an_origin_with_a_path_or_no_scheme_is_refused(origin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A browser's Origin header never has a path: "https://a.example/" would match nothing.
    monkeypatch.setenv("RAG_CORS_ORIGINS", f"https://b.example, {origin}")
    with pytest.raises(RagError) as info:
        load_settings()
    assert str(info.value) == (
        f"bad settings: RAG_CORS_ORIGINS: Value error, {origin!r} is not an origin: "
        "expected scheme://host[:port], no path"
    )


def test_a_list_item_given_in_code_is_named_by_its_variable() -> None:
    with pytest.raises(RagError) as info:
        load_settings(cors_origins=["https://example.org", 1])
    assert str(info.value) == "bad settings: RAG_CORS_ORIGINS: Input should be a valid string"


def test_origins_given_in_code_are_kept_as_given() -> None:
    assert Settings(cors_origins=["https://a.example"]).cors_origins == ["https://a.example"]


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_admin_token_leaves_the_admin_routes_off(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise "Authorization: Bearer " (an empty token) would match it.
    monkeypatch.setenv("RAG_ADMIN_TOKEN", value)
    assert load_settings().admin_token is None


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("http://llm:abc/v1", " (Port could not be cast to integer value as 'abc')"),
        ("http://127.0.0.1:99999/v1", " (Port out of range 0-65535)"),
        ("http://[::1/v1", " (Invalid IPv6 URL)"),
        ("http://:8080/v1", ""),
    ],
)
def test_an_llm_url_the_client_could_not_call_is_refused_at_start(
    value: str, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_LLM_URL", value)
    with pytest.raises(RagError) as info:
        load_settings()
    assert str(info.value) == (
        "bad settings: RAG_LLM_URL: Value error, expected an http:// or https:// address such as "
        f"http://127.0.0.1:8080/v1, got {value!r}{why}"
    )


@pytest.mark.parametrize(
    ("base", "endpoint"),
    [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/chat/completions"),
        (
            "https://x.openai.azure.com/openai/deployments/d?api-version=2024-06-01",
            "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01",
        ),
    ],
)
def test_the_completions_endpoint_keeps_the_base_urls_query(base: str, endpoint: str) -> None:
    from api.llm import completions_url

    assert completions_url(base) == endpoint


def test_an_empty_host_is_the_default_not_every_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_HOST", "")
    assert load_settings().host == "127.0.0.1"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "RAG_LLM_URL",
            "localhost:8080",
            "expected an http:// or https:// address such as http://127.0.0.1:8080/v1, got 'localhost:8080'",
        ),
        (
            "RAG_MILVUS_URI",
            "http://127.0.0.1:99999",
            "expected an http:// or https:// address such as http://milvus:19530, "
            "got 'http://127.0.0.1:99999' (Port out of range 0-65535)",
        ),
        (
            "RAG_MILVUS_URI",
            "milvus.sqlite",
            "expected a local path ending in .db (Milvus Lite) or an http(s):// address such as "
            "http://milvus:19530, got 'milvus.sqlite'",
        ),
    ],
)
def test_addresses_are_checked_in_words(
    variable: str, value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(RagError) as info:
        load_settings()
    assert str(info.value) == f"bad settings: {variable}: Value error, {message}"


def test_credentials_in_a_milvus_uri_stay_out_of_messages() -> None:
    from rag.milvus import MilvusConfig

    config = MilvusConfig.of(Settings(milvus_uri="https://root:S3cret@milvus.example:19530"))
    assert config.where == "Milvus at https://milvus.example:19530 (collection 'rag')"


@pytest.mark.parametrize(
    "variable", ["RAG_LLM_TIMEOUT", "RAG_RELOAD_INTERVAL", "RAG_LLM_BREAKER_SECONDS", "RAG_MILVUS_TIMEOUT"]
)
def test_nan_seconds_are_no_number(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, "nan")
    with pytest.raises(RagError) as info:
        load_settings()
    assert str(info.value) == f"bad settings: {variable}: Input should be a finite number"


def test_a_misspelt_variable_is_named_with_the_setting_it_may_mean() -> None:
    from rag.settings import unknown_variables

    environ = {
        "RAG_LLM_TIMOUT": "5",
        "RAG_PORT": "8000",
        "RAG_WHATEVER": "x",
        "RAG_TEST_MODEL_CACHE": "/m",
        "HOME": "/",
    }
    assert unknown_variables(environ) == [
        "RAG_LLM_TIMOUT is not a setting; did you mean RAG_LLM_TIMEOUT?",
        "RAG_WHATEVER is not a setting",
    ]
