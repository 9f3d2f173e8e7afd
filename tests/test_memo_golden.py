"""Golden memos: the built-in engine's full output for the hand-built clients.

A change to wording or layout shows up here as a diff. To accept it, rerun with
``LOANWATCH_REGEN_GOLDEN=1`` (never in CI: with ``CI=true`` the flag is an error) and review
the rewritten ``tests/golden/*.md`` in the commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.memo import build_memo, render_markdown
from assistant.memo.versions import diff
from tests.memo_fixtures import declining_client, sound_client

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "declining_2026Q3_zh": (declining_client, "2026Q3", "zh"),
    "declining_2026Q3_en": (declining_client, "2026Q3", "en"),
    "sound_2026Q3_zh": (sound_client, "2026Q3", "zh"),
}


def regenerate_requested() -> bool:
    """True when the golden files should be rewritten; an error in CI."""
    if os.environ.get("LOANWATCH_REGEN_GOLDEN") != "1":
        return False
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("LOANWATCH_REGEN_GOLDEN=1 is refused in CI: regenerate golden memos locally and commit them")
    return True


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_memo(name):
    make, period, lang = CASES[name]
    text = render_markdown(build_memo(make(), period, lang=lang))
    path = GOLDEN / f"memo_{name}.md"
    if regenerate_requested():
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} missing: run with LOANWATCH_REGEN_GOLDEN=1 locally to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, diff(expected, text, before_label=path.name, after_label="built now")


def test_regenerate_flag_is_refused_in_ci(monkeypatch):
    monkeypatch.setenv("LOANWATCH_REGEN_GOLDEN", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="refused in CI"):
        regenerate_requested()
    monkeypatch.delenv("CI")
    assert regenerate_requested() is True
    monkeypatch.delenv("LOANWATCH_REGEN_GOLDEN")
    assert regenerate_requested() is False
