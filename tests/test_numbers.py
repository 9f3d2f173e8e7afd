"""Printed cell text → Decimal | None (extractors.numbers)."""

from decimal import Decimal

import pytest

from extractors.numbers import is_value_token, parse_cell, parse_number, scale


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("36,091,090,060.90", Decimal("36091090060.90")),
        ("(238,204)", Decimal("-238204")),
        ("-437,417,306.80", Decimal("-437417306.80")),
        ("（1,234）", Decimal("-1234")),  # full-width parentheses
        ("１２３．４", Decimal("123.4")),  # full-width digits and point
        ("$1,093", Decimal("1093")),
        ("7", Decimal("7")),
        ("0.23", Decimal("0.23")),
    ],
)
def test_numbers_parse_exactly(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "-", "—", "–", "－", "--"])
def test_dash_and_empty_are_not_reported_never_zero(text):
    assert parse_number(text) is None


def test_percent_is_flagged_and_kept_as_printed():
    cell = parse_cell("(0.1%)")
    assert cell.percent and cell.value == Decimal("-0.1")
    assert parse_cell("100.0%").value == Decimal("100.0")


def test_text_is_not_a_number():
    with pytest.raises(ValueError):
        parse_cell("1.0 billion")
    assert not is_value_token("$")
    assert not is_value_token("30,")
    assert is_value_token("—") and is_value_token("(7)")


def test_scale_is_exact_decimal_arithmetic():
    assert scale(Decimal("0.1"), 10_000) == Decimal("1000.0")
    assert scale(Decimal("452,030".replace(",", "")), 1000) == Decimal("452030000")
    assert scale(None, 1000) is None
