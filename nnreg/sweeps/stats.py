"""Statistics over seeds, folds and points, and the choice on dev: means, spreads, standard
errors and intervals that count both the seeds and the finite number of points, whether a
difference is within noise, and the chosen setting (the one-standard-error rule)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..training import COLLAPSED, DIVERGED, outcomes_text
from .grid import GRID_FIELDS, with_optional_fields

CONFIDENCE = 0.95
# The normal quantile of CONFIDENCE's two-sided interval (scipy.stats.norm.ppf(0.975)), written
# out: the dashboard never imports scipy.stats.
Z = 1.959963984540054
# What every surface prints beside an accuracy's interval.
INTERVAL_NOTE = "95 % interval: Wilson over the points, widened by the spread over seeds"
# What the one-standard-error rule calls simplest, as every surface says it.
SIMPLEST_NOTE = ("the one-standard-error rule: of the settings within one standard error of the best dev "
                 "score, the simplest, the one with the smallest weights (mean √Σ‖W‖² of its dev models)")
# A sweep's verdicts on a setting beside the chosen one (WITHIN_NOISE: within one standard error of
# the best dev score, as the choice reads it).
# WORSE says no more than it measures: one standard error is not a significance test.
CHOSEN, BEST_SCORE, NOT_CANDIDATE = "chosen", "best dev score", "not a candidate"
WORSE = "more than 1 SE below"
# Equal mean dev accuracies can differ in the last bits from the order of summation; such
# settings are tied, and the tie goes to the one listed first in the grid.
TIE_TOLERANCE = 1e-12
METRICS = ("train_accuracy", "dev_accuracy", "test_accuracy", "cost", "weight_norm")
# The verdict on results the data cannot tell apart: in a sweep's comparison and compare's
# ranking, a score within one standard error of the best (``verdicts``); in the study's table of
# test changes, a change no larger than the seeds' spread (``within_noise``).
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


def wilson(p: float, n: float, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a share ``p`` of ``n`` points: unlike p ± z·√(p(1−p)/n), it
    stays inside [0, 1] and does not shrink to nothing at p = 0 or 1."""
    denominator = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return center - half, center + half


def accuracy_interval(per_seed, n_points: float) -> tuple[float, float, float, float]:
    """Mean, standard error and 95 % interval of an accuracy measured on ``n_points`` points,
    once per seed (``per_seed``): the Wilson interval over the points, each side widened in
    quadrature by the seeds' spread (z·std/√seeds); the standard error is the Wilson half-width
    over z and the seeds' std/√seeds in quadrature.  Both sources of noise count: how the seeds
    fell, and which points happened to be measured.  With ``n_points`` unknown (NaN: a file
    written before rows held it), the Student-t interval over seeds."""
    values = np.asarray(per_seed, dtype=float)
    values = values[~np.isnan(values)]
    seeds = len(values)
    if seeds == 0:
        return (math.nan,) * 4
    if n_points is None or not np.isfinite(n_points) or n_points < 1:
        mean, std, low, high = interval(values)
        return mean, std / math.sqrt(seeds), low, high
    mean = float(values.mean())
    seeds_se = float(values.std(ddof=1)) / math.sqrt(seeds) if seeds > 1 else 0.0
    low, high = wilson(mean, float(n_points))
    below = math.hypot(mean - low, Z * seeds_se)
    above = math.hypot(high - mean, Z * seeds_se)
    se = math.hypot((high - low) / (2 * Z), seeds_se)
    return mean, se, max(0.0, mean - below), min(1.0, mean + above)


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


def _per_seed(group: pd.DataFrame, metric: str, size: str) -> tuple[pd.Series, float]:
    """Each seed's accuracy over the points of all its folds (a fold's accuracy weighted by its
    points; the plain mean when a file has no sizes), and how many points each seed's is over."""
    sizes = group[size] if size in group else pd.Series(math.nan, index=group.index)
    if sizes.isna().any():
        return group.groupby("seed", sort=False)[metric].mean(), math.nan
    if metric == "dev_accuracy":
        # Every fold's model is scored on its own dev points: pooled, each point once per seed.
        correct = (group[metric] * sizes).groupby(group["seed"], sort=False).sum()
        points = sizes.groupby(group["seed"], sort=False).sum()
        return correct / points, float(points.mean())
    # Every fold's model is scored on the same test points.
    return group.groupby("seed", sort=False)[metric].mean(), float(sizes.mean())


def summarize(rows: pd.DataFrame, keys: tuple[str, ...] = ("phase", *GRID_FIELDS)) -> pd.DataFrame:
    """One row per value of ``keys`` (by default per phase and setting), in the rows' order:
    seeds, folds, runs (seeds × folds), how they ended (``outcome``, ``training.outcomes_text``;
    "" in results written before rows had one; ``diverged`` and ``collapsed`` count the runs),
    then mean, std, ci_low and ci_high of each metric (e.g. ``dev_accuracy_mean``), and for dev
    and test accuracy ``_se``.  Dev and test accuracy are per seed (pooled over folds), with
    ``accuracy_interval``; the other metrics over runs, with the Student-t interval.
    ``dev_points`` and ``test_points``: the points each seed's accuracy is over (NaN in a file
    that does not say); rows without an OPTIONAL_FIELDS column read as without that regularizer."""
    keys = list(keys)
    rows = with_optional_fields(rows)
    out = []
    for values, group in rows.groupby(keys, sort=False, dropna=False):
        outcomes = group["outcome"].dropna() if "outcome" in group else pd.Series(dtype=str)
        entry = {**dict(zip(keys, values)), "seeds": group["seed"].nunique(),
                 "folds": group["fold"].nunique() if "fold" in group and group["fold"].notna().any() else 1,
                 "runs": len(group), "outcome": outcomes_text(outcomes) if len(outcomes) else "",
                 "diverged": int((outcomes == DIVERGED).sum()), "collapsed": int((outcomes == COLLAPSED).sum())}
        for metric in METRICS:
            if metric not in group:
                stats = (math.nan,) * 4
            elif metric in ("dev_accuracy", "test_accuracy"):
                per_seed, points = _per_seed(group, metric, metric.replace("accuracy", "size"))
                mean, se, low, high = accuracy_interval(per_seed, points)
                std = float(per_seed.std(ddof=1)) if per_seed.notna().sum() > 1 else math.nan
                stats = (mean, std, low, high)
                entry[f"{metric}_se"] = se
                entry[metric.replace("accuracy", "points")] = points
            else:
                stats = interval(group[metric])
            if metric.endswith("_accuracy"):
                # An accuracy lies in [0, 1]; the t-interval's symmetric tails would not know that.
                stats = (*stats[:2], *np.clip(stats[2:], 0.0, 1.0))
            entry.update(zip((f"{metric}_{s}" for s in ("mean", "std", "ci_low", "ci_high")), stats))
        out.append(entry)
    columns = [*keys, "seeds", "folds", "runs", "outcome", "diverged", "collapsed"]
    columns += [f"{metric}_{s}" for metric in METRICS for s in ("mean", "std", "ci_low", "ci_high")]
    columns += ["dev_accuracy_se", "test_accuracy_se", "dev_points", "test_points"]
    return pd.DataFrame(out, columns=columns)


def setting_scores(rows: pd.DataFrame, keys=GRID_FIELDS) -> pd.DataFrame:
    """Each group of ``keys``' dev score from its "dev" rows: ``summarize``'s columns, and
    ``score`` (mean over seeds of each seed's accuracy over its folds' dev points), ``se``,
    ``ci_low``/``ci_high`` (``accuracy_interval``), ``weight_norm`` (mean) and ``candidate``:
    False when a run diverged or collapsed, which no choice can trust."""
    table = summarize(rows[rows["phase"] == "dev"] if "phase" in rows else rows, tuple(keys))
    return table.assign(score=table["dev_accuracy_mean"], se=table["dev_accuracy_se"].fillna(0.0),
                        ci_low=table["dev_accuracy_ci_low"], ci_high=table["dev_accuracy_ci_high"],
                        weight_norm=table["weight_norm_mean"],
                        candidate=(table["diverged"] + table["collapsed"]) == 0)


def one_se_threshold(candidates: pd.DataFrame) -> float:
    """The lowest score within one standard error of the best of ``candidates`` (``setting_scores``
    rows): the one-standard-error rule's line, the tie tolerance below it."""
    best = candidates.loc[candidates["score"].idxmax()]
    return best["score"] - best["se"] - TIE_TOLERANCE


class NoCandidate(ValueError):
    """No setting can be chosen: every one had a dev run that diverged or collapsed."""


def no_candidate_message(scores: pd.DataFrame, rows: pd.DataFrame, what: str = "setting",
                         standardize: str = "standardize=True") -> str:
    """Why nothing can be chosen among the ``what``s (settings of a sweep, models of a
    comparison), with the cure: divergence calls for a lower learning rate (and, on raw inputs
    far larger than 1, ``TrainResult.unscaled``, standardizing them first, by ``standardize``: the
    switch as the caller's surface names it); a collapse, weaker regularization."""
    runs, diverged, collapsed = (int(scores[column].sum()) for column in ("runs", "diverged", "collapsed"))
    counts = " and ".join(filter(None, [f"{diverged} diverged" if diverged else "",
                                        f"{collapsed} collapsed" if collapsed else ""]))
    rates = sorted(set(rows["learning_rate"].dropna())) if "learning_rate" in rows else []
    rate = f" (now {', '.join(f'{rate:g}' for rate in rates)})" if rates else ""
    unscaled = "unscaled" in rows and rows["unscaled"].fillna(False).astype(bool).any()
    if diverged:
        # As training.training_problem says it of one run.
        cure = (f"standardize the inputs first ({standardize}: a feature is far larger than 1), then, if it still "
                f"fails, lower the learning rate{rate}" if unscaled else f"lower the learning rate{rate}")
    else:
        cure = (f"weaken the regularization (smaller λ, l1 or weight_decay, larger keep_prob) or lower the learning "
                f"rate{rate}")
    return (f"no {what} can be chosen: every one had a dev run that diverged or collapsed ({counts} of {runs} "
            f"runs); {cure}")


def choose(rows: pd.DataFrame) -> dict:
    """The setting (a value per GRID_FIELDS) chosen on the "dev" rows by the one-standard-error
    rule (``SIMPLEST_NOTE``) among the candidates (no run diverged or collapsed); ties go to the
    one listed first in the grid.  ``NoCandidate`` says the cure when there is none."""
    scores = setting_scores(rows)
    if scores.empty:
        raise ValueError("there are no dev rows to choose from")
    candidates = scores[scores["candidate"]]
    if candidates.empty:
        raise NoCandidate(no_candidate_message(scores, rows))
    within = candidates[candidates["score"] >= one_se_threshold(candidates)]
    simplest = within.loc[within["weight_norm"].idxmin()]
    return {field: float(simplest[field]) for field in GRID_FIELDS}


def verdicts(scores: pd.DataFrame, chosen=None) -> list[str]:
    """Each row of ``setting_scores``' verdict: CHOSEN (the row labelled ``chosen``, if any),
    NOT_CANDIDATE (a run diverged or collapsed), BEST_SCORE (the best candidate's score, unless
    chosen), WITHIN_NOISE (within one standard error of the best score: the data cannot tell them
    apart) or WORSE.  With no candidate, every row is NOT_CANDIDATE."""
    candidates = scores[scores["candidate"]]
    if candidates.empty:
        return [NOT_CANDIDATE] * len(scores)
    best = candidates["score"].idxmax()
    threshold = one_se_threshold(candidates)
    return [CHOSEN if index == chosen else NOT_CANDIDATE if not row.candidate else BEST_SCORE if index == best
            else WITHIN_NOISE if row.score >= threshold else WORSE for index, row in zip(scores.index, scores.itertuples())]


def comparison(rows: pd.DataFrame) -> pd.DataFrame:
    """Every dev setting against the choice: ``setting_scores`` plus ``verdict`` (``verdicts``,
    the chosen setting CHOSEN) and ``chosen`` (bool).  With no candidate at all, every verdict is
    NOT_CANDIDATE and none is chosen."""
    table = setting_scores(rows)
    try:
        chosen = tuple(choose(rows).values())
    except NoCandidate:
        chosen = None
    settings = list(zip(*(table[field] for field in GRID_FIELDS)))
    table["verdict"] = verdicts(table, table.index[settings.index(chosen)] if chosen is not None else None)
    table["chosen"] = table["verdict"] == CHOSEN
    return table
