"""A small home with the bank's facility data loaded from CSV (tests of the book, the dashboard page).

``make_book_home(path)`` builds ``tests/ui_support.make_ui_home`` (示例新能源 and 远洋物流, their
officers and a reviewer) and then imports ``FACILITIES_CSV`` through the real import path:
远洋物流's balances, a schedule with an instalment unpaid since 2026-07-31 (102 days before the
session's fixed day, 2026-11-10), collateral and a guarantee. The CSV's drawdown date and reporting
days change the YAML's stored facility, so the import proposes them (``E<id>``) and the home's
reviewer confirms them, as a second person does in the bank.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui_support import CLIENT_B, make_ui_home, using_home

HEADER = ("record,client,facility,limit,currency,drawn,outstanding,drawdown_date,maturity_date,reporting_days,annual_reporting_days,"
          "due,principal,interest,paid_on,paid_amount,kind,description,provider,value,valuation_date")
FACILITIES_CSV = HEADER + f"""
facility,{CLIENT_B},流动资金贷款,80000000,CNY,80000000,60000000,2025-06-30,2028-06-30,30,120,,,,,,,,,,
instalment,{CLIENT_B},流动资金贷款,,,,,,,,,2026-04-30,10000000,900000,2026-04-30,10900000,,,,,
instalment,{CLIENT_B},流动资金贷款,,,,,,,,,2026-07-31,10000000,800000,,,,,,,
instalment,{CLIENT_B},流动资金贷款,,,,,,,,,2026-11-15,10000000,700000,,,,,,,
collateral,{CLIENT_B},流动资金贷款,,,,,,,,,,,,,,,仓库及土地使用权抵押,远洋物流股份有限公司,45000000,2026-03-31
guarantee,{CLIENT_B},流动资金贷款,,,,,,,,,,,,,,,连带责任保证,远洋集团有限公司,80000000,
"""


def make_book_home(path: Path) -> Path:
    from assistant.access import get_user
    from assistant.makerchecker import review
    from assistant.portfolio_io import import_portfolio
    from assistant.store import close_stores, open_store

    make_ui_home(path)
    csv = path.parent / f"{path.name}_facilities.csv"
    csv.write_text(FACILITIES_CSV, encoding="utf-8")
    with using_home(path):
        close_stores()
        store = open_store()
        for ident in import_portfolio(store, csv, actor="test").edits:
            review(store, f"E{ident}", get_user(store, "reviewer"), "confirm")
        close_stores()
    return path
