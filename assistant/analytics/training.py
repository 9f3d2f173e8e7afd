"""Fit a bank's own default model from its history: ``loanwatch model train HISTORY.csv``.

The CSV has one row per client-period: columns named after ratio keys of FIGURES.md (any
subset, e.g. ``debt_to_assets,current_ratio,net_margin,dscr``) and ``defaulted`` (0/1);
other columns (client, period) are ignored when non-numeric. Rows with an empty feature
are dropped (and counted). The model is scikit-learn's ``LogisticRegression`` on
standardised features; it is saved as JSON (coefficients, scaling, metadata — no pickle,
so loading never runs code) in ``LOANWATCH_HOME/models/bank_model.json``. When that file
exists the grade uses it instead of the published Altman / Ohlson models.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.analytics.models import ModelResult, logistic
from assistant.analytics.ratios import RATIO_KEYS, RatioResult
from assistant.errors import ConfigError

MODEL_FILE = "bank_model.json"
TARGET = "defaulted"


@dataclass
class TrainedModel:
    features: list[str]
    coefficients: list[float]  # on standardised features
    intercept: float
    means: list[float]
    scales: list[float]
    metadata: dict

    def predict(self, ratios: dict[str, RatioResult]) -> ModelResult:
        """Probability of default from this span's ratios; missing features are named."""
        missing, missing_zh, values, inputs = [], [], [], []
        for key in self.features:
            r = ratios.get(key)
            if r is None or r.value is None:
                missing.append(f"{key}: {r.reason if r is not None else 'not computed'}")
                missing_zh.append(f"{r.zh if r is not None else key}：{(r.reason_zh or r.reason) if r is not None else '未计算'}")
                continue
            values.append(float(r.value))
            inputs.extend(f for f in r.inputs if f not in inputs)
        out = ModelResult("bank_logit", f"Bank model (logistic, trained {self.metadata.get('trained_at', '?')}, "
                          f"{self.metadata.get('rows', '?')} rows)", None, inputs=inputs, missing=missing,
                          name_zh=f"本行违约模型（逻辑回归，训练于 {self.metadata.get('trained_at', '?')}，"
                                  f"{self.metadata.get('rows', '?')} 条样本）", missing_zh=missing_zh)
        if missing:
            return out
        z = self.intercept + sum(c * (v - m) / s for c, v, m, s in zip(self.coefficients, values, self.means, self.scales))
        out.score = Decimal(repr(z))
        out.probability = logistic(out.score)
        out.components = {k: Decimal(repr(v)) for k, v in zip(self.features, values)}
        out.zone = "safe" if out.probability < Decimal("0.2") else ("grey" if out.probability < Decimal("0.5") else "distress")
        return out


def model_path(home: Path | None = None) -> Path:
    if home is None:
        from assistant.config import get_settings

        home = get_settings().home_dir
    return Path(home) / "models" / MODEL_FILE


def _read_history(path: Path) -> tuple[list[str], list[list[float]], list[int], int]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found", hint="give the path of the history CSV") from exc
    if not rows:
        raise ConfigError(f"{path}: no rows", hint="the CSV needs a header and one row per client-period")
    header = list(rows[0])
    if TARGET not in header:
        raise ConfigError(f"{path}: no '{TARGET}' column", hint="add a 0/1 column named 'defaulted'")
    features = [c for c in header if c in RATIO_KEYS]
    if not features:
        raise ConfigError(f"{path}: no ratio columns", hint=f"name feature columns after ratio keys, e.g. {', '.join(RATIO_KEYS[:4])}")
    X, y, dropped = [], [], 0
    for row in rows:
        try:
            vals = [float(Decimal(row[c].strip())) for c in features]
            target = int(row[TARGET].strip())
        except (InvalidOperation, ValueError, AttributeError):
            dropped += 1
            continue
        if target not in (0, 1) or any(math.isnan(v) for v in vals):
            dropped += 1
            continue
        X.append(vals)
        y.append(target)
    return features, X, y, dropped


def train(history_csv: str | Path, *, home: Path | None = None) -> tuple[TrainedModel, Path]:
    """Fit the logistic model on ``history_csv`` and save it under ``home``/models/."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    path = Path(history_csv)
    features, X, y, dropped = _read_history(path)
    if len(set(y)) < 2 or min(y.count(0), y.count(1)) < 5:
        raise ConfigError(f"{path}: {y.count(1)} defaults and {y.count(0)} non-defaults among {len(y)} usable rows",
                          hint="the history needs at least 5 defaulted and 5 sound rows")
    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    clf = LogisticRegression(max_iter=1000).fit(Z, y)
    auc = float(roc_auc_score(y, clf.predict_proba(Z)[:, 1]))
    scales = [float(s) if s > 0 else 1.0 for s in scaler.scale_]
    import sklearn

    meta = {"trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "source": path.name,
            "rows": len(y), "defaults": sum(y), "dropped_rows": dropped, "training_auc": round(auc, 4),
            "sklearn": sklearn.__version__}
    model = TrainedModel(features, [float(c) for c in clf.coef_[0]], float(clf.intercept_[0]),
                         [float(m) for m in scaler.mean_], scales, meta)
    out = model_path(home)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.__dict__, indent=2), encoding="utf-8")
    tmp.replace(out)
    return model, out


def load_model(home: Path | None = None) -> TrainedModel | None:
    """The bank's trained model when one is saved, else None."""
    path = model_path(home)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        model = TrainedModel(**data)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a loanwatch model file ({exc})",
                          hint="run `loanwatch model train HISTORY.csv` again or delete the file") from exc
    if not (len(model.features) == len(model.coefficients) == len(model.means) == len(model.scales)):
        raise ConfigError(f"{path}: inconsistent model file", hint="run `loanwatch model train HISTORY.csv` again")
    return model
