"""The built-in memo engine: what the memo says follows from the facts."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from assistant.domain import Fact, Span, quarter_span
from assistant.memo import Paragraph, Table, build_memo, render_markdown
from assistant.memo.phrases import MissingPhraseVariable, parse_phrasebook
from assistant.memo.sections import materiality, size_word
from tests.memo_fixtures import declining_client, sound_client

Q3 = quarter_span(2026, 3)


def _text(memo, key: str) -> str:
    out = []
    for block in memo.section(key).blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            out.extend(" ".join(c.text for c in row) for row in block.rows)
    return "\n".join(out)


def test_sections_in_order_with_titles():
    memo = build_memo(declining_client(), "2026Q3")
    assert [s.key for s in memo.sections] == ["overview", "changes", "performance", "covenants", "projects",
                                              "warnings", "grade", "actions", "sources"]
    assert memo.section("overview").title == "借款人与授信概况"
    assert memo.period == "2026Q3" and memo.period_end == dt.date(2026, 9, 30)


def test_seed_story_shows_decline_warnings_and_fitting_actions():
    memo = build_memo(declining_client(), "2026Q3")
    perf = _text(memo, "performance")
    assert "营业收入 1.52亿元，同比下降 28.2%，环比下降 9.3%" in perf
    assert "本期亏损 310.00万元" in perf
    assert "经营现金净流出" in perf
    cov = _text(memo, "covenants")
    assert "流动比率为 1.11倍，未达到 >= 1.20倍 的要求，已构成违约" in cov
    assert "收窄" in cov
    warnings = _text(memo, "warnings")
    assert "营业收入同比下滑" in warnings and "财务约束条款违约" in warnings
    grade = _text(memo, "grade")
    assert "次级" in grade
    actions = _text(memo, "actions")
    for lever in ("压缩授信敞口", "调整还款计划", "追加抵押物", "按月报送", "加强贷后监控"):
        assert lever in actions
    assert "可维持现有授信" not in actions
    # each action names the signals behind it
    assert "依据：财务约束条款违约" in actions


def test_sound_client_gets_room_to_support_and_no_warnings():
    memo = build_memo(sound_client(), "2026Q3")
    assert "未触发预警规则" in _text(memo, "warnings")
    assert "可维持现有授信并在需要时考虑适度支持" in _text(memo, "actions")
    assert "全部财务约束均达标" in _text(memo, "covenants")
    assert "同比增长 10.7%" in _text(memo, "performance")


def test_wording_follows_the_numbers_not_a_template():
    """Raise Q3 revenue above last year's: the same writer now says it grew."""
    snap = declining_client()
    snap.facts.add(Fact("revenue", Decimal("250000000.00"), Q3, document="2026Q3财务报表.pdf", page=3))
    perf = _text(build_memo(snap, "2026Q3"), "performance")
    assert "营业收入 2.50亿元，同比增长 17.9%，环比增长 48.8%" in perf


def test_missing_figures_are_named_not_zero():
    snap = declining_client()
    for key in ("revenue", "cost_of_revenue"):
        del snap.facts.facts[(key, Q3)]
    memo = build_memo(snap, "2026Q3")
    perf = _text(memo, "performance")
    assert "本期营业收入数据缺失" in perf
    table = next(b for b in memo.section("performance").blocks if isinstance(b, Table))
    revenue_row = next(r for r in table.rows if r[0].text == "营业收入")
    assert revenue_row[1].text == "—" and "2026Q3" in revenue_row[1].missing
    assert "0.00" not in revenue_row[1].text


def test_same_input_same_memo_and_digest_tracks_the_facts():
    a = build_memo(declining_client(), "2026Q3")
    b = build_memo(declining_client(), "2026Q3")
    assert render_markdown(a) == render_markdown(b)
    snap = declining_client()
    snap.facts.add(Fact("cash", Decimal("52300001.00"), Span(Q3.end), document="2026Q3财务报表.pdf", page=2))
    assert build_memo(snap, "2026Q3").input_digest != a.input_digest


def test_every_number_cell_cites_a_source_and_sources_are_numbered_in_order():
    memo = build_memo(declining_client(), "2026Q3")
    cited = memo.cited()
    assert cited == {s.n for s in memo.sources}
    assert [s.n for s in memo.sources] == list(range(1, len(memo.sources) + 1))
    for section in memo.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row:
                        if cell.source is not None and cell.source.kind == "fact":
                            assert cell.cites, cell
    statement_sources = [s for s in memo.sources if s.document.endswith("财务报表.pdf")]
    assert all(s.page in (2, 3, 4) for s in statement_sources)


def test_english_memo():
    memo = build_memo(declining_client(), "2026Q3", lang="en")
    assert memo.section("overview").title == "Borrower and facility overview"
    perf = _text(memo, "performance")
    assert "Revenue was CNY 152.30 million, down 28.2% year on year and down 9.3% quarter on quarter." in perf
    assert "Reduce the exposure" in _text(memo, "actions")


def test_changes_section_puts_what_matters_first():
    memo = build_memo(declining_client(), "2026Q3")
    items = [b.text for b in memo.section("changes").blocks if isinstance(b, Paragraph) and b.style == "bullet"]
    assert items[0].startswith("新出现预警")  # new high-severity warnings before figure moves
    moves = [t for t in items if "由" in t and "变为" in t]
    assert moves and "经营活动产生的现金流量净额" in moves[0]


def test_annual_memo_has_no_quarter_columns():
    snap = sound_client()
    for fact in list(snap.facts):
        if not fact.span.is_point:
            snap.facts.add(Fact(fact.key, fact.value * 4, Span(dt.date(fact.span.end.year, 12, 31),
                                                                dt.date(fact.span.end.year, 1, 1)),
                                document=fact.document, page=fact.page))
    memo = build_memo(snap, "2025")
    table = next(b for b in memo.section("performance").blocks if isinstance(b, Table))
    assert not any("环比" in h for h in table.header)


def test_build_is_fast():
    snap = declining_client()
    start = time.perf_counter()
    build_memo(snap, "2026Q3")
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("key,absolute,relative,word", [
    ("revenue", Decimal("-1"), Decimal("-0.282"), "down_large"),
    ("revenue", Decimal("1"), Decimal("0.03"), "up_small"),
    ("revenue", Decimal("1"), Decimal("0.001"), "flat"),
    ("revenue", Decimal("-1"), Decimal("-0.6"), "down_sharp"),
    ("debt_to_assets", Decimal("0.024"), Decimal("0.04"), "up"),
    ("debt_to_assets", Decimal("-0.001"), Decimal("-0.002"), "flat"),
])
def test_size_words(key, absolute, relative, word):
    assert size_word(key, absolute, relative) == word


def test_materiality_counts_points_for_percent_ratios():
    assert materiality("debt_to_assets", Decimal("0.04"), Decimal("0.5")) == 2
    assert materiality("revenue", Decimal("5"), Decimal("0.10")) == 2


def test_templates_fail_on_a_missing_variable():
    book = parse_phrasebook("## g\nline: {a} and {b}\n", "zh")
    assert book("g", "line", a=1, b=2) == "1 and 2"
    with pytest.raises(MissingPhraseVariable, match="needs b"):
        book("g", "line", a=1)


def test_every_builtin_warning_rule_maps_to_actions():
    from assistant.analytics.warnings import load_rules
    from assistant.memo.sections import ACTIONS_BY_RULE

    missing = [r.id for r in load_rules(__import__("assistant.analytics.warnings", fromlist=["x"]).BUILTIN_RULES)
               if r.id not in ACTIONS_BY_RULE]
    assert not missing, f"add the levers for {missing} to ACTIONS_BY_RULE"


def test_every_lever_is_ordered_and_worded():
    """A lever missing from ACTION_ORDER or from a template file would silently vanish from the memo."""
    from assistant.memo.phrases import phrasebook
    from assistant.memo.sections import _BY_SEVERITY, ACTION_ORDER, ACTIONS_BY_RULE

    levers = {a for actions in [*ACTIONS_BY_RULE.values(), *_BY_SEVERITY.values()] for a in actions}
    assert levers <= set(ACTION_ORDER), levers - set(ACTION_ORDER)
    for lang in ("zh", "en"):
        for lever in levers:
            assert phrasebook(lang).raw("actions", lever)


_ENGLISH = r"\b(?:at least|breach\w*|risk grade|not measured|not rated|distress|safe|grey|warning|covenant|missing|model|points|overdue|unpaid)\b"


@pytest.mark.parametrize("make", [declining_client, sound_client])
def test_a_chinese_memo_gives_its_grade_and_classification_reasons_in_chinese(make):
    import re

    memo = build_memo(make(), "2026Q3", lang="zh")
    text = _text(memo, "grade")
    assert not re.search(_ENGLISH, text, re.I), text
    assert re.search(r"至少为|→ 正常", text)


def test_reasons_zh_say_what_the_english_reasons_say_with_the_same_numbers():
    import datetime as dt
    import re

    from assistant.analytics.assessment import assess
    from assistant.numguard import find_numbers

    def numbers(text: str) -> list[str]:
        return sorted(m.text for m in find_numbers(text) if m.kind not in ("marker", "identifier"))

    from assistant.domain import Repayment

    snap = declining_client()
    snap.facilities[0].schedule.append(Repayment(dt.date(2026, 12, 15), Decimal("10000000.00"), Decimal("2500000.00")))
    snap.as_of = dt.date(2026, 12, 31)  # that instalment is 16 days overdue
    a = assess(snap, Q3)
    c, g = a.classification, a.grade
    assert c.category != "正常" and len(c.reasons_zh) == len(c.reasons) >= 3
    assert any("逾期" in r for r in c.reasons_zh)
    for en, zh in zip(c.reasons, c.reasons_zh):
        assert numbers(en) == numbers(zh), (en, zh)
        assert not re.search(_ENGLISH, zh, re.I), zh
    assert len(g.reasons_zh) == len(g.reasons)
    for f in g.factors:
        assert f.explanation_zh and not re.search(_ENGLISH, f.explanation_zh, re.I), f.explanation_zh
    assert all(m.name_zh and (m.zone is None or m.zone_zh) for m in a.models)


def test_a_memo_with_too_few_figures_says_why_in_chinese():
    import re

    snap = sound_client()
    keep = {"revenue", "net_profit"}
    for key, span in list(snap.facts.facts):
        if key not in keep:
            snap.facts.facts.pop((key, span))
    memo = build_memo(snap, "2026Q3", lang="zh")
    text = _text(memo, "grade")
    assert "不予评级" in text or "未评定" in text
    assert not re.search(_ENGLISH, text, re.I), text
