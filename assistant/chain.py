"""The ledger's hash chain as plain functions: an entry's hash, canonical JSON, the anchor file's line.

``assistant.ledger`` appends and verifies entries through SQLAlchemy; ``assistant.store.lite``
appends a memo draft's entry with ``sqlite3`` (a cold start, issue 14). Both hash with these
functions, so an entry reads the same whoever wrote it, and ``audit verify`` checks both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_encode)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in the ledger")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(*, seq: int, ts: str, actor: str, action: str, entity: str, entity_id: int | None,
               payload_digest: str | None, prev_hash: str, detail: str | None = None) -> str:
    content = {"seq": seq, "ts": ts, "actor": actor, "action": action, "entity": entity,
               "entity_id": entity_id, "payload_digest": payload_digest, "prev_hash": prev_hash}
    if detail is not None:  # entries made before details existed hash as they always did
        content["detail"] = detail
    return sha(canonical_json(content))


def anchor_path() -> Path | None:
    """``LOANWATCH_ANCHOR_FILE`` — refused when it lies inside LOANWATCH_HOME (a second place, not the same one)."""
    from assistant.config import get_settings
    from assistant.errors import ConfigError

    settings = get_settings()
    if settings.anchor_file is None:
        return None
    path = settings.anchor_file.expanduser().resolve()
    home = settings.home.expanduser().resolve()
    if path == home or home in path.parents:
        raise ConfigError(f"the ledger anchor file {path} is inside LOANWATCH_HOME ({home})",
                          hint="set LOANWATCH_ANCHOR_FILE to a file the bank keeps elsewhere (another disk or share)")
    return path


def write_anchor(seq: int, digest: str, ts: str) -> None:
    """After a commit that appended entries: add its new head ``seq hash ts`` to the anchor file, in one
    write (O_APPEND); nothing without ``LOANWATCH_ANCHOR_FILE``. ConfigError when it cannot be written."""
    from assistant.errors import ConfigError

    path = anchor_path()
    if path is None:
        return
    line = f"{seq} {digest} {ts}\n".encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError(f"the change was saved, but its ledger head #{seq} could not be written to the anchor "
                          f"file {path} ({exc.strerror})",
                          hint="fix LOANWATCH_ANCHOR_FILE, then run `loanwatch audit head` and keep its line there") from exc
