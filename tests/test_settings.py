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
