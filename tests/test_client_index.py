"""Naming a client through the index (``companies._index``) finds what the scan over every client found.

``match_client`` used to try every name form of every visible client against the question (at
10,000 clients most of a portfolio question's time); it now looks the question's substrings,
words and three-character runs up in an index built once per client list. The expected matches
in tests/fixtures/client_matches.json were written by the scan (``match_client`` at commit
42ee931, before the index), for the questions below and, under ``real_data``, the 2,186
questions under shared/data/questions against clients named after their companies (with and
without short names, so the fuzzy paths are taken too). They are the old matcher's answers,
never regenerated from the new one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.chat.companies import ClientName, match_client

FIXTURE = Path(__file__).parent / "fixtures" / "client_matches.json"

_DEMO = [ClientName(1, "华信光伏电力有限公司", ("华信光伏", "Huaxin Solar"), "光伏发电"),
         ClientName(2, "江华高速公路有限公司", ("江华高速", "Jianghua Expressway"), "收费公路"),
         ClientName(3, "清源水务环保有限公司", ("清源水务", "Qingyuan Water"), "污水处理"),
         ClientName(4, "鼎盛化纤制造有限公司", ("鼎盛化纤", "Dingsheng Chemical Fibre"), "化纤制造"),
         ClientName(5, "贵州茅台酒股份有限公司"), ClientName(6, "Netflix, Inc."), ClientName(7, "Amazon.com, Inc."),
         ClientName(8, "Best Buy Co., Inc."), ClientName(9, "Square, Inc.", ("Block",)),
         ClientName(10, "宁远高速公路有限公司", ("宁远高速", "toll road")), ClientName(11, "The Home Depot, Inc."),
         ClientName(12, "MGM Resorts International"), ClientName(13, "Costco Wholesale Corporation"),
         ClientName(14, "American Express Company"), ClientName(15, "American Water Works Company, Inc."),
         ClientName(16, "万科企业股份有限公司"), ClientName(17, "上海浦东发展银行股份有限公司"), ClientName(18, "Ulta Beauty, Inc.")]

#: asked of the demo-like clients above plus a generated book's (压力测试客户NNNN有限公司, alias 客户NNNN)
ASKED = [
    "哪些客户需要重点关注？", "需要重点关注的前10家客户", "客户0007的资产负债率是多少", "压力测试客户0012有限公司的契约情况",
    "客户0123和客户0124谁的杠杆更高", "压力测试客户 0007", "客户007的评级", "测试客户0099", "压力测试客户00", "客户12",
    "华信光伏2024年的流动比率", "华信光伏电力的DSCR", "华信电力的情况", "江华高速公路和宁远高速公路对比", "江华高速的契约余量",
    "高速公路客户有哪些", "the toll road's DSCR", "What is Netflix's operating margin?", "Netflx revenue 2023",
    "How did Costco do in FY2023?", "Costo gross margin", "MGM leverage", "MGN leverage", "American Express net income",
    "american water works capex", "Home Depot current ratio", "the home depot inc revenue", "Block's revenue", "block chain",
    "Square Inc revenue", "square", "Best Buy's inventory", "bestbuy", "Amazon.com revenue", "amazon com", "Ulta revenue",
    "ulta beauty inc", "贵州茅台的营业收入", "茅台酒的毛利率", "贵州茅台酒股份有限公司2023年年报", "万科A的资产负债率",
    "上海浦东发展的不良率", "浦东发展银行", "清源水务环保的污水处理量", "鼎盛化纤制造", "鼎盛的杠杆", "Dingsheng Chemical",
    "Qingyuan Water", "huaxin solar dscr", "Jianghua Expressway headroom", "exposure by industry", "rank by dscr",
    "Which clients breach a covenant?", "列出所有客户的敞口", "客户0000", "客户9999", "压力测试客户0199有限公司", "",
]


def _generated(n: int, start: int) -> list[ClientName]:
    return [ClientName(start + i, f"压力测试客户{i:04d}有限公司", (f"客户{i:04d}",), "project finance") for i in range(n)]


def demo_clients() -> list[ClientName]:
    return sorted(_DEMO + _generated(200, 100), key=lambda c: c.name)  # list_clients orders by name


def question_clients(data: Path, short_names: bool) -> list[ClientName]:
    """Clients named after the companies the question files ask about (finglm's legal and short names, FinanceBench's)."""
    names: dict[str, tuple[str, ...]] = {}
    for line in (data / "questions" / "finglm_A.jsonl").read_text(encoding="utf-8").splitlines():
        p = json.loads(line).get("prompt") or {}
        if p.get("ent_name"):
            names[p["ent_name"]] = (p["ent_short_name"],) if short_names and p.get("ent_short_name") else ()
    for f in ("figures_dev", "financebench_dev"):
        for line in (data / "questions" / f"{f}.jsonl").read_text(encoding="utf-8").splitlines():
            names.setdefault(json.loads(line)["company"], ())
    return [ClientName(i, n, a) for i, (n, a) in enumerate(sorted(names.items()), 1)]


def question_texts(data: Path) -> list[str]:
    out = []
    for f in ("finglm_A", "figures_dev", "financebench_dev"):
        out += [json.loads(line)["question"] for line in (data / "questions" / f"{f}.jsonl").read_text(encoding="utf-8").splitlines()]
    return out


def matches(questions: list[str], clients: list[ClientName]) -> list[list | None]:
    out = []
    for q in questions:
        ref = match_client(q, clients)
        out.append(None if ref is None else [ref.client_id, ref.name, ref.score])
    return out


def _expected(key: str) -> list:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))[key]


def test_the_index_names_the_clients_the_scan_named():
    want = _expected("demo")
    got = matches(ASKED, demo_clients())
    assert got == want
    assert sum(w is None for w in want) >= 3 and sum(w is not None and w[2] < 1 for w in want) >= 5  # fuzzy and none among them


def test_a_changed_client_list_is_a_new_index():
    clients = demo_clients()
    assert match_client("客户0007的评级", clients).client_name == "压力测试客户0007有限公司"
    renamed = [ClientName(c.id, "改名客户有限公司", ("改名客户",)) if c.name == "压力测试客户0007有限公司" else c for c in clients]
    ref = match_client("客户0007的评级", renamed)
    assert ref.client_name != "压力测试客户0007有限公司" and ref.score < 1
    assert match_client("改名客户的评级", renamed).client_name == "改名客户有限公司"
    assert match_client("改名客户的评级", clients) is None or match_client("改名客户的评级", clients).client_name != "改名客户有限公司"


@pytest.mark.real_data
@pytest.mark.parametrize("short_names", [True, False])
def test_the_questions_name_the_clients_the_scan_named(shared_data, short_names):
    want = _expected("questions_short" if short_names else "questions_names")
    got = matches(question_texts(shared_data), question_clients(shared_data, short_names))
    assert len(got) == len(want) == 2186
    assert got == want
