"""The command line's session token, read without the store: ``LOANWATCH_TOKEN``, else the file
``loanwatch login`` saved under the home (``sessions.py`` checks it; the warm service's client
sends it along). Standard library only, so a command answered by ``loanwatch warm`` stays light."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from assistant.errors import ConfigError

TOKEN_ENV = "LOANWATCH_TOKEN"
TOKEN_FILE = "session"  # under LOANWATCH_HOME


def read_token(path: Path) -> str | None:
    """``LOANWATCH_TOKEN``, else the token saved at ``path``; a token file others can read is refused."""
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return env
    if not path.is_file():
        return None
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise ConfigError(f"{path} can be read by other users", hint=f"run `chmod 600 {path}` or `loanwatch login` again")
    return path.read_text(encoding="ascii").strip() or None
