"""Shared fixtures. Tests never reach a paid model API: the OpenAI variables are removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Like pydantic-ai's ALLOW_MODEL_REQUESTS = False: no test talks to a real LLM provider.
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LOANWATCH_OPENAI_API_KEY", "LOANWATCH_OPENAI_BASE_URL"):
    os.environ.pop(_var, None)
os.environ.setdefault("OMP_NUM_THREADS", "1")


def shared_data_dir() -> Path | None:
    """``../shared/data`` (or ``LOANWATCH_DATA_DIR``) when it exists."""
    path = Path(os.environ.get("LOANWATCH_DATA_DIR", REPO.parent / "shared" / "data"))
    return path if (path / "real").is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("real documents not found: set LOANWATCH_DATA_DIR or place shared/data beside the repo")
    return path


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    """A fresh LOANWATCH_HOME for one test, with settings re-read."""
    from assistant.config import reset_settings

    path = tmp_path / "home"
    monkeypatch.setenv("LOANWATCH_HOME", str(path))
    monkeypatch.delenv("LOANWATCH_DB_URL", raising=False)
    reset_settings()
    yield path
    reset_settings()
