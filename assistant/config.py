"""One settings object for the whole application.

Built on first use from the environment (prefix ``LOANWATCH_``) and an optional ``.env``;
nothing happens at import time. ``LOANWATCH_HOME`` moves every piece of stored state.
The OpenAI-compatible backend reads the conventional ``OPENAI_API_KEY`` and
``OPENAI_BASE_URL`` as well.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOANWATCH_", env_file=".env", extra="ignore", populate_by_name=True
    )

    home: Path = Field(default=Path("~/.loanwatch"), description="where all state lives")
    db_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite under home")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; default embedded under home")
    embedding: str = Field(default="use", description="use | e5 | openai")
    embedding_model: str = Field(default="text-embedding-3-small", description="model for embedding=openai")

    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "LOANWATCH_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "LOANWATCH_OPENAI_BASE_URL")
    )
    llm_model: str = Field(default="gpt-4o-mini", description="chat model name for the OpenAI-compatible backend")
    engine: str = Field(default="auto", description="auto | builtin | llm")
    bank: str = Field(default="", description="the bank's name in the header of exported memos (Word, PDF)")

    max_pages: int = Field(default=5000, gt=0, description="refuse documents with more pages")
    max_file_mb: int = Field(default=200, gt=0, description="refuse larger files")
    workers: int = Field(default=2, gt=0, le=64, description="processes used by ingest; OCR worker processes for a scan")
    rules_file: Path | None = Field(default=None, description="early-warning rules YAML; default the built-in set")
    anchor_file: Path | None = Field(
        default=None, description="a file outside home where every ledger head is appended (detects a deleted tail)"
    )
    login_max_failures: int = Field(default=5, ge=1, description="failed logins in a row that lock a login name")
    login_lockout_minutes: int = Field(default=15, ge=1, description="how long a locked login name stays locked")
    session_idle_minutes: int = Field(default=30, ge=1, description="a session unused this long ends (app and CLI)")
    session_hours: int = Field(default=12, ge=1, description="a session ends this long after login, used or not")
    industry_limit: Decimal = Field(
        default=Decimal("0.25"), gt=0, le=1,
        description="the single-industry share of exposure the dashboard draws as the concentration limit (0.25 = 25%)",
    )
    today: dt.date | None = Field(
        default=None, description="the date statuses are assessed on (reporting delays, days overdue); default the real date"
    )

    @property
    def home_dir(self) -> Path:
        path = self.home.expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home_dir / 'loanwatch.db'}"

    @property
    def llm_configured(self) -> bool:
        if self.engine == "builtin":
            return False
        return bool(self.openai_api_key)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once from the environment on first use.

    ``LOANWATCH_ENV_FILE`` names the ``.env`` file to read (default ``.env`` in the working
    directory; empty: none) — the test session sets it empty so a developer's keys never reach
    a test."""
    from pydantic import ValidationError

    env_file = os.environ.get("LOANWATCH_ENV_FILE", ".env")
    try:
        return Settings(_env_file=env_file or None)
    except ValidationError as exc:  # one line naming the variable, its value and what it takes
        from assistant.errors import ConfigError

        err = exc.errors()[0]
        field_name = str(err["loc"][0]) if err.get("loc") else "?"
        value = str(err.get("input", ""))[:40]
        raise ConfigError(f"LOANWATCH_{field_name.upper()}={value!r} is not valid: {err['msg'].lower()}",
                          hint=f"fix or unset LOANWATCH_{field_name.upper()}") from None


def today() -> dt.date:
    """The assessment date: ``LOANWATCH_TODAY`` when set (a fixed clock for tests and re-runs), else the real date."""
    return get_settings().today or dt.date.today()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
