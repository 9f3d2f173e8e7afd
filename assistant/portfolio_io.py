"""Client and facility set-up from a YAML, JSON, CSV or Excel file (a bank bulk-loads its book).

YAML or JSON (nested)::

    clients:
      - name: 示例新能源股份有限公司
        aliases: [示例新能源]
        industry: solar
        officer: zhang.wei
        facilities:
          - name: 项目贷款A
            amount: "500000000"
            currency: CNY
            drawdown_date: 2024-03-01
            maturity_date: 2034-03-01
            rate: "0.042"
            covenants:
              - {metric: current_ratio, operator: ">=", threshold: "1.2"}
            drawn: "450000000"           # drawn so far; outstanding: what is still owed
            outstanding: "425000000"
            reporting_days: 30           # quarterly statements due 30 days after the quarter end
            annual_reporting_days: 120   # audited annual statements due 120 days after the year end
            inspection_days: 90          # a site visit at least every 90 days
            schedule:
              - {due: 2026-12-20, principal: "25000000", interest: "5250000"}
              - {due: 2026-09-20, principal: "25000000", interest: "5250000", paid_on: 2026-09-20, paid_amount: "30250000"}
            securities:                  # collateral and guarantees with values and valuation dates
              - {kind: collateral, description: 电站收费权质押, value: "620000000", valuation_date: 2026-06-30}
              - {kind: guarantee, provider: 示例集团有限公司, value: "500000000"}
    facilities:            # facilities of clients that already exist (or are listed above)
      - client: 示例新能源
        name: 流动资金贷款
        amount: "80000000"

Money is read as text or integers (a float in the file is refused: it has already lost digits).

CSV or Excel (flat, one row per record; the bank's core-system export): every row names its
``client`` and ``facility``, and its table says what it is. In an Excel workbook the table is
the sheet's name; in a CSV file (UTF-8, a header row) it is the ``record`` column (an Excel
sheet with a ``record`` column is read the same way):

============  ========================================  ===========================================
table         ``record`` values (CSV) / sheet names     columns (besides client, facility)
============  ========================================  ===========================================
facilities    facility, 授信, 额度                         limit (or amount), currency, drawn, outstanding,
                                                        drawdown_date, maturity_date, rate,
                                                        reporting_days, annual_reporting_days,
                                                        inspection_days, collateral, guarantors,
                                                        industry, officer, aliases (separated by ;)
schedule      instalment, schedule, 还款计划                due, principal, interest, paid_on, paid_amount
securities    collateral, guarantee, security, 担保         kind (collateral | guarantee; the record value
                                                        when it is one of them), description, provider,
                                                        value, currency, valuation_date
covenants     covenant, 约束条款                            metric, operator, threshold, frequency,
                                                        grace_days, description
============  ========================================  ===========================================

Dates are ISO (2026-09-20) or Excel dates; empty cells are absent values. An Excel number is
taken as the shortest decimal that reads back as the stored double (what Excel displays), so
``25000000`` and ``0.042`` arrive exactly; type long or exact amounts as text to be sure. Each
bad row is reported with its table and row number.

An import changes only what its file gives (``assistant.facility_merge``): an empty cell or a
missing key keeps the stored value, and a facility's covenants, schedule or securities are
touched only where the file lists that kind for it (rows of that table; the key in YAML/JSON,
even ``covenants: []``) or ``complete`` (``--replace KIND``) names the kind for every facility of
the file. Listed records are matched to stored ones by their natural key and updated or added; a
stored record the file leaves out is only *proposed* for removal, pending a second person's
confirmation (``E<id>``, ``loanwatch exposure confirm``): a file of balances from the core system
never deletes a covenant. Likewise new values for what decides a stored record's tests (a covenant's
terms; a facility's drawdown and maturity dates and reporting, annual-reporting and inspection days;
an instalment's principal, interest and payment; a security's value, currency and valuation date)
are proposed, one pending ``E<id>`` per record, not written; balances (drawn, outstanding) are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.domain import Covenant, Facility, Repayment, Security
from assistant.errors import ConfigError, NotFoundError
from assistant.store import repo
from assistant.store.db import Store


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _exact(value):  # noqa: ANN001, ANN202
    if isinstance(value, float):
        raise ValueError(f"write {value!r} as a quoted string: a float has lost exact digits")
    return value


class CovenantIn(_In):
    metric: str
    operator: Literal[">=", ">", "<=", "<"]
    threshold: Decimal
    frequency: Literal["quarterly", "semiannual", "annual"] = "quarterly"
    grace_days: int = 0
    description: str = ""

    _t = field_validator("threshold", mode="before")(_exact)


class RepaymentIn(_In):
    due: dt.date
    principal: Decimal
    interest: Decimal = Decimal(0)
    paid_on: dt.date | None = None
    paid_amount: Decimal | None = None

    _m = field_validator("principal", "interest", "paid_amount", mode="before")(_exact)


class SecurityIn(_In):
    kind: Literal["collateral", "guarantee"]
    description: str = ""
    provider: str = ""
    value: Decimal | None = None
    currency: str = "CNY"
    valuation_date: dt.date | None = None

    _m = field_validator("value", mode="before")(_exact)


class FacilityIn(_In):
    client: str | None = None  # only in the top-level ``facilities`` list
    name: str
    amount: Decimal
    currency: str = "CNY"
    drawn: Decimal | None = None
    outstanding: Decimal | None = None
    drawdown_date: dt.date | None = None
    maturity_date: dt.date | None = None
    rate: Decimal | None = None
    collateral: str = ""
    guarantors: str = ""
    reporting_days: int = 45
    annual_reporting_days: int = 120
    inspection_days: int = 90
    covenants: list[CovenantIn] = Field(default_factory=list)
    schedule: list[RepaymentIn] = Field(default_factory=list)
    securities: list[SecurityIn] = Field(default_factory=list)

    _m = field_validator("amount", "drawn", "outstanding", "rate", mode="before")(_exact)

    def to_domain(self) -> Facility:
        return Facility(
            name=self.name, amount=self.amount, currency=self.currency, drawn=self.drawn,
            outstanding=self.outstanding, drawdown_date=self.drawdown_date, maturity_date=self.maturity_date,
            rate=self.rate, collateral=self.collateral, guarantors=self.guarantors,
            reporting_days=self.reporting_days, annual_reporting_days=self.annual_reporting_days,
            inspection_days=self.inspection_days,
            covenants=[Covenant(**c.model_dump()) for c in self.covenants],
            schedule=[Repayment(**r.model_dump()) for r in self.schedule],
            securities=[Security(**x.model_dump()) for x in self.securities],
        )


class ClientIn(_In):
    name: str
    aliases: list[str] = Field(default_factory=list)
    industry: str = ""
    officer: str | None = None
    facilities: list[FacilityIn] = Field(default_factory=list)


class PortfolioFile(_In):
    clients: list[ClientIn] = Field(default_factory=list)
    facilities: list[FacilityIn] = Field(default_factory=list)


@dataclass
class ImportReport:
    clients_added: list[str] = field(default_factory=list)
    clients_updated: list[str] = field(default_factory=list)
    facilities: list[str] = field(default_factory=list)
    removals: list[int] = field(default_factory=list)  #: exposure changes (E<id>) proposing a removal, pending a checker
    changes: list[int] = field(default_factory=list)  #: exposure changes (E<id>) proposing a covenant's new terms, pending a checker
    #: exposure changes (E<id>) proposing new values for what decides a stored facility's, instalment's or security's tests
    edits: list[int] = field(default_factory=list)


def read_portfolio(path: str | Path) -> PortfolioFile:
    """Parse and validate a YAML, JSON, CSV or Excel portfolio file; ``ConfigError`` says what is wrong."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".xlsx", ".xlsm"):
        from assistant.portfolio_tables import read_tables

        return read_tables(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc.strerror})", hint="check the path") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name} is not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}",
                          hint="fix the syntax and run the import again") from exc
    if isinstance(data, list):
        data = {"facilities": data}
    try:
        return PortfolioFile.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path.name}: {where}: {first['msg']} ({exc.error_count()} problem(s))",
                          hint="see `loanwatch facility import --help` for the file format") from exc


def import_portfolio(store: Store, path: str | Path, *, actor: str = "system", replace: Iterable[str] = ()) -> ImportReport:
    """Create or update the clients and facilities of a file in one transaction (only what the file gives).

    ``replace``: child kinds (covenants, schedule, securities) whose rows in the file are the whole
    list for every facility of the file, even one it lists none for; stored ones left out are
    proposed for removal (pending a checker), never deleted here. New terms for a stored covenant
    (threshold, operator, frequency, grace days) are proposed too, never written here, and so are new
    values for what decides a stored facility's, instalment's or security's tests (``facility_merge.STANDING``).
    """
    from assistant.facility_merge import KINDS, merge_facility

    complete = frozenset(replace)
    unknown = sorted(complete - set(KINDS))
    if unknown:
        raise ConfigError(f"cannot replace {', '.join(unknown)}", hint=f"name one of {', '.join(KINDS)}")
    portfolio = read_portfolio(path)
    source = Path(path).name
    report = ImportReport()

    def merge(s, client, f: FacilityIn) -> None:  # noqa: ANN001 - a Session, a store.schema.Client
        merged = merge_facility(s, client, f, complete=complete, source=source, actor=actor)
        report.facilities.append(f"{client.name} / {f.name}")
        report.removals += merged.removals
        report.changes += merged.changes
        report.edits += merged.edits

    with store.transaction() as s:
        for c in portfolio.clients:
            existing = repo.match_client(s, c.name)
            if existing is None:
                client = repo.add_client(s, c.name, aliases=c.aliases, industry=c.industry, officer=c.officer,
                                         actor=actor)
                report.clients_added.append(client.name)
            else:
                client = repo.update_client(s, existing, aliases=[*c.aliases, c.name] if c.name != existing.name
                                            else c.aliases, industry=c.industry or None, officer=c.officer,
                                            actor=actor)
                report.clients_updated.append(client.name)
            for f in c.facilities:
                merge(s, client, f)
        for f in portfolio.facilities:
            if not f.client:
                raise ConfigError(f"facility {f.name!r} names no client", hint="add `client: NAME` to it")
            try:
                client = repo.get_client(s, f.client)
            except NotFoundError as exc:
                raise NotFoundError(f"facility {f.name!r}: no client named {f.client!r}",
                                    hint="add the client first (`loanwatch client add`) or list it under clients:") from exc
            merge(s, client, f)
    return report
