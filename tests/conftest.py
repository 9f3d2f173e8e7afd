"""Shared fixtures and the session's isolation from the machine it runs on.

* Tests never reach a paid model API: the OpenAI variables are removed.
* Nothing is read from or written to the real home: for the whole session ``HOME`` and
  ``LOANWATCH_HOME`` point into a fresh temporary directory and the ``LOANWATCH_*`` settings
  of the caller's shell are removed, before any test module is imported (``pytest_configure``).
* The clock is pinned: ``LOANWATCH_TODAY`` is ``tests/clock.py``'s ``TODAY``.
* The PostgreSQL and Chroma servers are session fixtures here, so each starts once a session.
* Markers stay true: a test that uses ``shared_data`` carries ``real_data``, one that uses
  PostgreSQL carries ``postgres``, one that drives Chromium carries ``browser`` (checked at
  collection, see ``marker_problems``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.clock import TODAY

REPO = Path(__file__).resolve().parents[1]

# Like pydantic-ai's ALLOW_MODEL_REQUESTS = False: no test talks to a real LLM provider.
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LOANWATCH_OPENAI_API_KEY", "LOANWATCH_OPENAI_BASE_URL"):
    os.environ.pop(_var, None)
os.environ.setdefault("OMP_NUM_THREADS", "1")

# Variables that configure the test run itself, not the application: kept.
_TEST_VARIABLES = {"LOANWATCH_DATA_DIR", "LOANWATCH_PG_BIN", "LOANWATCH_KILL_SEED"}
_saved_environ: dict[str, str] | None = None
_session_root: Path | None = None


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip a test whose tool is missing; under CI (CI=true) a missing tool is a failure."""
    if _in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    """Move HOME and LOANWATCH_HOME into a fresh directory and pin the clock, for the whole session."""
    global _saved_environ, _session_root
    if _saved_environ is not None:
        return
    _saved_environ = dict(os.environ)
    _session_root = Path(tempfile.mkdtemp(prefix="loanwatch-tests-"))
    for name in list(os.environ):
        if name.startswith("LOANWATCH_") and name not in _TEST_VARIABLES:
            del os.environ[name]
    (_session_root / "home").mkdir()
    os.environ["HOME"] = str(_session_root / "home")
    os.environ["LOANWATCH_HOME"] = str(_session_root / "home" / ".loanwatch")
    os.environ["LOANWATCH_TODAY"] = TODAY.isoformat()
    os.environ["LOANWATCH_ENV_FILE"] = ""  # a developer's .env (keys, URLs) never reaches a test
    if "XDG_CACHE_HOME" not in _saved_environ and "HOME" in _saved_environ:  # caches of tools, not our state
        os.environ["XDG_CACHE_HOME"] = str(Path(_saved_environ["HOME"]) / ".cache")


def pytest_unconfigure(config: pytest.Config) -> None:
    global _saved_environ, _session_root
    if _saved_environ is None:
        return
    os.environ.clear()
    os.environ.update(_saved_environ)
    shutil.rmtree(_session_root, ignore_errors=True)
    _saved_environ = _session_root = None


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


@pytest.fixture(scope="session")
def corpus(shared_data):
    """``corpus(name)``: a report of ``shared/data/corpus`` (file name, or its start) extracted once a
    session; skips when the corpus or the report is absent."""
    folder = shared_data / "corpus"
    if not folder.is_dir():
        pytest.skip("the corpus is not present (shared/data/corpus)")
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            path = next(folder.rglob(name), None) or next(folder.rglob(f"{name}*.pdf"), None)
            if path is None:
                pytest.skip(f"{name} is not in the corpus")
            from extractors.pipeline import extract_file

            cache[name] = extract_file(path)
        return cache[name]

    return get


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


# ---------------------------------------------------------------- servers, one of each per session


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server on 127.0.0.1 for the session (tests/pg.py)."""
    from tests.pg import pg_bin, start_postgres, stop_postgres

    try:
        import psycopg  # noqa: F401
    except ImportError:
        skip_or_fail("psycopg (v3) is not installed: pip install 'psycopg[binary]'")
    bin_dir = pg_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        skip_or_fail(f"PostgreSQL's initdb not found ({bin_dir or 'no /usr/lib/postgresql/*/bin, PATH or pg_config'}): "
                     "apt-get install postgresql, or set LOANWATCH_PG_BIN")
    server = start_postgres(bin_dir)
    yield server
    stop_postgres(server)


@pytest.fixture()
def pg_database(request, pg_server) -> str:
    """A fresh, empty database on the session's server (its SQLAlchemy URL)."""
    if request.node.get_closest_marker("postgres") is None:
        pytest.fail(f"{request.node.nodeid} uses PostgreSQL without the `postgres` marker", pytrace=False)
    return pg_server.create_database()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """URL of a Chroma server started for this test session (tests/chroma.py)."""
    from tests.chroma import chroma_cli, start_chroma, stop_chroma

    cli = chroma_cli()
    if cli is None:
        skip_or_fail("the `chroma` CLI (from the chromadb package) is not installed")
    server = start_chroma(tmp_path_factory.mktemp("chroma-server"), cli)
    yield server.url
    stop_chroma(server)


# ---------------------------------------------------------------- markers kept true

# marker: (fixtures that imply it, parameter values that imply it)
MARKER_RULES = {
    "real_data": ({"shared_data"}, set()),
    "postgres": ({"pg_server", "pg_database"}, {"postgres"}),
    "browser": ({"browser"}, {"chromium"}),
}


def marker_problems(items) -> list[str]:  # pytest items, or anything with the same attributes
    """Each test whose fixtures or parameters need a marker it lacks (and each marker nothing justifies)."""
    problems = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        values = {v for v in (callspec.params.values() if callspec else ()) if isinstance(v, str)}
        for marker, (needs_fixtures, needs_values) in MARKER_RULES.items():
            needed = bool(fixtures & needs_fixtures or values & needs_values)
            marked = item.get_closest_marker(marker) is not None
            if needed and not marked:
                problems.append(f"{item.nodeid}: needs @pytest.mark.{marker}")
            elif marked and not needed:
                problems.append(f"{item.nodeid}: marked {marker} but uses none of {sorted(needs_fixtures | needs_values)}")
    return problems


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = marker_problems(items)
    if problems:
        raise pytest.UsageError("markers out of date:\n  " + "\n  ".join(problems))


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """The session's demo home (``loanwatch demo`` through the real entry point), built once and shared."""
    from tests.test_demo import build_demo_home

    return build_demo_home(tmp_path_factory)


@pytest.fixture()
def demo_store(demo_home, monkeypatch):
    """The demo home's store, opened in this process."""
    from assistant.config import reset_settings
    from assistant.store import close_stores, open_store

    monkeypatch.setenv("LOANWATCH_HOME", str(demo_home))
    monkeypatch.delenv("LOANWATCH_DB_URL", raising=False)
    reset_settings()
    close_stores()
    yield open_store()
    close_stores()
    reset_settings()


@pytest.fixture()
def book_store(tmp_path):
    """A fresh book home (tests/book_support: two clients, facilities, users) and its store, opened in this process."""
    from assistant.store import close_stores, open_store
    from tests.book_support import make_book_home
    from tests.ui_support import using_home

    home = make_book_home(tmp_path / "home")
    with using_home(home):
        close_stores()
        yield open_store()
        close_stores()
