"""Statistics over seeds and the choice on dev: means, spreads, confidence intervals, whether a
difference is within noise, and the chosen setting."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..training import TRAINED, outcomes_text
from .grid import GRID_FIELDS

CONFIDENCE = 0.95
# Equal mean dev accuracies can differ in the last bits from the order of summation; such
# settings are tied, and the tie goes to the one listed first in the grid.
TIE_TOLERANCE = 1e-12
METRICS = ("train_accuracy", "dev_accuracy", "test_accuracy", "cost", "weight_norm")
# The verdict on two results that ``within_noise`` cannot tell apart, as a sweep's comparison, the
# study's table and every sentence about them say it.
WITHIN_NOISE = "within noise"


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


def summarize(rows: pd.DataFrame, keys: tuple[str, ...] = ("phase", *GRID_FIELDS)) -> pd.DataFrame:
    """One row per value of ``keys`` (by default per phase and setting), in the rows' order:
    seeds, how they ended (``outcome``, ``training.outcomes_text``; "" in results written before
    rows had one), then mean, std, ci_low and ci_high of each metric (e.g. ``dev_accuracy_mean``)."""
    keys = list(keys)
    out = []
    for values, group in rows.groupby(keys, sort=False):
        entry = {**dict(zip(keys, values)), "seeds": len(group),
                 "outcome": outcomes_text(group["outcome"].dropna()) if "outcome" in group else ""}
        for metric in METRICS:
            stats = interval(group[metric]) if metric in group else (math.nan,) * 4
            if metric.endswith("_accuracy"):
                # An accuracy lies in [0, 1]; the t-interval's symmetric tails would not know that.
                stats = (*stats[:2], *np.clip(stats[2:], 0.0, 1.0))
            entry.update(zip((f"{metric}_{s}" for s in ("mean", "std", "ci_low", "ci_high")), stats))
        out.append(entry)
    columns = [*keys, "seeds", "outcome"]
    columns += [f"{metric}_{s}" for metric in METRICS for s in ("mean", "std", "ci_low", "ci_high")]
    return pd.DataFrame(out, columns=columns)


def untrained(table: pd.DataFrame) -> bool:
    """Whether a summary (``summarize``, ``comparison``) has a setting with a run that did not
    train: then its ``outcome`` is worth a column."""
    return not set(table["outcome"]) <= {"", TRAINED}


def choose(rows: pd.DataFrame) -> dict:
    """The setting (a value per GRID_FIELDS) with the best mean dev accuracy over seeds; only
    "dev" rows are read."""
    dev = rows[rows["phase"] == "dev"]
    if dev.empty:
        raise ValueError("there are no dev rows to choose from")
    means = dev.groupby(list(GRID_FIELDS), sort=False)["dev_accuracy"].mean()
    best = means[means >= means.max() - TIE_TOLERANCE].index[0]
    return {field: float(value) for field, value in zip(GRID_FIELDS, best)}


def comparison(rows: pd.DataFrame) -> pd.DataFrame:
    """Every dev setting against the chosen one on dev accuracy: the summary plus ``verdict``,
    "chosen", "within noise" or "worse", and ``chosen`` (bool)."""
    chosen = tuple(choose(rows).values())
    dev = rows[rows["phase"] == "dev"]
    table = summarize(dev)
    per_setting = dev.groupby(list(GRID_FIELDS), sort=False)["dev_accuracy"]
    chosen_values = per_setting.get_group(chosen)
    verdicts = []
    for setting in zip(*(table[field] for field in GRID_FIELDS)):
        values = per_setting.get_group(setting)
        if setting == chosen:
            verdicts.append("chosen")
        elif min(len(values), len(chosen_values)) < 2:
            verdicts.append("one seed: spread unknown")
        else:
            verdicts.append(WITHIN_NOISE if within_noise(values, chosen_values) else "worse")
    table["verdict"] = verdicts
    table["chosen"] = table["verdict"] == "chosen"
    return table
