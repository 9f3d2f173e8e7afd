"""Fuzz: mutated statements either read completely, say they were read in part, or are refused.

Issue 14: of 342 mutated real PDFs, 47 exited 0 with statements or values missing and no
warning. Here a seeded set of mutations (bit flips, truncation, damaged xref and page tree,
flate bombs, garbled font maps, letters or digits of a font map permuted; see tests/fuzz.py) of
generated statements, and of two real reports, must give 0 crashes, 0 hangs and 0 silent partial results. ``LOANWATCH_FUZZ_SEED``
picks another seed (the default is fixed so CI is reproducible); ``python -m eval fuzz`` runs a
longer set and prints the table.
"""

from __future__ import annotations

import datetime as dt
import os
import random

import pytest

from tests.fuzz import FAILURES, MUTATIONS, run_cases, table

SEED = int(os.environ.get("LOANWATCH_FUZZ_SEED", "14"))
LAYOUTS = ("listed_notes", "multipage", "ifrs_interim", "consolidated_parent")


def _cases(sources, n: int, seed: int):
    rng = random.Random(seed)
    kinds = list(MUTATIONS)
    return [(*sources[i % len(sources)], kinds[i % len(kinds)], rng.randrange(1 << 30)) for i in range(n)]


def _check(out, n: int) -> None:
    print("\n" + table(out))
    bad = [f"{c.outcome}: {c.source} {c.mutation} seed {c.seed}: {c.detail[:200]}" for c in out if c.outcome in FAILURES]
    assert not bad, "\n".join(bad)
    assert len(out) == n
    # every kind of mutation was exercised and the oracle saw each outcome it must tell apart
    assert {c.mutation for c in out} == set(MUTATIONS)
    assert {"complete", "partial", "refused"} <= {c.outcome for c in out}


@pytest.mark.slow
def test_mutated_generated_statements_never_read_silently_in_part(tmp_path):
    from assistant.demo import StatementSpec, render_pdf
    from extractors.pipeline import extract_file

    sources = []
    for i, layout in enumerate(LAYOUTS):
        path = tmp_path / f"{layout}.pdf"
        render_pdf(StatementSpec(company="示例新能源股份有限公司", period_end=dt.date(2026, 9, 30), layout=layout, seed=SEED + i),
                   path)
        original = extract_file(path)
        assert original.statements and original.partial is None
        sources.append((layout, path.read_bytes(), original))
    n = 180
    _check(run_cases(_cases(sources, n, SEED), tmp_path / "mutated", workers=2, timeout=60), n)


@pytest.mark.slow
@pytest.mark.real_data
def test_mutated_real_reports_never_read_silently_in_part(tmp_path, shared_data):
    from extractors.pipeline import extract_file

    names = ["ULTABEAUTY_2023Q4_EARNINGS.pdf", "平安银行2023年半年度报告摘要.pdf"]
    sources = []
    for name in names:
        path = shared_data / "real" / name
        original = extract_file(path)
        assert original.partial is None
        sources.append((name, path.read_bytes(), original))
    n = 48
    _check(run_cases(_cases(sources, n, SEED + 1), tmp_path / "mutated", workers=2, timeout=120), n)
