"""The fixed 'today' of the test session: ``LOANWATCH_TODAY`` is set to it for every test.

No result may depend on the real date. This day suits the UI fixture (tests/ui_support.py):
its 2026Q2 statements arrived on time and its 2026Q3 statements are not due until 2026-11-14.
"""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2026, 11, 10)
