"""The README may not drift from the code: every setting in its table, every link to a doc that exists."""

import re

from rag.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _table_variables() -> set[str]:
    """The RAG_* names in the first column of the README's settings table."""
    section = README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `RAG_")]
    return {name for row in rows for name in re.findall(r"`(RAG_[A-Z0-9_]+)`", row.split("|")[1])}


def test_every_setting_is_in_the_readme_table() -> None:
    prefix = Settings.model_config.get("env_prefix", "")
    read = {f"{prefix}{name}".upper() for name in Settings.model_fields}
    assert "RAG_SERVER_URL" in read
    assert _table_variables() == read


def test_readme_links_lead_to_files() -> None:
    targets = re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)\)", README)
    assert {"docs/architecture.md", "docs/api.md", "docs/quality.md", "docs/performance.md"} <= set(targets)
    assert [t for t in targets if not (ROOT / t).is_file()] == []
    for doc in (ROOT / "docs").glob("*.md"):
        text = doc.read_text(encoding="utf-8")
        links = re.findall(r"\]\(([\w.-]+\.md)\)", text)
        assert [t for t in links if not (doc.parent / t).is_file()] == [], doc.name
