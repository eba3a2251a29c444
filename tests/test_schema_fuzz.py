"""Schemathesis against the app's own OpenAPI schema: no 5xx, no response outside the schema.

About 1,200 generated cases (300 per operation with free inputs). It found two bugs, kept as
regression tests in test_api.py: a 405 without its Allow header, and schema-valid questions (blank,
control characters) refused without the schema saying so.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr

from api.app import create_app
from index.build import build
from rag.embedder import FakeEmbedder
from rag.params import RetrievalParams
from rag.settings import Settings
from tests.conftest import SEED


def _app():  # type: ignore[no-untyped-def]
    root = Path(tempfile.mkdtemp(prefix="rag-fuzz-"))
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds")
    config = Settings(
        seeds_dir=root / "seeds", index_dir=root / "index", model="fake", admin_token=SecretStr("fuzz-token")
    )
    build(config, FakeEmbedder())
    params = RetrievalParams(min_confidence=0.0)
    app = create_app(config, lambda s: FakeEmbedder(), params=params, load_in_background=False)
    app.state.service.load()
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
