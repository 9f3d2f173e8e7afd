"""Every table that grants power or holds facts is in the chain: a row inserted, edited or deleted
behind the ledger's back is named by `audit verify` (SQLite and PostgreSQL), and a user row
inserted directly — even an admin — cannot log in (issue 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from assistant import access, ledger, sessions
from assistant.domain import Covenant, Facility, Repayment, quarter_span
from assistant.store import repo
from assistant.store.db import Store, init_db
from assistant.store.schema import IndexStateRow, StatementReviewRow
from tests.test_store import balance, income, statement_result

NOW = dt.datetime(2026, 11, 10, 9, 0, 0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path, monkeypatch):
    monkeypatch.delenv("LOANWATCH_ANCHOR_FILE", raising=False)
    url = f"sqlite:///{tmp_path / 'c.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    st = Store(url)
    init_db(st)
    _populate(st)
    yield st
    st.dispose()


def _populate(st: Store) -> None:
    q3 = quarter_span(2026, 3)
    result = statement_result("Chain Co", [income([q3], {"revenue": ["1000"]}), balance([q3.end], {"total_assets": ["5000"]})])
    with st.transaction() as s:
        client = repo.add_client(s, "Chain Co")
        repo.add_client(s, "Other Co")
        repo.upsert_facility(s, client, Facility(
            name="loan", amount=Decimal("1000000"), covenants=[Covenant("current_ratio", ">=", Decimal("1.2"))],
            schedule=[Repayment(dt.date(2027, 3, 31), Decimal("100000"), Decimal("4000"))]))
        repo.upsert_facility(s, client, Facility(name="spare", amount=Decimal("5000")))  # no children: can be deleted
        doc = repo.store_document(s, client, sha256="b" * 64, kind="statement", name="q3.pdf",
                                  stored_path="documents/b.pdf", extraction=result)
        doc2 = repo.store_document(s, client, sha256="c" * 64, kind="filing", name="f.pdf", stored_path="documents/c.pdf")
        repo.store_document(s, client, sha256="d" * 64, kind="filing", name="g.pdf", stored_path="documents/d.pdf")
        s.flush()
        statement_id = s.execute(text("SELECT min(id) FROM statements")).scalar_one()
        review = StatementReviewRow(statement_id=statement_id, document_id=doc.id, client_id=client.id, warnings=["w"],
                                    uploaded_by="a", confirmed_by="b", reason="checked")
        s.add(review)
        s.flush()
        ledger.record(s, review, action="statement.confirm", actor="b")
        for d in (doc, doc2):
            s.add(IndexStateRow(document_id=d.id, chunks=3))
            s.flush()
            ledger.append(s, actor="system", action="index_state.index", entity="index_state", entity_id=d.id)
        access.add_user(s, "officer_a", "officer", "officer-a-pass", clients=[client.id])
        access.add_user(s, "spare", "officer", "spare-pass-123")
    sessions.open_session(st, "officer_a", kind="cli", now=NOW)


def _problems(st: Store) -> list[str]:
    with st.session() as s:
        return [str(p) for p in ledger.verify(s, anchor=None)]


def _sql(st: Store, sql: str) -> None:
    with st.engine.begin() as conn:
        conn.execute(text(sql))


def _one(st: Store, sql: str):  # noqa: ANN202
    with st.engine.begin() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_the_populated_store_verifies(store):
    assert _problems(store) == []


# (table, how to insert, edit, delete one row, the name verify gives the row)
CASES = [
    ("users",
     "INSERT INTO users (name, role, password_hash, display_name, active, created_at) "
     "VALUES ('mallory', 'admin', 'x', 'm', TRUE, '2026-01-01')",
     "UPDATE users SET role = 'admin' WHERE name = 'officer_a'",
     "DELETE FROM users WHERE name = 'spare'",
     "user {id}"),
    ("assignments",
     "INSERT INTO assignments (user_id, client_id) SELECT id, 1 FROM users WHERE name = 'spare'",
     "UPDATE assignments SET client_id = 2",
     "DELETE FROM assignments",
     "assignment {id} (user {parent})"),
    ("facilities",
     "INSERT INTO facilities (client_id, name, amount, currency, collateral, guarantors, reporting_days) "
     "VALUES (1, 'ghost', '9', 'CNY', '', '', 45)",
     "UPDATE facilities SET amount = '1' WHERE name = 'loan'",
     "DELETE FROM facilities WHERE name = 'spare'",
     "facility {id}"),
    ("covenants",
     "INSERT INTO covenants (facility_id, metric, operator, threshold, frequency, grace_days, description) "
     "VALUES (1, 'dscr', '>=', '0.1', 'quarterly', 0, '')",
     "UPDATE covenants SET threshold = '0.5'",
     "DELETE FROM covenants",
     "covenant {id} (facility {parent})"),
    ("repayments",
     "INSERT INTO repayments (facility_id, due, principal, interest) VALUES (1, '2027-06-30', '1', '0')",
     "UPDATE repayments SET paid_on = '2027-03-31', paid_amount = '104000'",
     "DELETE FROM repayments",
     "repayment {id} (facility {parent})"),
    ("index_state",
     "INSERT INTO index_state (document_id, chunks, indexed_at) VALUES (3, 1, '2026-01-01')",  # never indexed
     "UPDATE index_state SET chunks = 0 WHERE document_id = 1",
     "DELETE FROM index_state WHERE document_id = 2",
     "index_state {id}"),
    ("statement_reviews",
     "INSERT INTO statement_reviews (statement_id, document_id, client_id, warnings, uploaded_by, confirmed_by, reason,"
     " confirmed_at) SELECT max(id), 1, 1, '[]', 'x', 'x', 'x', '2026-01-01' FROM statements",
     "UPDATE statement_reviews SET confirmed_by = 'mallory'",
     "DELETE FROM statement_reviews",
     "statement_review {id}"),
    ("auth_sessions",
     "INSERT INTO auth_sessions (user_id, token_hash, kind, created_at, expires_at, last_seen_at) "
     "SELECT id, 'f', 'cli', '2026-01-01', '2099-01-01', '2026-01-01' FROM users WHERE name = 'spare'",
     "UPDATE auth_sessions SET expires_at = '2099-01-01'",
     "DELETE FROM auth_sessions",
     "session {id}"),
]


def _ids(st: Store, table: str) -> set[int]:
    pk = "document_id" if table == "index_state" else "id"
    with st.engine.begin() as conn:
        return {r for (r,) in conn.execute(text(f"SELECT {pk} FROM {table}"))}


def _parent(st: Store, table: str, row_id: int) -> int | None:
    fk = {"assignments": "user_id", "covenants": "facility_id", "repayments": "facility_id"}.get(table)
    return _one(st, f"SELECT {fk} FROM {table} WHERE id = {row_id}") if fk else None


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_an_inserted_row_is_named(store, case):
    table, insert, _, _, name = case
    before = _ids(store, table)
    _sql(store, insert)
    (new,) = _ids(store, table) - before
    want = name.format(id=new, parent=_parent(store, table, new))
    problems = _problems(store)
    assert any(p.startswith(want + ":") and "not in the ledger" in p for p in problems), problems


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_an_edited_row_is_named(store, case):
    table, _, edit, _, name = case
    before = _ids(store, table)
    for stmt in edit.split("; "):
        _sql(store, stmt)
    problems = _problems(store)
    after = _ids(store, table)
    changed = [name.format(id=i, parent=_parent(store, table, i)) for i in after]
    assert problems, f"editing {table} went unnoticed"
    if after == before:  # the row kept its id: named as changed
        assert any(p.split(":")[0] in changed and "was changed" in p for p in problems), problems
    else:  # the id itself was edited: the old row reads as deleted, the new one as inserted
        assert any("was deleted" in p for p in problems) and any("not in the ledger" in p for p in problems), problems


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_deleted_row_is_named(store, case):
    table, _, _, delete, name = case
    parents = {i: _parent(store, table, i) for i in _ids(store, table)}
    _sql(store, delete)
    gone = set(parents) - _ids(store, table)
    assert gone
    problems = _problems(store)
    for row_id in gone:
        want = name.format(id=row_id, parent=parents[row_id])
        assert any(p.startswith(want + ":") and "was deleted" in p for p in problems), (want, problems)


def test_an_admin_inserted_directly_fails_verify_and_cannot_log_in(store):
    password_hash = access.hash_password("mallory-pass-1")
    _sql(store, "INSERT INTO users (name, role, password_hash, display_name, active, created_at) "
                f"VALUES ('mallory', 'admin', '{password_hash}', 'M', TRUE, '2026-01-01')")
    mallory = _one(store, "SELECT id FROM users WHERE name = 'mallory'")
    assert f"user {mallory}: is not in the ledger (inserted directly in the database)" in _problems(store)
    assert not access.authenticate(store, "mallory", "mallory-pass-1")
    result = sessions.login(store, "mallory", "mallory-pass-1", now=NOW)
    assert not result.ok and result.user is None


def test_a_user_promoted_directly_cannot_log_in_and_its_sessions_stop(store):
    token = sessions.open_session(store, "officer_a", kind="cli", now=NOW)
    assert sessions.session_user(token, store=store, now=NOW).role == "officer"
    _sql(store, "UPDATE users SET role = 'admin' WHERE name = 'officer_a'")
    assert not sessions.login(store, "officer_a", "officer-a-pass", now=NOW).ok
    with pytest.raises(sessions.SessionError, match="ledger"):
        sessions.session_user(token, store=store, now=NOW)


def test_a_session_inserted_directly_is_refused(store):
    token = "forged-token"
    digest = __import__("hashlib").sha256(token.encode()).hexdigest()
    _sql(store, "INSERT INTO auth_sessions (user_id, token_hash, kind, created_at, expires_at, last_seen_at) "
                f"SELECT id, '{digest}', 'cli', '2026-11-10 09:00:00', '2099-01-01', '2026-11-10 09:00:00' "
                "FROM users WHERE name = 'officer_a'")
    with pytest.raises(sessions.SessionError, match="ledger"):
        sessions.session_user(token, store=store, now=NOW)


def test_a_database_indexed_before_0007_upgrades_and_verifies_clean(tmp_path, monkeypatch):
    """index_state was derived data before 0007: its rows are adopted into the ledger once, by the migration."""
    from alembic import command

    from tests.test_store import _alembic_config

    monkeypatch.delenv("LOANWATCH_ANCHOR_FILE", raising=False)
    st = Store(f"sqlite:///{tmp_path / 'old.db'}")
    with st.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0004")
    with st.transaction() as s:
        client = repo.add_client(s, "Old Co")
        doc = repo.store_document(s, client, sha256="e" * 64, kind="filing", name="o.pdf", stored_path="documents/e.pdf")
        s.flush()
        s.execute(text(f"INSERT INTO index_state (document_id, chunks, indexed_at) VALUES ({doc.id}, 4, '2026-01-01')"))
    init_db(st)
    assert _problems(st) == []
    with st.session() as s:
        top = ledger.head(s)
        assert (top.actor, top.action, top.entity, top.entity_id) == ("migration 0007", "index_state.adopt", "index_state",
                                                                      doc.id)
    _sql(st, "UPDATE index_state SET chunks = 0")
    assert _problems(st) == [f"index_state {doc.id}: was changed in the database since ledger #{top.seq} (index_state.adopt)"]
    st.dispose()
