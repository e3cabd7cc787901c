"""The data-size curve: each regularizer's test accuracy as the training set grows.

For each training-set fraction and each regularizer family (no regularization, or L2, L1 or
dropout alone at the grid's strengths), the family's strength is chosen on the dev set among its
grid values, as a sweep chooses, and the choice is retrained on that fraction of all training
points over the seeds; its test accuracy is the curve's point.  The test set never chooses.

The dev set is the same held-out points at every fraction (``dev_fraction`` of all training
points, a sweep's, or each of its ``folds``): the dev models fit the fraction of the points
outside it, so every choice is made on as many dev points as the full sweep's, however few points
the models fit.  A strength with a dev run that diverged or collapsed is never chosen; a family
with no other at a fraction is not retrained there (``unchosen``).  Each seed
draws its own subsample (``training.fitted_points``), so the spread over seeds includes which
points were kept.

Every fraction's dev models run as one phase, then every retrained model: on Dask one cluster
serves both, kept busy with all fractions at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import Dataset
from ..report.formatting import decimals_apart, mean_std, percent
from ..settings import DEV_FRACTION, STUDY_TITLES, Settings
from ..training import TRAINED
from .dev import DEV_SEED, check_train_fractions
from .executors import check_cluster_options, counter, open_executor, run_phase
from .grid import GRID_FIELDS, checked_base, grid_values, seed_list, with_optional_fields
from .rows import earlier_rows, rows_table
from .run import dev_jobs, splits
from .stats import WITHIN_NOISE, NoCandidate, choose, summarize

# Each family by the grid field whose strength it chooses (none: nothing to choose), in the order
# of STUDY_TITLES.  A field's default in Settings is its regularizer off.
FAMILIES = {"none": None, "l2": "lambd", "l1": "l1", "dropout": "keep_prob"}
OFF = {field: getattr(Settings(), field) for field in GRID_FIELDS}


def family_of(setting: Mapping[str, float]) -> str | None:
    """The family of a grid setting: "none" with every regularizer off, else the family of the one
    field that is on; None when several are (no family's)."""
    on = [field for field, value in OFF.items() if setting[field] != value]
    if len(on) > 1:
        return None
    return next(family for family, field in FAMILIES.items() if field == (on[0] if on else None))


def check_curve_grid(values: Mapping[str, list[float]], name: str = "weight_decay") -> None:
    """That a curve's grid (``grid_values``) turns on only its families' regularizers: weight
    decay has no family of its own here, so its values must be its 0 (off); a ValueError names
    ``name``."""
    if any(value != OFF["weight_decay"] for value in values["weight_decay"]):
        raise ValueError(f"{name}: a data-size curve compares {', '.join(STUDY_TITLES[f] for f in FAMILIES)} and "
                         f"takes no weight decay, got {', '.join(f'{v:g}' for v in values['weight_decay'])}; leave it "
                         "0 there, or give one training-set fraction to sweep it")


def family_settings(grid) -> dict[str, list[dict[str, float]]]:
    """Each family's candidate settings (a value per GRID_FIELDS) from ``grid``: none's is every
    regularizer off; another family's, each of its field's grid values that turns it on, the other
    fields off.  A family with no such value is left out."""
    values = grid_values(grid)
    check_curve_grid(values)
    families = {}
    for family, field in FAMILIES.items():
        if field is None:
            families[family] = [dict(OFF)]
            continue
        on = [value for value in values[field] if value != OFF[field]]
        if on:
            families[family] = [{**OFF, field: value} for value in on]
    return families


def left_out_note(families) -> str:
    """Why these families have no curve: the grid has no strength that turns them on."""
    return "; ".join(f"{STUDY_TITLES[family]} is left out: the grid has no {FAMILIES[family]} value other "
                     f"than {OFF[FAMILIES[family]]:g}" for family in families)


def fraction_list(fractions, name: str = "train_fraction") -> list[float]:
    """Training-set fractions (each checked by Settings), distinct, smallest first; a ValueError
    names ``name``."""
    listed = [fractions] if np.isscalar(fractions) else list(fractions)
    if not listed:
        raise ValueError(f"{name} needs at least one value")
    checked = [Settings(train_fraction=value).train_fraction for value in listed]
    if len(set(checked)) != len(checked):
        raise ValueError(f"{name} lists a value twice: {', '.join(f'{value:g}' for value in listed)}")
    return sorted(checked)


def _model(base: Settings, setting: Mapping[str, float], fraction: float, seed: int) -> Settings:
    return base.replace(**setting, train_fraction=fraction).for_seed(seed)


def _dev_models(families, fractions, seeds, base) -> list[Settings]:
    # A family with one value has nothing to choose: it skips the dev phase.
    return [_model(base, setting, fraction, seed) for fraction in fractions
            for settings in families.values() if len(settings) > 1
            for setting in settings for seed in seeds]


def curve_models(grid, fractions, seeds, base: Settings | None = None, folds: int = 1) -> list[Settings]:
    """Every model a data-size curve may train, all validated: the dev models (once per fold),
    then each family's retrained ones at each fraction (counted at its first value: the same work)."""
    families, fractions, seeds = family_settings(grid), fraction_list(fractions), seed_list(seeds)
    base = checked_base(base)
    final = [_model(base, settings[0], fraction, seed) for fraction in fractions
             for settings in families.values() for seed in seeds]
    return _dev_models(families, fractions, seeds, base) * folds + final


@dataclass
class CurveResult:
    """One row per trained model (``family``, then a sweep's columns), the summary
    (``curve_summary``), the families the grid left out, and whether it was stopped."""

    rows: pd.DataFrame
    summary: pd.DataFrame
    left_out: list[str]
    stopped: bool


def curve_rows(rows: list[dict], dev_fraction: float, folds: int = 1, dev_seed: int = DEV_SEED) -> pd.DataFrame:
    """A curve's rows as a table: ``family``, then a sweep's columns (``rows.COLUMNS``)."""
    table = rows_table(rows, dev_fraction, folds, dev_seed)
    settings = zip(*(table[field] for field in GRID_FIELDS))
    table.insert(0, "family", [family_of(dict(zip(GRID_FIELDS, setting))) for setting in settings])
    return table


def data_size_curve(dataset: Dataset, fractions, grid, seeds, base: Settings | None = None, *, folds: int = 1,
                    dev_fraction: float = DEV_FRACTION, dev_seed: int = DEV_SEED, scheduler: str | None = None,
                    local_cluster: int | None = None, progress=None, heartbeat=None,
                    should_stop=None, on_row=None, done: pd.DataFrame | None = None, names=None) -> CurveResult:
    """Test accuracy against training-set size, per regularizer family: for each of ``fractions``
    (of the training points) and each family of ``grid`` (``family_settings``), the strength
    chosen on dev (``stats.choose``, over ``folds`` as in ``sweep``), retrained on that fraction
    over ``seeds``.

    ``scheduler``, ``local_cluster``, ``progress``, ``heartbeat``, ``should_stop``, ``on_row``,
    ``done`` and ``names`` work as in ``sweep``; one executor (one Dask cluster) serves the whole curve.
    Stopped, the rows trained so far come back with ``stopped=True`` (``stopped_curve`` from
    ``on_row``'s).
    """
    families, fractions, seeds = family_settings(grid), fraction_list(fractions), seed_list(seeds)
    base = checked_base(base)
    dev_models = _dev_models(families, fractions, seeds, base)
    folds_list = splits(dataset, folds, dev_fraction, dev_seed)
    for split in folds_list if dev_models else [None]:
        check_train_fractions(dataset, fractions, None if split is None else split.mask)
    check_cluster_options(scheduler, local_cluster)
    jobs = dev_jobs(dev_models, folds_list)
    possible = [(None, _model(base, setting, fraction, seed)) for fraction in fractions
                for settings in families.values() for setting in settings for seed in seeds]
    earlier = earlier_rows(done, dataset, base, dev_fraction, folds, dev_seed, jobs + possible, names)
    should_stop = should_stop or (lambda: False)
    on_done = counter(progress, len(jobs) + len(fractions) * len(families) * len(seeds) - len(earlier), on_row)
    with open_executor(scheduler, local_cluster, heartbeat) as runner:
        dev_rows, stopped = run_phase(runner, dataset, jobs, on_done, should_stop, earlier)
        final_rows = []
        if not stopped:
            dev = curve_rows(dev_rows, dev_fraction, folds, dev_seed)
            final_jobs = []
            for fraction in fractions:
                for family, settings in families.items():
                    chosen = settings[0]
                    if len(settings) > 1:
                        try:
                            chosen = choose(dev[(dev["family"] == family) & (dev["train_fraction"] == fraction)])
                        except NoCandidate:
                            continue
                    final_jobs += [(None, _model(base, chosen, fraction, seed)) for seed in seeds]
            final_rows, stopped = run_phase(runner, dataset, final_jobs, on_done, should_stop, earlier)
            if not stopped:
                # A family with no strength to retrain leaves the count short of its total.
                on_done.finish()
    rows = curve_rows(dev_rows + final_rows, dev_fraction, folds, dev_seed)
    left_out = [family for family in FAMILIES if family not in families]
    return CurveResult(rows, curve_summary(rows), left_out, stopped)


def stopped_curve(rows: list[dict], grid, *, folds: int = 1, dev_fraction: float = DEV_FRACTION,
                  dev_seed: int = DEV_SEED) -> CurveResult:
    """What a data-size curve that ended before it returned had finished, from the rows
    ``on_row`` was given: ``stopped``, its summary of the models retrained so far (a curve
    retrains only once every dev model has finished, so each of them is a finished choice's)."""
    table = curve_rows(rows, dev_fraction, folds, dev_seed)
    families = family_settings(grid)
    return CurveResult(table, curve_summary(table), [family for family in FAMILIES if family not in families], True)


def unchosen(rows: pd.DataFrame) -> list[tuple[float, str]]:
    """The fractions and families whose every strength had a dev run that diverged or collapsed,
    so that nothing was retrained there: (fraction, family) pairs, smallest fraction first."""
    dev, final = rows[rows["phase"] == "dev"], rows[rows["phase"] == "final"]
    if dev.empty:
        return []
    retrained = set(zip(final["train_fraction"], final["family"]))
    out = []
    for (fraction, family), group in dev.groupby(["train_fraction", "family"], sort=True):
        if (fraction, family) not in retrained:
            try:
                choose(group)
            except NoCandidate:
                out.append((float(fraction), family))
    return sorted(out, key=lambda pair: (pair[0], list(FAMILIES).index(pair[1])))


def unchosen_note(pairs) -> str:
    """What ``unchosen`` found, as one sentence's clauses: where no strength could be chosen."""
    return "; ".join(f"{STUDY_TITLES[family]} at fraction {fraction:g}: every {FAMILIES[family]} value had a dev run "
                     "that diverged or collapsed, so none was retrained" for fraction, family in pairs)


def curve_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per fraction and family (in that order) from a curve's retrained ("final") rows:
    the setting retrained and its ``strength`` (the family's field; NaN for none), ``candidates``
    (how many strengths the dev set chose among; 1: nothing to choose), ``train_size`` (the
    points each model fitted), seeds, and each metric's mean, std and 95% interval over seeds
    (e.g. ``test_accuracy_mean``)."""
    keys = ("train_fraction", "train_size", "family", *GRID_FIELDS)
    rows = with_optional_fields(rows)
    table = summarize(rows[rows["phase"] == "final"], keys)
    dev = rows[rows["phase"] == "dev"]
    candidates = dev.drop_duplicates(["family", "train_fraction", *GRID_FIELDS]) \
        .groupby(["family", "train_fraction"]).size()
    table["strength"] = [np.nan if FAMILIES[row.family] is None else getattr(row, FAMILIES[row.family])
                         for row in table.itertuples()]
    table["candidates"] = [int(candidates.get((row.family, row.train_fraction), 1)) for row in table.itertuples()]
    order = table["family"].map(list(FAMILIES).index)
    return table.iloc[np.lexsort((order, table["train_fraction"]))].reset_index(drop=True)


def _name(row) -> str:
    field = FAMILIES[row.family]
    return STUDY_TITLES[row.family] + ("" if field is None else f" ({field} = {row.strength:g})")


def curve_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as text, one row per fraction: the training points each model fitted, then per
    family its test accuracy in percent (mean ± std over seeds, with how its runs ended when some
    did not train: few points make a penalty stronger, λ/m, until it collapses) and the strength
    retrained; what the command line prints and the page shows."""
    families = [family for family in FAMILIES if family in set(summary["family"])]
    lines = []
    for (fraction, size), group in summary.groupby(["train_fraction", "train_size"], sort=False):
        by_family = group.set_index("family")
        line = {"fraction": f"{fraction:g}", "train points": str(size)}
        for family in families:
            row = by_family.loc[family] if family in by_family.index else None
            line[f"{STUDY_TITLES[family]} test %"] = "-" if row is None else \
                mean_std(row["test_accuracy_mean"], row["test_accuracy_std"]) + _unless_trained(row["outcome"])
            if FAMILIES[family] is not None:
                line[FAMILIES[family]] = "-" if row is None else f"{row['strength']:g}"
        lines.append(line)
    return pd.DataFrame(lines)


def _unless_trained(outcome: str) -> str:
    return "" if outcome in ("", TRAINED) else f" ({outcome})"


def choice_note(summary: pd.DataFrame) -> str:
    """How each family's strength was set: chosen on the dev set among its grid values at each
    fraction, or the only value the grid gives it (nothing to choose)."""
    notes = []
    for family, field in FAMILIES.items():
        rows = summary[summary["family"] == family]
        if field is None or rows.empty:
            continue
        count = int(rows["candidates"].max())
        notes.append(f"{field} chosen on the dev set among {count} values at each fraction" if count > 1
                     else f"{field} at its only value, {rows['strength'].iloc[0]:g}")
    return "; ".join(notes)


def curve_findings(rows: pd.DataFrame, summary: pd.DataFrame) -> list[str]:
    """At the smallest and at the largest fraction: which family has the best mean test accuracy,
    how far ahead of the next it is, and whether that is within noise: no more than the larger of
    their standard errors (``stats.accuracy_interval``: the seeds and the test points together).
    Every number reads as ``curve_table`` shows it, the standard error too."""
    fractions = sorted(set(summary["train_fraction"]))
    findings = []
    for fraction in dict.fromkeys([*fractions[:1], *fractions[-1:]]):
        ranked = summary[summary["train_fraction"] == fraction].sort_values(
            "test_accuracy_mean", ascending=False, kind="stable")
        if len(ranked) < 2:
            continue
        best, second = ranked.iloc[0], ranked.iloc[1]
        se = 100 * max(best.test_accuracy_se, second.test_accuracy_se)
        if math.isnan(se):
            findings.append(f"At fraction {fraction:g} ({best.train_size} training points), {_name(best)} has the "
                            f"best test accuracy, {percent(best.test_accuracy_mean)} %, above {_name(second)} at "
                            f"{percent(second.test_accuracy_mean)} %: one seed and no count of the test points: the "
                            "noise is unknown.")
            continue
        within = 100 * (best.test_accuracy_mean - second.test_accuracy_mean) <= se
        # Every number of the sentence with the decimals that tell the gap from the standard error.
        decimals = 1 if within else decimals_apart(100 * best.test_accuracy_mean, 100 * second.test_accuracy_mean, se)
        # The gap between the means as they are shown, so that a reader's subtraction agrees.
        gap = (float(percent(best.test_accuracy_mean, decimals))
               - float(percent(second.test_accuracy_mean, decimals)))
        verdict = f"{WITHIN_NOISE}, no more than" if within else "beyond noise, more than"
        findings.append(
            f"At fraction {fraction:g} ({best.train_size} training points), {_name(best)} has the best test "
            f"accuracy, {mean_std(best.test_accuracy_mean, best.test_accuracy_std, decimals)} %, "
            f"{gap:.{decimals}f} points above "
            f"{_name(second)} at {mean_std(second.test_accuracy_mean, second.test_accuracy_std, decimals)} %: "
            f"{verdict} the larger standard error, {se:.{decimals}f} points (seeds and test points together).")
    return findings
