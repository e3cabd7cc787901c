"""Statistics over seeds and the choice on dev: means, spreads, confidence intervals, whether a
difference is within noise, and the chosen setting."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
# Equal mean dev accuracies can differ in the last bits from the order of summation; such
# settings are tied, and the tie goes to the one listed first in the grid.
TIE_TOLERANCE = 1e-12
METRICS = ("train_accuracy", "dev_accuracy", "test_accuracy", "cost", "weight_norm")


def interval(values, confidence: float = CONFIDENCE) -> tuple[float, float, float, float]:
    """Mean, standard deviation (n-1) and Student-t confidence interval of the mean over seeds.

    With one value there is no spread to measure: std and interval are NaN.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return (math.nan,) * 4
    mean = float(values.mean())
    if n == 1:
        return mean, math.nan, math.nan, math.nan
    std = float(values.std(ddof=1))
    if std == 0:
        return mean, 0.0, mean, mean
    # Imported here: scipy.stats takes half a second to import, and the dashboard never needs it.
    import scipy.stats

    low, high = scipy.stats.t.interval(confidence, n - 1, loc=mean, scale=std / math.sqrt(n))
    return mean, std, float(low), float(high)


def within_noise(a, b) -> bool:
    """Whether two settings' mean results differ by no more than their spread over seeds.

    ``a`` and ``b`` are per-seed values; the spread is the larger of their standard deviations,
    so a difference this small would often appear between two seeds of one setting.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2 or len(b) < 2:
        raise ValueError("telling a difference from noise needs at least 2 seeds per setting")
    spread = max(a.std(ddof=1), b.std(ddof=1))
    return bool(abs(a.mean() - b.mean()) <= spread)


def summarize(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per phase and setting, in grid order: seeds, then mean, std, ci_low and ci_high
    of each metric (e.g. ``dev_accuracy_mean``)."""
    out = []
    for (phase, lambd, keep_prob), group in rows.groupby(["phase", "lambd", "keep_prob"], sort=False):
        entry = {"phase": phase, "lambd": lambd, "keep_prob": keep_prob, "seeds": len(group)}
        for metric in METRICS:
            stats = interval(group[metric]) if metric in group else (math.nan,) * 4
            if metric.endswith("_accuracy"):
                # An accuracy lies in [0, 1]; the t-interval's symmetric tails would not know that.
                stats = (*stats[:2], *np.clip(stats[2:], 0.0, 1.0))
            entry.update(zip((f"{metric}_{s}" for s in ("mean", "std", "ci_low", "ci_high")), stats))
        out.append(entry)
    columns = ["phase", "lambd", "keep_prob", "seeds"]
    columns += [f"{metric}_{s}" for metric in METRICS for s in ("mean", "std", "ci_low", "ci_high")]
    return pd.DataFrame(out, columns=columns)


def choose(rows: pd.DataFrame) -> dict:
    """The setting with the best mean dev accuracy over seeds; only "dev" rows are read."""
    dev = rows[rows["phase"] == "dev"]
    if dev.empty:
        raise ValueError("there are no dev rows to choose from")
    means = dev.groupby(["lambd", "keep_prob"], sort=False)["dev_accuracy"].mean()
    best = means[means >= means.max() - TIE_TOLERANCE].index[0]
    return {"lambd": float(best[0]), "keep_prob": float(best[1])}


def comparison(rows: pd.DataFrame) -> pd.DataFrame:
    """Every dev setting against the chosen one on dev accuracy: the summary plus ``verdict``,
    "chosen", "within noise" or "worse", and ``chosen`` (bool)."""
    chosen = choose(rows)
    table = summarize(rows[rows["phase"] == "dev"])
    dev = rows[rows["phase"] == "dev"]
    chosen_values = dev[(dev["lambd"] == chosen["lambd"]) & (dev["keep_prob"] == chosen["keep_prob"])]["dev_accuracy"]
    verdicts = []
    for row in table.itertuples():
        values = dev[(dev["lambd"] == row.lambd) & (dev["keep_prob"] == row.keep_prob)]["dev_accuracy"]
        if (row.lambd, row.keep_prob) == (chosen["lambd"], chosen["keep_prob"]):
            verdicts.append("chosen")
        elif min(len(values), len(chosen_values)) < 2:
            verdicts.append("one seed: spread unknown")
        else:
            verdicts.append("within noise" if within_noise(values, chosen_values) else "worse")
    table["verdict"] = verdicts
    table["chosen"] = table["verdict"] == "chosen"
    return table
