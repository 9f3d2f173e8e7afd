"""The flat (CSV / Excel) form of the portfolio file: rows → the nested ``PortfolioFile``.

The format is documented in ``assistant.portfolio_io``. Steps: ``_read_csv`` / ``_read_xlsx``
(cells as text, dates and exact numbers) → ``_group`` (rows by table) → ``_nest`` (facilities
with their schedule, securities and covenants under their clients), each row validated on
its own so that an error names the table and row it is in.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.errors import ConfigError

#: table → the names a ``record`` cell or a sheet may give it (case-insensitive)
TABLES: dict[str, tuple[str, ...]] = {
    "facilities": ("facilities", "facility", "授信", "额度", "贷款"),
    "schedule": ("schedule", "instalment", "installment", "repayment", "还款计划", "还款"),
    "securities": ("securities", "security", "collateral", "guarantee", "担保", "抵质押", "保证"),
    "covenants": ("covenants", "covenant", "约束条款", "财务约束"),
}
_TABLE_OF = {name.lower(): table for table, names in TABLES.items() for name in names}
_FACILITY_KEYS = ("currency", "drawn", "outstanding", "drawdown_date", "maturity_date", "rate", "reporting_days",
                  "annual_reporting_days", "inspection_days", "collateral", "guarantors")
_HINT = "see `loanwatch facility import --help` and the assistant/portfolio_io.py docstring for the columns"


def read_tables(path: Path):  # noqa: ANN201 - PortfolioFile (imported late: portfolio_io imports this module)
    """A CSV or Excel portfolio file as a validated ``PortfolioFile``."""
    rows = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xlsx(path)
    return _nest(path.name, _group(path.name, rows))


# ---------------------------------------------------------------- reading cells


def _cell(value: Any) -> Any:
    """A cell as the validators want it: text stripped, exact numbers, dates; empty → None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)  # the shortest decimal of the stored double
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    return text or None


def _read_csv(path: Path) -> list[tuple[str | None, int, dict[str, Any]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            return [(None, i, {(k or "").strip().lower(): _cell(v) for k, v in row.items() if k})
                    for i, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"cannot read {path.name} as a UTF-8 CSV file ({exc})", hint=_HINT) from exc


def _read_xlsx(path: Path) -> list[tuple[str | None, int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ConfigError(f"cannot read {path.name} as an Excel workbook ({type(exc).__name__}: {exc})", hint=_HINT) from exc
    out: list[tuple[str | None, int, dict[str, Any]]] = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if not header:
                continue
            names = [str(h).strip().lower() if h is not None else "" for h in header]
            for i, values in enumerate(rows, start=2):
                row = {n: _cell(v) for n, v in zip(names, values) if n}
                if any(v is not None for v in row.values()):
                    out.append((ws.title, i, row))
    finally:
        wb.close()
    return out


# ---------------------------------------------------------------- rows → tables → nested file


def _group(file: str, rows: list[tuple[str | None, int, dict[str, Any]]]) -> dict[str, list[tuple[str, dict]]]:
    tables: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for sheet, number, row in rows:
        record = row.pop("record", None)
        name = record or sheet
        table = _TABLE_OF.get(str(name or "").strip().lower())
        where = f"{file} {sheet + ' ' if sheet else ''}row {number}"
        if table is None:
            raise ConfigError(f"{where}: {name!r} is not a table of the portfolio file "
                              f"(one of {', '.join(TABLES)})", hint=_HINT)
        if table == "securities" and not row.get("kind") and str(record or "").lower() in ("collateral", "guarantee"):
            row["kind"] = str(record).lower()
        tables[table].append((where, row))
    return tables


def _validated(model: type[BaseModel], where: str, data: dict) -> BaseModel:
    try:
        return model.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "row"
        raise ConfigError(f"{where}: {field}: {first['msg']}", hint=_HINT) from exc


def _key(where: str, row: dict) -> tuple[str, str]:
    client, facility = row.pop("client", None), row.pop("facility", None)
    if not client or not facility:
        raise ConfigError(f"{where}: every row needs its client and facility", hint=_HINT)
    return str(client), str(facility)


def _nest(file: str, tables: dict[str, list[tuple[str, dict]]]):  # noqa: ANN202 - PortfolioFile
    from assistant.portfolio_io import ClientIn, CovenantIn, FacilityIn, PortfolioFile, RepaymentIn, SecurityIn

    clients: dict[str, dict] = {}
    facilities: dict[tuple[str, str], dict] = {}
    for where, row in tables.get("facilities", []):
        client, name = _key(where, row)
        if (client, name) in facilities:
            raise ConfigError(f"{where}: facility {name!r} of {client!r} is listed twice", hint=_HINT)
        c = clients.setdefault(client, {"name": client, "aliases": [], "facilities": []})
        for attr in ("industry", "officer"):
            if row.get(attr):
                c[attr] = row[attr]
        if row.get("aliases"):
            c["aliases"] += [a.strip() for a in str(row["aliases"]).replace("；", ";").split(";") if a.strip()]
        amount = row.get("limit") if row.get("limit") is not None else row.get("amount")
        data = {"name": name, "amount": amount, **{k: row.get(k) for k in _FACILITY_KEYS}}
        facility = _validated(FacilityIn, where, data).model_dump(exclude_unset=True)  # an empty cell: not given
        facilities[(client, name)] = facility
        c["facilities"].append(facility)
    children = (("schedule", RepaymentIn), ("securities", SecurityIn), ("covenants", CovenantIn))
    for table, model in children:
        for where, row in tables.get(table, []):
            key = _key(where, row)
            if key not in facilities:
                raise ConfigError(f"{where}: facility {key[1]!r} of {key[0]!r} is not in the facilities table",
                                  hint="list every facility in the facilities table (or sheet) of the same file")
            # a kind is given for a facility only by its rows (assistant.facility_merge); an empty cell is not given
            facilities[key].setdefault(table, []).append(_validated(model, where, row).model_dump(exclude_unset=True))
    if not facilities:
        raise ConfigError(f"{file}: no facility rows found", hint=_HINT)
    try:
        return PortfolioFile(clients=[ClientIn.model_validate(c) for c in clients.values()])
    except ValidationError as exc:
        raise ConfigError(f"{file}: {exc.errors()[0]['msg']}", hint=_HINT) from exc


__all__ = ["TABLES", "read_tables"]
