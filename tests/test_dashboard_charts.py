"""The dashboard's charts draw exactly the rows of its tables, each with a legend, titled axes and both languages.

The home is ``tests/book_support.make_book_home`` (光伏发电 300,000,000 and 物流 60,000,000: 83.3% and
16.7% of the book, so the default 25% single-industry limit is exceeded by 光伏发电 alone).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.book_support import make_book_home
from tests.clock import TODAY
from tests.ui_support import using_home


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    from assistant.dashboard_data import dashboard
    from assistant.store import close_stores, open_store

    home = make_book_home(tmp_path_factory.mktemp("charts") / "home")
    with using_home(home):
        close_stores()
        yield dashboard(open_store(), as_of=TODAY, board=None)
        close_stores()


def _column(table, name: str) -> list:  # noqa: ANN001
    i = table.columns.index(name)
    return [r[i] for r in table.rows]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_chart_draws_its_tables_numbers(board, lang):
    from ui.dashboard import figures

    figs = figures(board, lang)
    for key in ("by_grade", "by_class"):
        bars = figs[key].data[0]
        assert list(bars.x) == _column(board.tables[key], board.tables[key].columns[0])
        assert [Decimal(str(v)) for v in bars.y] == _column(board.tables[key], "exposure")
    shares = figs["by_industry"].data[0]
    assert list(shares.x) == _column(board.tables["by_industry"], "industry")
    assert [Decimal(str(v)) for v in shares.y] == _column(board.tables["by_industry"], "share")
    heat = figs["heat_map"].data[0]
    assert list(heat.y) == [r[0] for r in board.tables["heat_map"].rows]
    assert [[Decimal(str(v)) for v in row] for row in heat.z] == [r[1:] for r in board.tables["heat_map"].rows]
    assert sum(Decimal(str(v)) for v in figs["by_grade"].data[0].y) == board.total
    for fig in figs.values():
        assert fig.layout.showlegend and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_the_industry_chart_draws_the_configured_concentration_limit_and_the_summary_names_what_exceeds_it(board, monkeypatch):
    from ui.dashboard import _summary, figures

    assert board.industry_limit == Decimal("0.25")  # LOANWATCH_INDUSTRY_LIMIT's default
    assert board.over_limit() == [("光伏发电", Decimal("0.8333"))]
    zh, en = figures(board, "zh")["by_industry"], figures(board, "en")["by_industry"]
    (line,) = [t for t in zh.data if t.type == "scatter"]
    assert set(line.y) == {0.25} and line.name == "单一行业集中度上限 25%"
    assert [t.name for t in en.data] == ["Industry share", "Single-industry limit 25%"]
    assert (zh.layout.title.text, en.layout.title.text) == ("行业集中度", "Industry concentration")
    assert "光伏发电 83.3%" in _summary(board)
    board.industry_limit = Decimal("0.9")
    try:
        assert board.over_limit() == [] and "超限" not in _summary(board)
    finally:
        board.industry_limit = Decimal("0.25")


def test_the_limit_comes_from_the_setting():
    import os

    from assistant.config import get_settings, reset_settings

    os.environ["LOANWATCH_INDUSTRY_LIMIT"] = "0.4"
    reset_settings()
    try:
        assert get_settings().industry_limit == Decimal("0.4")
    finally:
        os.environ.pop("LOANWATCH_INDUSTRY_LIMIT")
        reset_settings()


def test_the_client_trend_chart_has_a_legend_with_the_covenant_line_and_titled_axes():
    from ui.charts import ratio_trends

    series = {"debt_to_assets": {"periods": ["2026Q1", "2026Q2"], "values": [Decimal("0.65"), Decimal("0.72")],
                                 "threshold": Decimal("0.70"), "operator": "<="}}
    fig = ratio_trends(series, "en")
    names = [t.name for t in fig.data]
    assert fig.layout.showlegend and any("Covenant <= 0.70" in n for n in names) and "Covenant breached" in names
    assert [float(v) for v in fig.data[0].y] == [0.65, 0.72]
    assert fig.layout.xaxis.title.text == "Quarter" and fig.layout.yaxis.title.text
    zh = ratio_trends(series, "zh")
    assert zh.layout.xaxis.title.text == "季度" and any("约束 <= 0.70" in t.name for t in zh.data)
