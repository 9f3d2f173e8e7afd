"""`loanwatch model train HISTORY.csv`: fit on a generated history, save, and grade with it."""

from __future__ import annotations

import csv
import json
import math
import random
from decimal import Decimal

import pytest

from assistant.analytics import assess
from assistant.analytics.training import load_model, model_path, train
from assistant.cli import main
from assistant.errors import ConfigError
from tests.snapshot_builder import ASSESSED, point, sound_client, sound_table

FEATURES = ("debt_to_assets", "current_ratio", "net_margin")


def _history(path, n: int = 400, seed: int = 7) -> list[dict]:
    """Defaults drawn from a known logistic law: leverage raises, liquidity and margin lower the odds."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        lev, cur, margin = rng.uniform(0.3, 0.95), rng.uniform(0.6, 2.2), rng.uniform(-0.1, 0.2)
        z = -1.0 + 8 * (lev - 0.6) - 2.0 * (cur - 1.3) - 10 * margin
        rows.append({"client": f"c{i}", "period": "2025Q4", "debt_to_assets": f"{lev:.4f}",
                     "current_ratio": f"{cur:.4f}", "net_margin": f"{margin:.4f}",
                     "defaulted": int(rng.random() < 1 / (1 + math.exp(-z)))})
    rows.append({"client": "gap", "period": "2025Q4", "debt_to_assets": "", "current_ratio": "1.1",
                 "net_margin": "0.01", "defaulted": 0})  # an empty feature: dropped and counted
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def test_cli_trains_and_saves_model_under_home(home, tmp_path, capsys):
    csv_path = tmp_path / "history.csv"
    rows = _history(csv_path)
    with pytest.raises(SystemExit) as exit_:
        main(["model", "train", str(csv_path), "--json"])
    assert exit_.value.code == 0
    out = json.loads(capsys.readouterr().out)
    saved = home / "models" / "bank_model.json"
    assert out["path"] == str(saved) and saved.exists()
    assert out["features"] == list(FEATURES)
    assert out["rows"] == len(rows) - 1 and out["dropped_rows"] == 1
    assert out["defaults"] == sum(r["defaulted"] for r in rows)
    assert out["training_auc"] > 0.75
    model = load_model(home)
    coef = dict(zip(model.features, model.coefficients))
    assert coef["debt_to_assets"] > 0 and coef["current_ratio"] < 0 and coef["net_margin"] < 0


def test_saved_model_predicts_like_scikit_learn(home, tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    csv_path = tmp_path / "history.csv"
    rows = [r for r in _history(csv_path) if r["debt_to_assets"]]
    model, _ = train(csv_path, home=home)
    X = [[float(r[k]) for k in FEATURES] for r in rows]
    y = [r["defaulted"] for r in rows]
    scaler = StandardScaler().fit(X)
    reference = LogisticRegression(max_iter=1000).fit(scaler.transform(X), y)
    probe = [0.8, 0.9, -0.02]
    expected = reference.predict_proba(scaler.transform([probe]))[0, 1]

    from assistant.analytics.ratios import RatioResult

    ratios = {k: RatioResult(k, Decimal(str(v)), k) for k, v in zip(FEATURES, probe)}
    result = load_model(home).predict(ratios)
    assert float(result.probability) == pytest.approx(expected, rel=1e-9)
    assert result.zone == "distress" and result.components["debt_to_assets"] == Decimal("0.8")


def test_assess_uses_the_bank_model_instead_of_published_ones(home, tmp_path):
    csv_path = tmp_path / "history.csv"
    _history(csv_path)
    train(csv_path, home=home)
    sound = assess(sound_client(), ASSESSED, home=home)
    assert [m.model for m in sound.models] == ["bank_logit"]
    assert "bank's trained model" in sound.notes[0]
    table = sound_table()
    table[point(2026, 3)] = {**table[point(2026, 3)], "total_liabilities": 920, "total_equity": 80,
                             "total_current_assets": 120}
    weak = assess(sound_client(table), ASSESSED, home=home)
    assert weak.models[0].probability > sound.models[0].probability


def test_missing_feature_is_named_not_guessed(home, tmp_path):
    csv_path = tmp_path / "history.csv"
    _history(csv_path)
    train(csv_path, home=home)
    table = sound_table()
    table[point(2026, 3)] = {k: v for k, v in table[point(2026, 3)].items() if k != "total_current_liabilities"}
    result = assess(sound_client(table), ASSESSED, home=home).models[0]
    assert result.probability is None
    assert result.missing == ["current_ratio: 流动负债合计 missing for 2026-09-30"]


def test_without_a_trained_model_the_published_models_are_used(home):
    assert load_model(home) is None and not model_path(home).exists()
    assert [m.model for m in assess(sound_client(), ASSESSED, home=home).models] == ["altman_z2", "ohlson_o"]


def test_bad_history_files_fail_with_one_line(home, tmp_path, capsys):
    no_target = tmp_path / "a.csv"
    no_target.write_text("debt_to_assets,current_ratio\n0.5,1.2\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["model", "train", str(no_target)])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no 'defaulted' column" in err

    few = tmp_path / "b.csv"
    few.write_text("debt_to_assets,defaulted\n" + "".join(f"0.{i},{int(i == 1)}\n" for i in range(1, 9)), encoding="utf-8")
    with pytest.raises(ConfigError, match="1 defaults and 7 non-defaults"):
        train(few, home=home)
