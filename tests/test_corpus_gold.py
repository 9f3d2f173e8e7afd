"""Our own gold figures on corpus documents (tests/data/corpus_gold) are well formed and consistent.

No PDF is needed: every record is checked for format (fields, canonical key of its kind, dates,
value = printed × unit, null exactly when the printed cell is empty or a dash) and every column
for the accounting identities of shared/spec/FIGURES.md, sign-aware (a cost or a tax printed in
parentheses is negative). The cash-flow checks use the auxiliary rows of ``<name>.aux.jsonl``
(FX effect, opening cash), kept apart so that scoring sees only canonical keys.

The checks are plain functions so that a corrupted copy of a real gold file can be shown to fail.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from extractors.vocabulary import BY_KEY

GOLD_DIR = Path(__file__).parent / "data" / "corpus_gold"
FIELDS = {"doc", "kind", "scope", "period_start", "period_end", "key", "value", "printed", "label", "page", "unit"}
AUX_KEYS = {"aux:fx_effect", "aux:cash_begin", "aux:other_cash_change"}
UNITS = {1, 1_000, 10_000, 1_000_000}
DASHES = {"", "-", "—", "–", "－", "--"}
_NUM = re.compile(r"^[(（]?-?[\d,]+(\.\d+)?[)）]?$")


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.gold.jsonl"))


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _printed_value(printed: str) -> Decimal:
    neg = printed.startswith(("(", "（", "-"))
    return -Decimal(printed.strip("()（）").lstrip("-").replace(",", "")) if neg else Decimal(printed.strip("()（）").replace(",", ""))


def format_errors(records: list[dict], doc: str, aux: bool = False) -> list[str]:
    """Every way a record breaks the format of shared/data/README.md (empty list when none)."""
    errs: list[str] = []
    seen: set[tuple] = set()
    for i, r in enumerate(records):
        where = f"line {i + 1} ({r.get('key')})"
        extra_fields = {"in_net_change"} if aux and r.get("key") in ("aux:fx_effect", "aux:other_cash_change") else set()
        if set(r) != FIELDS | extra_fields:
            errs.append(f"{where}: fields {sorted(set(r) ^ (FIELDS | extra_fields))}")
            continue
        if r["doc"] != doc:
            errs.append(f"{where}: doc {r['doc']!r} is not the file's PDF {doc!r}")
        if r["scope"] != "consolidated":
            errs.append(f"{where}: scope {r['scope']!r}")
        if aux:
            if r["key"] not in AUX_KEYS or r["kind"] != "cash_flow":
                errs.append(f"{where}: not an auxiliary cash-flow row")
        elif r["key"] not in BY_KEY:
            errs.append(f"{where}: unknown key")
        elif BY_KEY[r["key"]].kind != r["kind"]:
            errs.append(f"{where}: key of kind {BY_KEY[r['key']].kind}, record kind {r['kind']}")
        try:
            end = dt.date.fromisoformat(r["period_end"])
            if r["kind"] == "balance_sheet":
                if r["period_start"] is not None:
                    errs.append(f"{where}: a balance sheet has no period_start")
            elif not dt.date.fromisoformat(r["period_start"]) < end:
                errs.append(f"{where}: period_start not before period_end")
        except (TypeError, ValueError):
            errs.append(f"{where}: bad dates {r['period_start']!r}..{r['period_end']!r}")
        if not (isinstance(r["page"], int) and r["page"] >= 1):
            errs.append(f"{where}: page {r['page']!r}")
        per_share = r["key"] in BY_KEY and BY_KEY[r["key"]].per_share or r["key"].endswith("_eps")
        if r["unit"] not in UNITS or (per_share and r["unit"] != 1):
            errs.append(f"{where}: unit {r['unit']!r}")
        if not isinstance(r["label"], str) or not r["label"].strip():
            errs.append(f"{where}: empty label")
        printed, value = r["printed"], r["value"]
        if printed in DASHES:
            if value is not None:
                errs.append(f"{where}: printed {printed!r} must be null, value {value}")
        elif not _NUM.match(printed):
            errs.append(f"{where}: printed {printed!r} is not a number")
        elif value is None or Decimal(str(value)) != _printed_value(printed) * r["unit"]:
            errs.append(f"{where}: value {value} ≠ printed {printed} × unit {r['unit']}")
        k = (r["kind"], r["period_start"], r["period_end"], r["key"])
        if k in seen:
            errs.append(f"{where}: duplicate column/key {k}")
        seen.add(k)
    return errs


def _columns(records: list[dict]) -> dict[tuple, dict[str, Decimal | None]]:
    cols: dict[tuple, dict] = defaultdict(dict)
    for r in records:
        cols[(r["kind"], r["period_start"], r["period_end"])][r["key"]] = None if r["value"] is None else Decimal(str(r["value"]))
    return cols


def identity_results(records: list[dict], aux: list[dict]) -> list[tuple[str, tuple, Decimal]]:
    """(identity, column, difference) for every identity whose inputs the column holds."""
    cols = _columns(records)
    fx_in = {(a["period_start"], a["period_end"]): a.get("in_net_change", True) for a in aux if a["key"] == "aux:fx_effect"}
    for a in aux:
        cols[(a["kind"], a["period_start"], a["period_end"])][a["key"]] = None if a["value"] is None else Decimal(str(a["value"]))
    out = []

    def have(c, *keys):
        return all(c.get(k) is not None for k in keys)

    def zero(c, k):
        return c.get(k) or Decimal(0)

    for col, c in cols.items():
        kind = col[0]
        if kind == "balance_sheet":
            if have(c, "total_assets", "total_liabilities", "total_equity"):
                out.append(("TA = TL + TE", col, c["total_assets"] - c["total_liabilities"] - c["total_equity"]))
            if have(c, "total_assets", "total_liabilities_and_equity"):
                out.append(("TA = TLE", col, c["total_assets"] - c["total_liabilities_and_equity"]))
            if have(c, "total_assets", "total_current_assets", "total_non_current_assets"):
                out.append(("TA = TCA + TNCA", col, c["total_assets"] - c["total_current_assets"] - c["total_non_current_assets"]))
            if have(c, "total_liabilities", "total_current_liabilities", "total_non_current_liabilities"):
                out.append(("TL = TCL + TNCL", col, c["total_liabilities"] - c["total_current_liabilities"] - c["total_non_current_liabilities"]))
            if have(c, "total_equity", "equity_attributable_to_parent"):
                # sign-aware: a US statement may print the NCI share as a deduction in parentheses
                a = c["total_equity"] - c["equity_attributable_to_parent"] - zero(c, "minority_interests")
                b = c["total_equity"] - c["equity_attributable_to_parent"] + zero(c, "minority_interests")
                out.append(("TE = parent + NCI (sign-aware)", col, min(a, b, key=abs)))
        elif kind == "income_statement":
            if have(c, "net_profit", "total_profit", "income_tax"):
                # sign-aware: tax printed as a positive expense is subtracted, printed in parentheses it is added
                a, b = c["total_profit"] - c["income_tax"] - c["net_profit"], c["total_profit"] + c["income_tax"] - c["net_profit"]
                out.append(("NP = TP − tax (sign-aware)", col, min(a, b, key=abs)))
            if have(c, "net_profit", "net_profit_attributable_to_parent"):
                a = c["net_profit"] - c["net_profit_attributable_to_parent"] - zero(c, "minority_interest_income")
                b = c["net_profit"] - c["net_profit_attributable_to_parent"] + zero(c, "minority_interest_income")
                out.append(("NP = parent + NCI (sign-aware)", col, min(a, b, key=abs)))
        else:
            if have(c, "net_cash_operating", "operating_cash_inflow", "operating_cash_outflow"):
                a = c["operating_cash_inflow"] - c["operating_cash_outflow"] - c["net_cash_operating"]
                b = c["operating_cash_inflow"] + c["operating_cash_outflow"] - c["net_cash_operating"]
                out.append(("NCO = inflow − outflow (sign-aware)", col, min(a, b, key=abs)))
            inside = fx_in.get(col[1:], True)
            fx = zero(c, "aux:fx_effect") + zero(c, "aux:other_cash_change")  # held-for-sale reclassification, too
            if have(c, "net_change_in_cash", "net_cash_operating", "net_cash_investing", "net_cash_financing"):
                out.append(("NCC = O + I + F (+FX)", col, c["net_cash_operating"] + c["net_cash_investing"] + c["net_cash_financing"]
                            + (fx if inside else 0) - c["net_change_in_cash"]))
            if have(c, "cash_end", "aux:cash_begin", "net_change_in_cash"):
                out.append(("end = begin + NCC (+FX)", col, c["aux:cash_begin"] + c["net_change_in_cash"] + (0 if inside else fx) - c["cash_end"]))
    return out


def _tolerance(records: list[dict]) -> Decimal:
    """Half of the printed unit; cents where the statement prints cents."""
    unit = max((r["unit"] for r in records if not r["key"].endswith("_eps")), default=1)
    return Decimal("0.005") if unit == 1 else Decimal(unit) / 2


def identity_errors(records: list[dict], aux: list[dict]) -> list[str]:
    tol = _tolerance(records)
    return [f"{name} fails in {col}: difference {diff}" for name, col, diff in identity_results(records, aux) if abs(diff) > tol]


def _aux_path(path: Path) -> Path:
    return path.with_name(path.name.replace(".gold.jsonl", ".aux.jsonl"))


def test_there_is_own_gold():
    assert len(gold_files()) >= 7, f"expected the corpus gold files in {GOLD_DIR}"


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.name)
def test_gold_file_format(path: Path):
    doc = path.name.replace(".gold.jsonl", ".pdf")
    records = load(path)
    assert records, "an empty gold file must be explained in the README, not left silent"
    assert format_errors(records, doc) == []
    if _aux_path(path).exists():
        assert format_errors(load(_aux_path(path)), doc, aux=True) == []


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.name)
def test_gold_file_identities(path: Path):
    records = load(path)
    aux = load(_aux_path(path)) if _aux_path(path).exists() else []
    errors = identity_errors(records, aux)
    if errors and not aux:
        errors.append(f"(no {_aux_path(path).name}: the FX effect and opening cash rows the cash-flow checks need go there)")
    assert errors == []
    # not vacuous: every column of every statement is covered by at least one identity
    checked = {col for _, col, _ in identity_results(records, aux)}
    columns = {(r["kind"], r["period_start"], r["period_end"]) for r in records}
    assert columns <= checked, f"columns without any identity check: {sorted(columns - checked, key=str)}"


def _first_real() -> tuple[list[dict], list[dict], str]:
    # a Chinese template report: it prints empty cells (nulls) and has every identity's inputs
    path = next(p for p in gold_files() if _aux_path(p).exists() and not p.name.isascii())
    return load(path), load(_aux_path(path)), path.name.replace(".gold.jsonl", ".pdf")


def test_checks_catch_a_corrupted_copy():
    records, aux, doc = _first_real()
    assert identity_errors(records, aux) == [] and format_errors(records, doc) == []

    bad = copy.deepcopy(records)
    ta = next(r for r in bad if r["key"] == "total_assets")
    ta["value"] += 1_000  # a misread digit
    ta["printed"] = f"{Decimal(str(ta['value'])) / ta['unit']:,}"
    assert any("TA = " in e for e in identity_errors(bad, aux))

    bad = copy.deepcopy(records)
    ncc = next(r for r in bad if r["key"] == "net_change_in_cash" and r["value"])
    ncc["value"] = -ncc["value"]  # a lost sign
    assert any("NCC" in e for e in identity_errors(bad, aux)) and format_errors(bad, doc)

    bad = copy.deepcopy(records)
    bad[0]["key"] = "net_profit"  # a balance-sheet row under an income key
    assert any("kind" in e for e in format_errors(bad, doc))

    bad = copy.deepcopy(records)
    nul = next(r for r in bad if r["value"] is None)
    nul["value"] = 0  # a dash recorded as zero
    assert any("must be null" in e for e in format_errors(bad, doc))

    bad = copy.deepcopy(records)
    cash_end = next(r for r in bad if r["key"] == "cash_end" and r["value"])
    bad.remove(cash_end)
    bad.append(dict(cash_end, value=cash_end["value"] * 10))  # unit applied twice
    assert format_errors(bad, doc) and identity_errors(bad, aux)


def test_eval_skips_own_gold_with_the_reason(tmp_path):
    from eval.extraction import score_corpus_gold

    rows, skipped = score_corpus_gold(tmp_path)
    assert rows == [] and "corpus absent" in skipped[0]
    (tmp_path / "corpus" / "zh").mkdir(parents=True)
    rows, skipped = score_corpus_gold(tmp_path)
    assert rows == [] and len(skipped) == len(gold_files())
    assert all("not found under" in s for s in skipped)


def test_a_refused_span_is_an_abstention_not_a_correct_value_nor_a_hidden_one():
    """A flow column whose start the extractor refused is counted apart: out of precision, missed in recall."""
    from decimal import Decimal

    from eval.extraction import _totals, score

    gold = {("income_statement", "consolidated", "2021-12-26", "2022-04-02", "revenue"): Decimal(100),
            ("income_statement", "consolidated", "2020-12-27", "2021-03-27", "revenue"): Decimal(90),
            ("balance_sheet", "consolidated", None, "2022-04-02", "total_assets"): Decimal(500)}
    got = {("income_statement", "consolidated", None, "2022-04-02", "revenue"): Decimal(100),  # refused start
           ("income_statement", "consolidated", "2020-12-27", "2021-03-27", "revenue"): Decimal(90),
           ("balance_sheet", "consolidated", None, "2022-04-02", "total_assets"): Decimal(500),
           ("balance_sheet", "consolidated", None, "2021-12-25", "total_assets"): Decimal(450)}  # not in gold: extra
    s = score(gold, got)
    assert (s["correct"], s["wrong"], s["missed"], s["extra"], s["refused"]) == (2, 0, 1, 1, 1)
    assert s["precision"] == 2 / 3 and s["recall"] == 2 / 3
    t = _totals([dict(s, doc="x")])
    assert t["precision_refused_as_wrong"] == 2 / 4
