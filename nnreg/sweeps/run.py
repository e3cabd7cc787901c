"""``sweep``: the grid trained on the training data minus each dev fold, the choice on dev, and
the chosen setting retrained on all training data; ``dev_rows``, any models scored the same way."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data import Dataset
from ..settings import DEV_FRACTION, Settings
from .dev import DEV_SEED, check_train_fractions, fold_masks
from .executors import check_cluster_options, counter, open_executor, run_phase
from .grid import GRID_FIELDS, grid_settings, seed_list, setting_of
from .rows import Split, earlier_rows, rows_table
from .stats import NoCandidate, choose


@dataclass
class SweepResult:
    """One row per trained model, the dev-chosen setting (None if stopped before the choice, or
    if no setting could be chosen), whether it was stopped, and ``problem``: why nothing could be
    chosen (every setting had a run that diverged or collapsed), with the cure, or None."""

    rows: pd.DataFrame
    chosen: dict | None
    stopped: bool
    problem: str | None = None


def splits(dataset: Dataset, folds: int = 1, dev_fraction: float = DEV_FRACTION, dev_seed: int = DEV_SEED) -> list[Split]:
    """Each fold's dev points as a ``Split``: one dev split of ``dev_fraction``, or ``folds``
    stratified folds (``fold_masks``), drawn with ``dev_seed``."""
    masks = fold_masks(dataset.train_Y, folds, dev_fraction, dev_seed, class_names=dataset.class_names)
    return [Split(mask, fold) for fold, mask in enumerate(masks)]


def dev_jobs(settings_list, folds: list[Split]) -> list[tuple[Split, Settings]]:
    """Every model on every fold, fold by fold (so that a fold's models train together)."""
    return [(split, settings) for split in folds for settings in settings_list]


def sweep(dataset: Dataset, grid, seeds, base: Settings | None = None, *, folds: int = 1,
          dev_fraction: float = DEV_FRACTION, dev_seed: int = DEV_SEED, scheduler: str | None = None,
          local_cluster: int | None = None, progress=None, heartbeat=None, should_stop=None, on_row=None,
          done: pd.DataFrame | None = None, names=None) -> SweepResult:
    """Train ``grid`` (``{"lambd": [...], "l1": [...], "keep_prob": [...]}``, a field left out at
    its default) over ``seeds`` (a count, or a list of seeds) on each dev fold's remaining training
    points, choose on dev by the one-standard-error rule (``stats.choose``), and retrain the
    chosen setting on all training data (on ``base.train_fraction`` of them, and of the points
    outside each dev fold before) for every seed.

    ``folds`` = 1 holds out one seeded, stratified dev split of ``dev_fraction``; K >= 2 scores
    every training point once per seed, in stratified K-fold (``dev_seed`` draws either).  A
    setting with a dev run that diverged or collapsed is never chosen; with no other, ``chosen``
    is None, nothing is retrained and ``problem`` says the cure.

    ``scheduler`` (a Dask scheduler's address) or ``local_cluster`` (a number of worker
    processes on this machine) runs the models on Dask.  ``progress(done, total)`` is called
    after each model, and in this process ``heartbeat()`` about every
    ``training.HEARTBEAT_SECONDS`` while models train (``train_many``).  ``should_stop()`` is
    asked before each batch of models (a few per core in this process, one model on Dask); once it is true, the rows trained so far come back with
    ``stopped=True`` (and no choice if the dev phase was not done).  ``on_row(row)`` is called
    with each model's row (a dict) as it finishes, before ``progress``: a caller whose run may
    end before this returns (a page's, on Stop) keeps them for ``stopped_sweep``.  ``done``: rows
    an earlier, interrupted run of this same sweep finished (checked to be its, a difference
    named by ``names``: a column's name on the caller's surface), not trained again: they go to
    ``on_row`` first, and ``progress`` counts only the models trained now.
    """
    settings_list = grid_settings(grid, seeds, base)
    seed_count = len(seed_list(seeds))
    folds_list = splits(dataset, folds, dev_fraction, dev_seed)
    for split in folds_list:
        check_train_fractions(dataset, [settings_list[0].train_fraction], split.mask)
    check_cluster_options(scheduler, local_cluster)
    jobs = dev_jobs(settings_list, folds_list)
    earlier = earlier_rows(done, dataset, settings_list[0], dev_fraction, folds, dev_seed,
                           jobs + [(None, settings) for settings in settings_list], names)
    should_stop = should_stop or (lambda: False)
    on_done = counter(progress, len(jobs) + seed_count - len(earlier), on_row)

    def table(rows):
        return rows_table(rows, dev_fraction, folds, dev_seed)

    with open_executor(scheduler, local_cluster, heartbeat) as runner:
        dev_rows, stopped = run_phase(runner, dataset, jobs, on_done, should_stop, earlier)
        if stopped:
            return SweepResult(table(dev_rows), None, True)
        try:
            chosen = choose(table(dev_rows))
        except NoCandidate as error:
            on_done.finish()
            return SweepResult(table(dev_rows), None, False, str(error))
        final_jobs = [(None, s) for s in settings_list if setting_of(s) == tuple(chosen[f] for f in GRID_FIELDS)]
        final_rows, stopped = run_phase(runner, dataset, final_jobs, on_done, should_stop, earlier)
    return SweepResult(table(dev_rows + final_rows), chosen, stopped)


def stopped_sweep(rows: list[dict], grid, seeds, base: Settings | None = None, *, folds: int = 1,
                  dev_fraction: float = DEV_FRACTION, dev_seed: int = DEV_SEED) -> SweepResult:
    """What a sweep that ended before it returned had finished, from the rows ``on_row`` was
    given: as ``sweep`` returns when ``should_stop`` stops it, ``stopped``, with the choice (or
    the problem) only if every dev model finished."""
    table = rows_table(rows, dev_fraction, folds, dev_seed)
    dev_done = int((table["phase"] == "dev").sum()) == len(grid_settings(grid, seeds, base)) * folds
    if not dev_done:
        return SweepResult(table, None, True)
    try:
        return SweepResult(table, choose(table), True)
    except NoCandidate as error:
        return SweepResult(table, None, True, str(error))


def dev_rows(dataset: Dataset, settings_list, *, folds: int = 1, dev_fraction: float = DEV_FRACTION,
             dev_seed: int = DEV_SEED, progress=None, heartbeat=None) -> pd.DataFrame:
    """Every settings of ``settings_list`` trained on each dev fold's remaining training points
    (in this process), one "dev" row each, in the order fold, then settings: what ``choose`` and
    ``setting_scores`` read, for models that are not a grid's (``compare``'s)."""
    settings_list = list(settings_list)
    folds_list = splits(dataset, folds, dev_fraction, dev_seed)
    for split in folds_list:
        check_train_fractions(dataset, sorted({s.train_fraction for s in settings_list}), split.mask)
    jobs = dev_jobs(settings_list, folds_list)
    with open_executor(None, None, heartbeat) as runner:
        rows, _ = run_phase(runner, dataset, jobs, counter(progress, len(jobs)), lambda: False)
    return rows_table(rows, dev_fraction, folds, dev_seed)
