"""Memos over the demo portfolio (built once per session through ``loanwatch demo``).

The seed-story borrower's memo must show the decline, the warnings and fitting actions —
asserted against what the analytics compute from the stored figures, not against fixed
text — and every number of every demo memo of the latest quarter must trace to the facts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_demo import DEMO_DATE

STORY = "鼎盛化纤"


def _latest_quarter(snapshot):
    return max((f.span for f in snapshot.facts if f.span.start is not None and f.span.months == 3), key=lambda s: s.end)


def _section_text(memo, key: str) -> str:
    from assistant.memo import Paragraph

    out = []
    for block in memo.section(key).blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            out.extend(" ".join(c.text for c in row) for row in block.rows)
    return "\n".join(out)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_seed_story_memo_shows_the_decline_the_warnings_and_fitting_actions(demo_store, lang):
    from assistant.analytics.assessment import assess
    from assistant.analytics.trends import change
    from assistant.memo import allowed_numbers, build_memo, render_markdown, verify_memo
    from assistant.memo.numbers import change_text
    from assistant.memo.phrases import phrasebook
    from assistant.memo.sections import _BY_SEVERITY, ACTIONS_BY_RULE
    from assistant.store import load_snapshot

    snap = load_snapshot(demo_store, STORY, as_of=dt.date.fromisoformat(DEMO_DATE))
    span = _latest_quarter(snap)
    assessment = assess(snap, span)
    memo = build_memo(snap, span, lang=lang, assessment=assessment)
    say = phrasebook(lang)

    # the decline: revenue is down on the year, and the memo prints that computed change as a fall
    yoy = change(snap.facts, "revenue", span, "yoy", facilities=snap.facilities)
    assert yoy is not None and yoy.absolute is not None and yoy.absolute < 0
    fall = say("words", "down_by", value=change_text("revenue", yoy.absolute, yoy.relative, lang))
    assert fall in _section_text(memo, "performance")

    # the warnings: every alert the analytics raise is in the memo, revenue decline among them
    rules = {a.rule for a in assessment.alerts}
    assert "revenue_decline" in rules and any(a.severity == "high" for a in assessment.alerts)
    warnings = _section_text(memo, "warnings")
    for alert in assessment.alerts:
        assert (alert.name_zh if lang == "zh" else alert.name_en) in warnings

    # fitting actions: each alert's levers, each with the signals behind it; no "support further"
    actions = _section_text(memo, "actions")
    for alert in assessment.alerts:
        for lever in ACTIONS_BY_RULE.get(alert.rule, _BY_SEVERITY[alert.severity]):
            assert say("actions", lever) in actions, (alert.rule, lever)
    assert say("actions", "support") not in actions and say("actions", "maintain") not in actions

    # and every number of it traces to the stored facts
    report = verify_memo(render_markdown(memo), allowed_numbers(snap, span, assessment=assessment))
    assert report.ok, report.summary()


def test_every_demo_memo_of_the_latest_quarter_verifies_and_a_sound_borrower_is_not_told_to_cut(demo_store):
    from assistant.analytics.assessment import assess
    from assistant.memo import allowed_numbers, build_memo, render_markdown, verify_memo
    from assistant.memo.phrases import phrasebook
    from assistant.store import load_snapshot
    from assistant.store.repo import list_clients

    with demo_store.session() as s:
        names = [c.name for c in list_clients(s)]
    assert len(names) == 6
    say = phrasebook("zh")
    for name in names:
        snap = load_snapshot(demo_store, name, as_of=dt.date.fromisoformat(DEMO_DATE))
        span = _latest_quarter(snap)
        assessment = assess(snap, span)
        memo = build_memo(snap, span, assessment=assessment)
        report = verify_memo(render_markdown(memo), allowed_numbers(snap, span, assessment=assessment))
        assert report.ok, f"{name}: {report.summary()}"
        if not any(a.severity == "high" for a in assessment.alerts):  # no high warning: no exposure cut
            assert say("actions", "reduce_exposure") not in _section_text(memo, "actions")
