"""Claims, not just numbers (issue 12): numbers tied to their label, period and basis, and the
memo's words — covenant status, classification, grade, direction — checked against the facts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from assistant.memo import allowed_numbers, build_memo, render_markdown, verify_memo
from assistant.memo.builder import resolve_span
from assistant.memo.claims import claim_facts
from assistant.memo.verify import rebuilt_tables
from assistant.numguard import allowed_from_facts, check
from tests.memo_fixtures import declining_client

Q3 = "2026Q3"


@pytest.fixture(scope="module")
def memo_zh():
    snap = declining_client()
    span = resolve_span(Q3)
    text = render_markdown(build_memo(snap, Q3))
    return snap, text, allowed_numbers(snap, span), rebuilt_tables(snap, span, "zh"), claim_facts(snap, span)


@pytest.fixture(scope="module")
def memo_en():
    snap = declining_client()
    span = resolve_span(Q3)
    text = render_markdown(build_memo(snap, Q3, lang="en"))
    return snap, text, allowed_numbers(snap, span), rebuilt_tables(snap, span, "en"), claim_facts(snap, span)


def _verify(bundle, text):
    _, _, allowed, tables, claims = bundle
    return verify_memo(text, allowed, tables=tables, claims=claims)


def _yi(value: Decimal) -> str:
    return f"{(value / Decimal(10) ** 8).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}亿元"


def _value(snap, key: str) -> Decimal:
    return next(f.value for f in snap.facts if f.key == key and f.span.end.isoformat() == "2026-09-30")


def _add_paragraph(text: str, sentence: str, section: str = "## 3.") -> str:
    at = text.index(section)
    end = text.index("\n## ", at + 3)
    return text[:end] + "\n" + sentence + "\n" + text[end:]


def test_the_untouched_memo_passes_numbers_and_claims(memo_zh, memo_en):
    for bundle in (memo_zh, memo_en):
        report = _verify(bundle, bundle[1])
        assert report.ok, report.summary()
        assert not report.contradictions and not report.opinions


def test_a_number_of_another_figure_under_a_label_fails(memo_zh):
    """营业收入为1.70亿元 where 1.70亿 is current liabilities: traceable, but not revenue."""
    snap, text = memo_zh[0], memo_zh[1]
    liabilities = _yi(_value(snap, "total_current_liabilities"))
    wrong = _add_paragraph(text, f"营业收入为{liabilities}。")
    report = _verify(memo_zh, wrong)
    assert not report.ok
    bad = [u for u in report.unsupported if u.text in liabilities]
    assert bad and "total_current_liabilities" in bad[0].reason and "revenue" in bad[0].reason
    right = _add_paragraph(text, f"营业收入为{_yi(_value(snap, 'revenue'))}。")
    assert _verify(memo_zh, right).ok


def test_a_value_of_another_period_under_the_period_named_fails(memo_zh):
    snap, text = memo_zh[0], memo_zh[1]
    q2 = next(f.value for f in snap.facts if f.key == "revenue" and f.span.label == "2026Q2")
    assert _verify(memo_zh, _add_paragraph(text, f"2026Q2营业收入为{_yi(q2)}。")).ok
    report = _verify(memo_zh, _add_paragraph(text, f"2026Q3营业收入为{_yi(q2)}。"))
    assert not report.ok and "2026-06-30" in report.summary()


def test_a_change_on_the_wrong_basis_fails(memo_zh):
    text = memo_zh[1]
    assert "同比下降 28.2%，环比下降 9.3%" in text
    report = _verify(memo_zh, text.replace("同比下降 28.2%，环比下降 9.3%", "环比下降 28.2%，同比下降 9.3%"))
    assert not report.ok and {u.text for u in report.unsupported} >= {"28.2%", "9.3%"}


@pytest.mark.parametrize("old,new,kind", [
    ("已构成违约", "已达标", "covenant"),
    ("虽达标但余量仅", "虽违约但余量仅", "covenant"),
    ("五级分类建议：次级", "五级分类建议：正常", "classification"),
    ("系统评级为 E", "系统评级为 B", "grade"),
    ("同比下降 28.2%", "同比增长 28.2%", "direction"),
    ("较上期上升 2.4个百分点", "较上期下降 2.4个百分点", "direction"),
    ("余量持续收窄（17.8%", "余量持续扩大（17.8%", "direction"),
    ("营业收入下降，由", "营业收入增长，由", "direction"),
])
def test_a_contradicted_claim_fails(memo_zh, old, new, kind):
    text = memo_zh[1]
    assert old in text
    report = _verify(memo_zh, text.replace(old, new, 1))
    assert not report.ok
    assert [c.kind for c in report.contradictions] == [kind], report.summary()


@pytest.mark.parametrize("old,new,kind", [
    ("the covenant is breached", "the covenant is met", "covenant"),
    ("classification: substandard", "classification: normal", "classification"),
    ("The system grade is E", "The system grade is A", "grade"),
    ("down 28.2% year on year", "up 28.2% year on year", "direction"),
])
def test_a_contradicted_claim_fails_in_english(memo_en, old, new, kind):
    text = memo_en[1]
    assert old in text
    report = _verify(memo_en, text.replace(old, new, 1))
    assert not report.ok and [c.kind for c in report.contradictions] == [kind], report.summary()


def test_the_issue_dscr_sentence_fails(memo_zh):
    """"DSCR 0.69倍，基本达到>=1.20倍…无需采取措施": the covenant is breached (status from the facts)."""
    from dataclasses import replace

    from assistant.memo.claims import CovenantState

    snap, text, allowed, tables, claims = memo_zh
    dscr = replace(claims, covenants=claims.covenants + [CovenantState("项目贷款", "dscr", "breach")])
    wrong = _add_paragraph(text, "偿债备付率基本达到>=1.20倍的要求，无需采取措施。", "## 4.")
    report = verify_memo(wrong, allowed, tables=tables, claims=dscr)
    assert not report.ok and [c.kind for c in report.contradictions] == ["covenant"]


def test_the_officers_opinion_section_may_disagree_and_is_reported(memo_zh):
    text = memo_zh[1]
    opinion = "\n## 信贷员意见\n\n本人认为流动比率违约系季节性因素，全部财务约束实质均达标，五级分类建议正常。预计四季度回款3,000万元。\n"
    report = _verify(memo_zh, text.rstrip() + "\n" + opinion)
    assert report.ok, report.summary()
    assert report.opinions and "not blocking" in report.summary()
    kinds = {o.kind for o in report.opinions if not isinstance(o, str)}
    assert {"covenant", "classification"} <= kinds
    # the same words outside the marked section block
    report = _verify(memo_zh, _add_paragraph(text, "全部财务约束均达标，五级分类建议正常。", "## 4."))
    assert not report.ok


def test_the_chat_guard_ties_numbers_to_labels_too():
    snap = declining_client()
    allowed = allowed_from_facts(snap.facts)
    liabilities = _yi(_value(snap, "total_current_liabilities"))
    assert check(f"2026年三季度流动负债合计{liabilities}。", allowed).ok
    wrong = check(f"2026年三季度营业收入{liabilities}。", allowed)
    assert not wrong.ok and wrong.mislabelled and wrong.mislabelled[0][2].key == "total_current_liabilities"
    assert check(f"2026年三季度营业收入{liabilities}。", allowed, bind=False).ok  # the number alone exists


def test_a_value_standing_alone_is_of_the_memos_period(memo_zh):
    """"毛利率 27.4%" where 27.4% is last year's gross margin: no period named, so this quarter's."""
    text = memo_zh[1]
    assert "毛利率 17.0%，较上期下降 3.5个百分点" in text and "| 毛利率 | 17.0%[^6] | 20.5%[^7] | 27.4%[^9]" in text
    report = _verify(memo_zh, text.replace("毛利率 17.0%，较上期下降", "毛利率 27.4%，较上期下降", 1))
    assert not report.ok and "27.4%" in {u.text for u in report.unsupported}
    # a series or a comparison word names the other periods: "由 20.5% 变为 17.0%" stays fine
    assert _verify(memo_zh, _add_paragraph(text, "毛利率由 20.5% 变为 17.0%。")).ok


def test_a_labelled_number_that_only_some_term_equals_fails(memo_zh):
    """The facility's 4.35% rate is allowed, but not as the net margin."""
    report = _verify(memo_zh, _add_paragraph(memo_zh[1], "净利润率 4.35%。"))
    assert not report.ok and "4.35%" in {u.text for u in report.unsupported}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_benchmark_plants_one_claim_of_each_kind_and_each_is_caught(memo_zh, memo_en, seed):
    """eval.claims' alterations on the fixture memos: each changes the text, and verification fails."""
    import random

    from eval.claims import KINDS, plants

    for bundle, lang in ((memo_zh, "zh"), (memo_en, "en")):
        made = plants(bundle[1], lang, random.Random(seed))
        assert set(made) == set(KINDS), set(KINDS) - set(made)
        for kind, (altered, what) in made.items():
            assert altered != bundle[1]
            report = _verify(bundle, altered)
            assert not report.ok, f"{kind}: {what}"


def test_a_grade_move_must_go_the_way_the_letters_go():
    from assistant.memo.claims import ClaimFacts, check_claims

    facts = ClaimFacts(span=None, grade="C", prior_grade="A")  # type: ignore[arg-type]
    assert check_claims("- The risk grade moved down from A to C.\n- 风险评级由 A 下调至 C。\n", facts) == []
    wrong = check_claims("- The risk grade moved up from A to C.\n- 风险评级由 A 上调至 C。\n- 风险评级由 B 下调至 C。\n", facts)
    found = {(c.kind, c.claim) for c in wrong}
    assert {("direction", "up"), ("direction", "上调"), ("grade", "B")} <= found
    assert {c.context for c in wrong} == {"- The risk grade moved up from A to C.", "- 风险评级由 A 上调至 C。", "- 风险评级由 B 下调至 C。"}


def test_a_direction_word_said_of_another_subject_is_not_read_as_the_figures():
    """Regression: "资产负债率上升、流动性下降" read 下降 as said of 资产负债率 (a false alarm that blocked approval)."""
    from decimal import Decimal

    from assistant.memo.claims import ClaimFacts, check_claims

    facts = ClaimFacts(span=None, changes={("debt_to_assets", "qoq"): Decimal("0.06"), ("debt_to_assets", "yoy"): Decimal("0.07")})  # type: ignore[arg-type]
    assert check_claims("- **依据：** 营业收入同比下滑（需求下降）、经营活动现金流为负、资产负债率上升、流动性下降。\n", facts) == []
    wrong = check_claims("- 资产负债率较上期下降。\n- 资产负债率上升、同比下降。\n", facts)
    assert [c.claim for c in wrong] == ["下降", "下降"]  # said of the figure itself (alone, or after a basis word): still caught
