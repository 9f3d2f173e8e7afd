"""A warm local service for ``loanwatch ask`` (and ``memo``, ``status``, ``client list``): the
store, the engine, the embedder, jieba's dictionary and the BM25 index stay loaded between
commands (issue 14).

``loanwatch warm`` runs :func:`serve` for one home. It listens on a Unix socket that only its
owner may open (``LOANWATCH_HOME/warm.sock``, or a private temporary folder when that path is
too long for a socket) and writes ``LOANWATCH_HOME/warm.json`` (mode 0600): process id, socket
path, a secret drawn at start, and the fingerprint of the settings and code it answers with.

:func:`ask` and :func:`call` are the client: they send the question or command with the secret
and their own fingerprint and return the service's reply, or ``None`` whenever there is no service, the service refuses
(other settings, other code: a fingerprint differs) or anything fails — the caller then answers
in its own process. The service never gives a different answer than the caller would:

* it answers through the same ``chat.service.ask`` with the same scoping: no token, the
  command line's view (every client, as ``loanwatch ask`` in-process); a session token
  (``token``), that user's clients only — the token is checked by ``sessions.session_user``
  in the service, as the app checks it;
* the other commands (``warm_ops.OPS``) run the same functions as the command in-process, and
  the caller's session token goes along, so the ledger names the caller, never the service;
* an error is sent back as its class and one line, and raised again by the client;
* documents another process indexes or removes while it runs (an ingest) are searched as a new
  process would search them: ``assistant.retrieval`` checks the index generation before each
  search and reopens what it must, as it does in the app.

One request at a time; this module imports only the standard library until it answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import stat
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

STATE_FILE = "warm.json"
SOCKET_FILE = "warm.sock"
_CONNECT_TIMEOUT = 0.5  # a live service accepts at once; a dead one refuses at once
_ANSWER_TIMEOUT = 600.0  # an LLM answer can take minutes; past this the caller answers itself
_READ_TIMEOUT = 10.0  # the service waits this long for a request line
_MAX_REQUEST = 1 << 20
_MAX_SOCKET_PATH = 100  # sun_path holds 104-108 bytes depending on the system
#: environment that differs per call, not per configuration
_PER_CALL = frozenset({"LOANWATCH_TOKEN", "LOANWATCH_PASSWORD", "LOANWATCH_DEBUG"})
_PATH_SETTINGS = frozenset({"LOANWATCH_HOME", "LOANWATCH_RULES_FILE", "LOANWATCH_ANCHOR_FILE"})
_CODE_DIRS = ("assistant", "extractors", "prompts")
_CODE_SUFFIXES = (".py", ".yaml", ".yml", ".md", ".txt", ".json", ".j2")


# ---------------------------------------------------------------- what both sides compare


def home_dir() -> Path:
    """LOANWATCH_HOME without building the settings when the environment names it (a cold start saves ~50 ms)."""
    raw = os.environ.get("LOANWATCH_HOME")
    if raw:
        return Path(raw).expanduser().absolute()
    from assistant.config import get_settings

    return get_settings().home.expanduser().absolute()


def fingerprint() -> str:
    """A digest of what decides an answer besides the store: the LOANWATCH_/OPENAI_ environment,
    the ``.env`` file, and the code (file sizes and times). Equal on both sides, or no service."""
    digest = hashlib.sha256()
    relative = False
    for key, value in sorted((k.upper(), v) for k, v in os.environ.items()):
        if not key.startswith(("LOANWATCH_", "OPENAI_")) or key in _PER_CALL:
            continue
        if key in _PATH_SETTINGS and value:
            value = str(Path(value).expanduser().absolute())
        elif key == "LOANWATCH_DB_URL" and value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
            relative = True  # a path relative to the working folder
        digest.update(f"{key}={value}\0".encode("utf-8", "surrogateescape"))
    env_file = os.environ.get("LOANWATCH_ENV_FILE", ".env")
    if env_file and os.path.isfile(env_file):
        relative = True  # its paths, if any, are read relative to the working folder
        digest.update(Path(env_file).read_bytes())
    if relative:
        digest.update(f"cwd={os.getcwd()}\0".encode("utf-8", "surrogateescape"))
    root = Path(__file__).resolve().parents[1]
    for folder in _CODE_DIRS:
        for path, size, mtime in _files(root / folder, _CODE_SUFFIXES):
            digest.update(f"{path}:{size}:{mtime}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _files(folder: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[str, int, int]]:
    """(path, size, mtime_ns) of the files under ``folder``, in a stable order; nothing when it is missing."""
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if not name.endswith(suffixes):
                continue
            path = os.path.join(parent, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:  # removed while walking
                continue
            yield path, st.st_size, st.st_mtime_ns


# ---------------------------------------------------------------- the client


def ask(question: str, *, client: str | None = None, engine: str | None = None, token: str | None = None) -> dict | None:
    """The answer (CONTRACT.md's object, without ``understood``) from the service of this home, or None.

    None: no service runs for this home, it refused (another fingerprint) or it failed — answer
    in this process. A ``LoanwatchError`` the service raised answering is raised here, same line.
    """
    reply = request({"op": "ask", "question": question, "client": client, "engine": engine, "token": token})
    if reply is None:
        return None
    if "error" in reply:
        raise _error(reply["error"])
    answer = reply.get("answer")
    return answer if isinstance(answer, dict) else None


def call(op: str, *, as_caller: bool = False, **args: Any) -> dict | None:
    """The reply of this home's service to one command (``memo``, ``status``, ``clients``; see warm_ops), or None.

    ``as_caller``: the caller's session token goes along (``LOANWATCH_TOKEN``, else the saved one),
    so the service records the actor the command would record in its own process. None: no
    service, or it refused or failed — answer in this process.
    """
    home = home_dir()
    if read_state(home) is None:  # no service: nothing else to read
        return None
    token = None
    if as_caller:
        from assistant.session_token import TOKEN_FILE, read_token

        token = read_token(home / TOKEN_FILE)  # a token file others can read: the same error as in-process
    reply = request({"op": op, **args, "token": token}, home=home)
    if reply is None:
        return None
    if "error" in reply:
        raise _error(reply["error"])
    return reply


def request(payload: dict, *, home: Path | None = None) -> dict | None:
    """Send one request to the service of ``home`` (default: this home); its reply, or None when none answered."""
    state = read_state(home or home_dir())
    if state is None:
        return None
    try:
        line = json.dumps({**payload, "secret": state["secret"], "config": fingerprint()}, ensure_ascii=False)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(_CONNECT_TIMEOUT)
            conn.connect(state["socket"])
            conn.settimeout(_ANSWER_TIMEOUT)
            conn.sendall(line.encode("utf-8") + b"\n")
            conn.shutdown(socket.SHUT_WR)
            data = b"".join(iter(lambda: conn.recv(65536), b""))
        reply = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # no service, a dead one, a broken reply
        return None
    if not isinstance(reply, dict) or "refused" in reply or "failed" in reply:
        return None
    return reply


def read_state(home: Path) -> dict | None:
    """The service's file under ``home``, when it exists, is ours and no one else can read it."""
    path = home / STATE_FILE
    try:
        st = path.stat()
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or stat.S_IMODE(st.st_mode) & 0o077):
            return None  # not written by us as the service writes it: do not send it anything
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("socket"), str) or not isinstance(state.get("secret"), str):
        return None
    return state


def _error(err: Any) -> Exception:
    """The service's LoanwatchError as an exception of the same class and line (a plain LoanwatchError otherwise)."""
    from assistant import errors

    err = err if isinstance(err, dict) else {}
    cls = getattr(errors, str(err.get("type", "")), None)
    message, hint = str(err.get("message", "the warm service failed")), err.get("hint")
    hint = str(hint) if hint else ""
    if not (isinstance(cls, type) and issubclass(cls, errors.LoanwatchError)):
        cls = errors.LoanwatchError
    try:
        return cls(message, hint=hint)
    except TypeError:  # a class with another constructor
        return errors.LoanwatchError(message, hint=hint)


# ---------------------------------------------------------------- the service


def serve(*, echo: Callable[[str], None] = print) -> None:
    """Answer ``ask`` requests for this home until interrupted (Ctrl-C or SIGTERM)."""
    import secrets
    import signal

    from assistant.errors import ConfigError

    if not hasattr(socket, "AF_UNIX"):
        raise ConfigError("the warm service needs Unix sockets, which this system lacks", hint="`loanwatch ask` works without it")
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    running = request({"op": "ping"}, home=home)
    if running is not None:
        raise ConfigError(f"a warm service already runs for {home} (process {running.get('pid')})",
                          hint="stop it first, or use it: `loanwatch ask` finds it")
    echo(f"warming up for {home} …")
    _warm_up()
    service = _Service(home, secret=secrets.token_hex(32), config=fingerprint())
    sock_path, private_dir = _socket_path(home)
    server = _listen(sock_path)
    _write_state(home, {"pid": os.getpid(), "socket": sock_path, "secret": service.secret})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    echo(f"warm service for {home} (process {os.getpid()}); `loanwatch ask` uses it; Ctrl-C stops it")
    try:
        while True:
            conn, _ = server.accept()
            with conn:
                service.handle(conn)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        _remove_state(home, service.secret)
        for path in (sock_path, private_dir):
            try:
                os.rmdir(path) if path == private_dir else os.unlink(path)
            except (OSError, TypeError):
                pass


def _warm_up() -> None:
    """Load the engine, the store, the embedder, Chroma, BM25 and jieba's dictionary once."""
    import assistant.chat.service  # noqa: F401 - the engine's modules
    from assistant.store import open_store
    from assistant.store.repo import list_clients

    with open_store().session() as s:
        ids = [c.id for c in list_clients(s)] or [0]
    try:
        from assistant.retrieval import search

        search("营业收入 revenue", client_ids=ids, k=1)
    except Exception:  # noqa: BLE001 - an empty or missing index: questions will say so themselves
        pass


def _socket_path(home: Path) -> tuple[str, str | None]:
    """``home/warm.sock``, or a socket in a private temporary folder when that path is too long."""
    path = str(home / SOCKET_FILE)
    if len(path.encode()) <= _MAX_SOCKET_PATH:
        return path, None
    import tempfile

    folder = tempfile.mkdtemp(prefix="loanwatch-warm-")  # mode 0700
    return os.path.join(folder, SOCKET_FILE), folder


def _listen(path: str) -> socket.socket:
    """A Unix socket at ``path`` that only this user can connect to."""
    try:
        os.unlink(path)  # a stale socket of a service that died (the ping above found no one)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        server.bind(path)
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    server.listen(16)
    return server


def _write_state(home: Path, state: dict) -> None:
    tmp = home / f".{STATE_FILE}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, json.dumps(state).encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, home / STATE_FILE)


def _remove_state(home: Path, secret: str) -> None:
    """Remove the state file if it is still this service's (a newer service may have replaced it)."""
    state = read_state(home)
    if state is not None and hmac.compare_digest(state["secret"], secret):
        try:
            (home / STATE_FILE).unlink()
        except FileNotFoundError:
            pass


class _Service:
    """One home's service: who may ask (the secret, the fingerprint) and how many it answered."""

    def __init__(self, home: Path, *, secret: str, config: str) -> None:
        self.home, self.secret, self.config = home, secret, config
        self.answered = 0

    def handle(self, conn: socket.socket) -> None:
        """Read one request line and answer it."""
        conn.settimeout(_READ_TIMEOUT)
        try:
            data = b""
            while b"\n" not in data and len(data) < _MAX_REQUEST:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            req = json.loads(data.decode("utf-8"))
            if not isinstance(req, dict):
                raise ValueError("not an object")
        except (OSError, ValueError):
            return
        try:
            conn.settimeout(_ANSWER_TIMEOUT)
            conn.sendall(json.dumps(self.reply(req), ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # the caller gave up; it answers itself

    def reply(self, req: dict) -> dict:
        if not hmac.compare_digest(str(req.get("secret", "")).encode(), self.secret.encode()):
            return {"refused": "secret"}
        if req.get("op") == "ping":  # whatever the caller's settings: a second service must not start beside this one
            return {"pid": os.getpid(), "same_config": req.get("config") == self.config, "answered": self.answered}
        if req.get("config") != self.config:
            return {"refused": "settings or code differ from the service's; restart `loanwatch warm`"}
        from assistant.warm_ops import OPS

        op = OPS.get(str(req.get("op")))
        if op is None:
            return {"refused": f"unknown op {req.get('op')!r}"}
        self.answered += 1
        return _answer(op, req)


def _answer(op: Callable[[Any, dict], dict], req: dict) -> dict:
    """What the caller would get in its own process (``op``'s reply), or its error."""
    from assistant.errors import LoanwatchError
    from assistant.store import open_store

    store = open_store()
    try:
        out = op(store, req)
        json.dumps(out)  # what cannot travel is answered by the caller itself
        return out
    except LoanwatchError as exc:
        _record_denial(store, exc)
        return {"error": {"type": type(exc).__name__, "message": exc.message, "hint": exc.hint}}
    except Exception as exc:  # noqa: BLE001 - the caller answers itself and reports it as it would
        return {"failed": f"{type(exc).__name__}: {exc}"[:300]}


def _record_denial(store: Any, exc: Exception) -> None:
    from assistant.access import record_denial
    from assistant.errors import LoanwatchError

    try:
        record_denial(store, exc)
    except LoanwatchError:
        pass
