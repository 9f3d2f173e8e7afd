"""The FinanceBench scoring rules of ``eval/_ask_financebench.py`` (reference parsing, tolerance, abstain, citations)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.chat.answer import Citation
from eval._ask_financebench import cites_evidence, judge, question_scale, reference_number

D = Decimal


@pytest.mark.parametrize("text, expected", [
    ("93.86", (D("93.86"), False, 2)),
    ("$1,616.00", (D("1616.00"), False, 2)),
    ("30.8%", (D("30.8"), True, 1)),
    ("-42%", (D("-42"), True, 0)),
    ("$-3.5", (D("-3.5"), False, 1)),
    ("36%. The answer here assumes FY2023 refers to …", (D("36"), True, 0)),
    ("Yes, there was a decline of ~42%", None),
    ("Lower marketing expenses", None),
])
def test_reference_number(text, expected):
    assert reference_number(text) == expected


def test_scale_named_by_the_question():
    assert question_scale("What is X's total current liabilities (in USD millions)?") == D("1e6")
    assert question_scale("in USD thousands") == D("1e3")
    assert question_scale("What is the DPO?") == D(1)


def test_judge_rules():
    q = "What is the ratio? Round your answer to two decimal places."
    assert judge(q, "1.73", D("1.7341"), "ratio", 2) == "correct"
    assert judge(q, "1.73", D("1.80"), "ratio", 2) == "wrong"
    assert judge(q, "1.73", None, None, 2) == "abstain"
    assert judge(q, "Yes, it fell", D("1"), "ratio", 2) == "not scored"
    # 1% relative when the stated rounding differs
    assert judge("in USD millions", "$5466.00", D("5466312000"), "amount", None) == "correct"
    assert judge("in USD millions", "$5466.00", D("5466312"), "amount", None) == "wrong"
    assert judge("round to one decimal place", "30.8%", D("30.796"), "percent", 1) == "correct"
    assert judge("round to one decimal place", "30.8%", D("31.2"), "percent", 1) == "wrong"


def test_citation_must_hit_an_evidence_page():
    q = {"evidence": [{"doc_name": "AMAZON_2017_10K", "evidence_page_num": 37}]}
    assert cites_evidence(q, [Citation(document="AMAZON_2017_10K.pdf", page=38)])
    assert not cites_evidence(q, [Citation(document="AMAZON_2017_10K.pdf", page=37)])
    assert not cites_evidence(q, [Citation(document="NETFLIX_2017_10K.pdf", page=38)])
