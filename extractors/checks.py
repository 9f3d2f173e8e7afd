"""The accounting identities of FIGURES.md, per column → warnings (never silent fixes).

Sign-aware: filings print costs, tax or outflows in parentheses, so each identity is tried
with the printed signs and, where a term may be printed either way, with its absolute value;
a column passes when one reading holds within half the printed unit (times the number of
rounded terms). Identities whose inputs are not all printed are skipped.

A statement that lacks one of its core figures (``vocabulary.CORE``: total assets and the other
side's total; revenue and net profit; the three net cash flows) says so first: "core figure not
found (核心科目缺失): …", so a statement that cannot be used is never silently incomplete.
"""

from __future__ import annotations

from decimal import Decimal

from extractors.models import Statement
from extractors.vocabulary import CORE


def _tol(unit: int, terms: int) -> Decimal:
    return Decimal(unit) * Decimal("0.5") * max(1, terms - 1) + Decimal("0.005")


def _close(a: Decimal, b: Decimal, unit: int, terms: int) -> bool:
    return abs(a - b) <= _tol(unit, terms)


def missing_core(st: Statement) -> list[str]:
    """The core figures of FIGURES.md that the statement lacks (a key whose row has no figure counts as
    missing); each entry names the alternatives ("revenue or total_operating_revenue")."""
    have = {i.key for i in st.items if i.key and any(v is not None for v in i.values)}
    out = []
    for need in CORE.get(st.kind, ()):
        if not any(all(k in have for k in alt.split("+")) for alt in need):
            out.append(" or ".join(a.replace("+", " + ") for a in need))
    return out


def check_statement(st: Statement) -> list[str]:
    out: list[str] = []
    missing = missing_core(st)
    if missing:
        out.append(f"core figure not found (核心科目缺失): {'; '.join(missing)} — the statement cannot be fully used")
    return out + [msg for _, _, msg in identity_failures(st)]


def identity_failures(st: Statement) -> list[tuple[int, tuple[str, ...], str]]:
    """Each failed identity as (column index, the keys it reads, message): the figures one of which is wrong."""
    out: list[tuple[int, tuple[str, ...], str]] = []
    for ci, col in enumerate(st.columns):
        name = col.label or (col.period_end.isoformat() if col.period_end else f"column {ci + 1}")

        def v(key: str) -> Decimal | None:
            return st.value(key, ci)

        def fail(keys: tuple[str, ...], msg: str) -> None:
            out.append((ci, keys, msg))

        u = st.unit
        if st.kind == "balance_sheet":
            ta, tl, te, tle = v("total_assets"), v("total_liabilities"), v("total_equity"), v("total_liabilities_and_equity")
            if ta is not None and tle is not None and not _close(ta, tle, u, 2):
                fail(("total_assets", "total_liabilities_and_equity"),
                     f"{name}: total assets {ta} ≠ total liabilities and equity {tle}")
            if ta is not None and tl is not None and te is not None and not _close(ta, tl + te, u, 3):
                mi = v("minority_interests")
                if not (mi is not None and _close(ta, tl + te + mi, u, 4)):
                    fail(("total_assets", "total_liabilities", "total_equity"),
                         f"{name}: total assets {ta} ≠ total liabilities {tl} + total equity {te}")
            tca, tnca = v("total_current_assets"), v("total_non_current_assets")
            if ta is not None and tca is not None and tnca is not None and not _close(ta, tca + tnca, u, 3):
                fail(("total_assets", "total_current_assets", "total_non_current_assets"),
                     f"{name}: total assets {ta} ≠ current {tca} + non-current {tnca}")
            tcl, tncl = v("total_current_liabilities"), v("total_non_current_liabilities")
            if tl is not None and tcl is not None and tncl is not None and not _close(tl, tcl + tncl, u, 3):
                fail(("total_liabilities", "total_current_liabilities", "total_non_current_liabilities"),
                     f"{name}: total liabilities {tl} ≠ current {tcl} + non-current {tncl}")
        elif st.kind == "income_statement":
            tp, tax, np_ = v("total_profit"), v("income_tax"), v("net_profit")
            if tp is not None and tax is not None and np_ is not None:
                if not (_close(tp - abs(tax), np_, u, 3) or _close(tp + tax, np_, u, 3) or _close(tp - tax, np_, u, 3)):
                    others = [i.values[ci] for i in st.items if i.key is None and ci < len(i.values) and i.values[ci] is not None]
                    # an after-tax line (equity-method income) may sit between pre-tax and net income
                    if not any(_close(tp + tax + o, np_, u, 4) or _close(tp - tax + o, np_, u, 4) for o in others):
                        fail(("total_profit", "income_tax", "net_profit"),
                             f"{name}: profit before tax {tp} − income tax {tax} ≠ net profit {np_}")
        elif st.kind == "cash_flow":
            op, inv, fin, chg = v("net_cash_operating"), v("net_cash_investing"), v("net_cash_financing"), v("net_change_in_cash")
            if None not in (op, inv, fin, chg):
                total = op + inv + fin
                if not _close(total, chg, u, 4):
                    fx = [i.values[ci] for i in st.items if i.key is None and ci < len(i.values) and i.values[ci] is not None
                          and any(w in i.label.lower() for w in ("exchange", "汇率", "foreign currency"))]
                    # the reconciling rows printed between the last net cash flow and the net change (FX, cash of
                    # assets reclassified as held for sale …) all count
                    rows = [i.key for i in st.items]
                    last = max(rows.index(k) for k in ("net_cash_operating", "net_cash_investing", "net_cash_financing"))
                    between = [i.values[ci] for i in st.items[last + 1:rows.index("net_change_in_cash")]
                               if i.key is None and ci < len(i.values) and i.values[ci] is not None]
                    bridged = bool(between) and _close(total + sum(between, Decimal(0)), chg, u, 4 + len(between))
                    if not bridged and not any(_close(total + f, chg, u, 5) for f in fx):
                        fail(("net_cash_operating", "net_cash_investing", "net_cash_financing", "net_change_in_cash"),
                             f"{name}: operating {op} + investing {inv} + financing {fin} ≠ net change in cash {chg}")
    return out
