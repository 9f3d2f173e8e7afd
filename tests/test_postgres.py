"""The CLI against a real PostgreSQL server (LOANWATCH_DB_URL), as a bank would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.store.db import Store

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.postgres


PASSWORD = "a-long-password"  # every user of these tests (LOANWATCH_PASSWORD for --as)


def _cli(home: Path, url: str, *args: str, wait: bool = True, stdin: str | None = None):
    env = {**os.environ, "LOANWATCH_HOME": str(home), "LOANWATCH_DB_URL": url, "OMP_NUM_THREADS": "1",
           "LOANWATCH_PASSWORD": PASSWORD}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", *args], cwd=REPO, env=env,
                            stdin=subprocess.PIPE if wait else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return proc
    out, err = proc.communicate(input=stdin, timeout=180)
    return proc.returncode, out, err


def _add_user(home: Path, url: str, name: str, role: str, *extra: str) -> None:
    rc, _, err = _cli(home, url, "user", "add", name, "--role", role, "--password-stdin", *extra, stdin=PASSWORD + "\n")
    assert rc == 0, err


def test_cli_end_to_end_on_postgres(tmp_path, pg_database):
    home = tmp_path / "home"
    portfolio = tmp_path / "book.yaml"
    portfolio.write_text(
        "clients:\n"
        "  - name: 污水处理项目有限公司\n"
        "    aliases: [污水处理项目]\n"
        "    industry: wastewater\n"
        "    facilities:\n"
        "      - name: 项目贷款\n"
        "        amount: '300000000.00'\n"
        "        rate: '0.041'\n"
        "        covenants: [{metric: debt_to_assets, operator: '<=', threshold: '0.75'}]\n"
        "        schedule: [{due: 2026-12-20, principal: '15000000', interest: '6150000'}]\n",
        encoding="utf-8",
    )
    assert _cli(home, pg_database, "facility", "import", str(portfolio))[0] == 0
    note = tmp_path / "2026-10现场检查.txt"
    note.write_text("现场检查\n污水处理项目有限公司\n检查日期：2026年10月8日\n二期工程停工。\n", encoding="utf-8")
    rc, out, err = _cli(home, pg_database, "ingest", str(note), "--no-index")
    assert rc == 0, err
    assert "stored     2026-10现场检查.txt → 污水处理项目有限公司" in out
    _add_user(home, pg_database, "root", "admin")  # the home's first user: an admin, added in setup
    _add_user(home, pg_database, "li.na", "officer", "--clients", "污水处理项目", "--as", "root")
    rc, out, err = _cli(home, pg_database, "figures", "set", "污水处理项目", "2026Q3", "revenue", "12,500,000.50",
                        "--reason", "from the signed management accounts", "--as", "li.na")
    assert rc == 0, err
    assert out.startswith("C1 污水处理项目有限公司 revenue 2026Q3: none → 12500000.5 (by li.na: from the signed management "
                          "accounts); pending")
    rc, out, err = _cli(home, pg_database, "figures", "confirm", "C1", "--as", "root")  # migration 0005 on PostgreSQL
    assert rc == 0 and "confirmed by root" in out, err
    rc, out, _ = _cli(home, pg_database, "client", "show", "污水处理项目", "--json")
    assert rc == 0 and '"amount": "300000000"' in out and '"kind": "inspection"' in out
    rc, out, err = _cli(home, pg_database, "audit", "verify")
    # 5 + 3 user entries and the confirmation + 3 logins (each --as password check is recorded: root, li.na, root)
    assert rc == 0 and out.startswith("ledger OK: 12 entries"), err
    assert not (home / "loanwatch.db").exists()  # everything went to PostgreSQL

    st = Store(pg_database)
    with st.engine.begin() as conn:
        conn.execute(text("UPDATE corrections SET new_value = 99"))
    st.dispose()
    rc, _, err = _cli(home, pg_database, "audit", "verify")
    assert rc == 1 and err.startswith("correction 1: was changed in the database")


def test_two_processes_ingesting_at_once_keep_one_chain(tmp_path, pg_database):
    home = tmp_path / "home"
    folders = []
    for n in range(2):
        folder = tmp_path / f"batch{n}"
        folder.mkdir()
        for i in range(6):
            (folder / f"{n}-{i}-inspection.txt").write_text(f"Site visit {n}.{i}: all normal.\n", encoding="utf-8")
        folders.append(folder)
    assert _cli(home, pg_database, "client", "add", "Shared Co")[0] == 0
    procs = [_cli(home, pg_database, "ingest", str(f), "--client", "Shared Co", "--no-index", "--workers", "1",
                  wait=False) for f in folders]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    st = Store(pg_database)
    with st.engine.connect() as conn:
        seqs = [r for (r,) in conn.execute(text("SELECT seq FROM ledger ORDER BY seq"))]
        docs = conn.execute(text("SELECT count(*) FROM documents")).scalar_one()
    st.dispose()
    assert docs == 12 and seqs == list(range(1, 1 + 1 + 12 * 2))  # client, then document + note per file
    rc, out, err = _cli(home, pg_database, "audit", "verify")
    assert rc == 0, err


def test_flagged_statement_is_confirmed_by_a_second_user_on_postgres(tmp_path, pg_database):
    """Migration 0004 on PostgreSQL: a planted report is flagged, the uploader is refused, a reviewer confirms."""
    import json

    from tests.test_review import COVER, _report

    home = tmp_path / "home"
    pdf = _report(tmp_path / "planted.pdf", planted=True, cover=COVER)
    assert _cli(home, pg_database, "client", "add", "示例能源股份有限公司", "--alias", "示例能源")[0] == 0
    _add_user(home, pg_database, "root", "admin")
    for name, role in (("maker", "officer"), ("checker", "reviewer")):
        _add_user(home, pg_database, name, role, "--clients", "示例能源", "--as", "root")
    rc, out, err = _cli(home, pg_database, "ingest", str(pdf), "--client", "示例能源", "--no-index", "--by", "maker")
    assert rc == 0 and "FLAGGED FOR REVIEW" in out, err
    rc, out, err = _cli(home, pg_database, "review", "list", "--json")
    (item,) = json.loads(out)
    assert item["uploaded_by"] == "maker" and item["kind"] == "balance_sheet"
    rc, _, err = _cli(home, pg_database, "review", "confirm", item["ref"], "--by", "maker", "--reason", "mine")
    assert rc == 1 and "second person" in err
    rc, out, err = _cli(home, pg_database, "review", "confirm", item["ref"], "--by", "checker", "--reason", "checked")
    assert rc == 0 and "confirmed by checker" in out, err
    rc, out, err = _cli(home, pg_database, "audit", "verify")
    assert rc == 0, err


def test_the_book_on_postgres(tmp_path, pg_database):
    """CSV import with collateral, the watch list and a warning item through the CLI; the ledger agrees."""
    from tests.book_support import FACILITIES_CSV

    home = tmp_path / "home"
    csv = tmp_path / "book.csv"
    csv.write_text(FACILITIES_CSV.replace("远洋物流股份有限公司", "港口物流有限公司"), encoding="utf-8")
    rc, out, err = _cli(home, pg_database, "facility", "import", str(csv))
    assert rc == 0 and "1 client(s) added" in out, err
    from assistant.access import add_user

    st = Store(pg_database)
    with st.transaction() as s:
        add_user(s, "officer_p", "officer", PASSWORD, clients=["港口物流"])
    st.dispose()
    rc, out, err = _cli(home, pg_database, "book", "--json", "--as-of", "2026-11-10", "--as", "officer_p")
    assert rc == 0, err

    (client,) = json.loads(out)["clients"]
    (f,) = client["facilities"]
    assert (f["exposure"], f["days_past_due"], f["collateral_value"]) == ("60000000", 102, "45000000")
    rc, out, err = _cli(home, pg_database, "watch", "add", "港口物流", "--reason", "逾期102天", "--as", "officer_p")
    assert rc == 0, err
    rc, out, err = _cli(home, pg_database, "watch", "remove", "港口物流", "--reason", "已重组", "--as", "officer_p")
    assert rc == 0, err
    rc, out, err = _cli(home, pg_database, "audit", "verify")
    assert rc == 0 and out.startswith("ledger OK"), err


def _two_reviewers(tmp_path, pg_database):  # noqa: ANN001, ANN202
    """A home with one client (港口物流) and two reviewers of it, rev_a and rev_b."""
    home = tmp_path / "home"
    assert _cli(home, pg_database, "client", "add", "港口物流有限公司", "--alias", "港口物流")[0] == 0
    _add_user(home, pg_database, "root", "admin")
    for name in ("rev_a", "rev_b"):
        _add_user(home, pg_database, name, "reviewer", "--clients", "港口物流", "--as", "root")
    return home


def test_a_covenant_loosened_by_import_waits_for_a_second_reviewer_on_postgres(tmp_path, pg_database):
    """NUMERIC(38, 10) thresholds on PostgreSQL: the pending change's old value still matches at confirmation."""
    import re
    from decimal import Decimal

    from sqlalchemy import select

    from assistant.store.schema import CovenantRow

    home = _two_reviewers(tmp_path, pg_database)
    header = "record,client,facility,limit,metric,operator,threshold\nfacility,港口物流有限公司,流动资金贷款,80000000,,,\n"
    first, loose = tmp_path / "first.csv", tmp_path / "loose.csv"
    first.write_text(header + "covenant,港口物流有限公司,流动资金贷款,,debt_to_assets,<=,0.60\n", encoding="utf-8")
    loose.write_text(header + "covenant,港口物流有限公司,流动资金贷款,,debt_to_assets,<=,0.80\n", encoding="utf-8")
    assert _cli(home, pg_database, "facility", "import", str(first), "--as", "rev_a")[0] == 0
    rc, out, err = _cli(home, pg_database, "facility", "import", str(loose), "--as", "rev_a")
    (ref,) = re.findall(r"covenant change\(s\) pending a second person, not applied: (E\d+)", out)
    rc, out, err = _cli(home, pg_database, "facility", "import", str(loose), "--as", "rev_a")
    assert rc == 0 and "covenant change" not in out, err  # the same file again proposes nothing
    rc, _, err = _cli(home, pg_database, "exposure", "confirm", ref, "--as", "rev_a")
    assert rc == 1 and "second person" in err
    st = Store(pg_database)
    with st.session() as s:
        assert s.execute(select(CovenantRow.threshold)).scalar_one() == Decimal("0.6")  # still the stored test
    rc, out, err = _cli(home, pg_database, "exposure", "confirm", ref, "--as", "rev_b")
    assert rc == 0, err
    with st.session() as s:
        assert s.execute(select(CovenantRow.threshold)).scalar_one() == Decimal("0.8")
    st.dispose()
    rc, out, err = _cli(home, pg_database, "audit", "verify")
    assert rc == 0 and out.startswith("ledger OK"), err


def test_a_smaller_instalment_and_longer_reporting_days_by_import_wait_for_a_second_reviewer_on_postgres(tmp_path, pg_database):
    """NUMERIC(38, 10) amounts on PostgreSQL: an instalment's proposed principal still matches its stored value at confirmation."""
    import re
    from decimal import Decimal

    from sqlalchemy import select

    from assistant.store.schema import FacilityRow, RepaymentRow

    home = _two_reviewers(tmp_path, pg_database)
    header = "record,client,facility,limit,reporting_days,due,principal,interest\n"
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(header + "facility,港口物流有限公司,流动资金贷款,80000000,30,,,\n"
                              "instalment,港口物流有限公司,流动资金贷款,,,2026-12-31,10000000.00,800000\n", encoding="utf-8")
    later.write_text(header + "facility,港口物流有限公司,流动资金贷款,80000000,120,,,\n"
                              "instalment,港口物流有限公司,流动资金贷款,,,2026-12-31,1000000,800000.00\n", encoding="utf-8")
    rc, out, err = _cli(home, pg_database, "facility", "import", str(first), "--as", "rev_a")
    assert rc == 0 and "pending" not in out, err  # a new facility and its schedule: added directly
    rc, out, err = _cli(home, pg_database, "facility", "import", str(later), "--as", "rev_a")
    refs = re.findall(r"E\d+", re.search(r"instalments or securities pending a second person, not applied: ([E\d, ]+)", out).group(1))
    assert rc == 0 and len(refs) == 2, err
    rc, out, err = _cli(home, pg_database, "facility", "import", str(later), "--as", "rev_a")
    assert rc == 0 and "pending" not in out, err  # the same file again proposes nothing
    for ref in refs:
        rc, _, err = _cli(home, pg_database, "exposure", "confirm", ref, "--as", "rev_a")
        assert rc == 1 and "second person" in err
    st = Store(pg_database)
    with st.session() as s:
        assert (s.execute(select(RepaymentRow.principal)).scalar_one(), s.execute(select(FacilityRow.reporting_days)).scalar_one()) \
            == (Decimal(10_000_000), 30)  # still the stored schedule and terms
    for ref in refs:
        rc, out, err = _cli(home, pg_database, "exposure", "confirm", ref, "--as", "rev_b")
        assert rc == 0, err
    with st.session() as s:
        assert (s.execute(select(RepaymentRow.principal)).scalar_one(), s.execute(select(FacilityRow.reporting_days)).scalar_one()) \
            == (Decimal(1_000_000), 120)
    st.dispose()
    rc, out, err = _cli(home, pg_database, "audit", "verify")
    assert rc == 0 and out.startswith("ledger OK"), err
