"""Per-session conversation memory: session id → the last turns, bounded in both directions."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


class SessionMemory:
    """Keeps ``max_turns`` turns for each of the ``max_sessions`` most recently used sessions.

    Only the officer's questions and the guarded answers are kept (never raw tool output or
    text the guard removed), so nothing unsupported re-enters a later prompt.
    """

    def __init__(self, *, max_turns: int = 20, max_sessions: int = 256) -> None:
        self.max_turns = max_turns
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, deque[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: str) -> list[Turn]:
        with self._lock:
            turns = self._sessions.get(session)
            if turns is None:
                return []
            self._sessions.move_to_end(session)
            return list(turns)

    def append(self, session: str, *turns: Turn) -> None:
        with self._lock:
            store = self._sessions.setdefault(session, deque(maxlen=self.max_turns))
            store.extend(turns)
            self._sessions.move_to_end(session)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)

    def clear(self, session: str | None = None) -> None:
        with self._lock:
            if session is None:
                self._sessions.clear()
            else:
                self._sessions.pop(session, None)

    def __len__(self) -> int:
        return len(self._sessions)
