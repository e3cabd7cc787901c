"""``sweep``: the grid trained on the training data minus the dev set, the choice on dev, and the
chosen setting retrained on all training data."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data import Dataset
from ..settings import DEV_FRACTION, Settings
from .dev import DEV_SEED, check_train_fractions, dev_mask
from .executors import check_cluster_options, counter, open_executor, run_phase
from .grid import GRID_FIELDS, grid_settings, seed_list, setting_of
from .rows import rows_table
from .stats import choose


@dataclass
class SweepResult:
    """One row per trained model, and the dev-chosen setting (None if stopped before the choice)."""

    rows: pd.DataFrame
    chosen: dict | None
    stopped: bool


def sweep(dataset: Dataset, grid, seeds, base: Settings | None = None, *, dev_fraction: float = DEV_FRACTION,
          dev_seed: int = DEV_SEED, scheduler: str | None = None, local_cluster: int | None = None,
          progress=None, heartbeat=None, should_stop=None, on_row=None) -> SweepResult:
    """Train ``grid`` (``{"lambd": [...], "l1": [...], "keep_prob": [...]}``, a field left out at
    its default) over ``seeds`` (a count, or a list of seeds), choose on the dev set and retrain
    the chosen setting on all training data (on ``base.train_fraction`` of them, and of the
    points outside the dev set before).

    ``scheduler`` (a Dask scheduler's address) or ``local_cluster`` (a number of worker
    processes on this machine) runs the models on Dask.  ``progress(done, total)`` is called
    after each model, and in this process ``heartbeat()`` about every
    ``training.HEARTBEAT_SECONDS`` while models train (``train_many``).  ``should_stop()`` is
    asked before each batch of models (a few per core in this process, one model on Dask); once it is true, the rows trained so far come back with
    ``stopped=True`` (and no choice if the dev phase was not done).  ``on_row(row)`` is called
    with each model's row (a dict) as it finishes, before ``progress``: a caller whose run may
    end before this returns (a page's, on Stop) keeps them for ``stopped_sweep``.
    """
    settings_list = grid_settings(grid, seeds, base)
    seed_count = len(seed_list(seeds))
    mask = dev_mask(dataset, dev_fraction, dev_seed)
    check_train_fractions(dataset, [settings_list[0].train_fraction], mask)
    check_cluster_options(scheduler, local_cluster)
    should_stop = should_stop or (lambda: False)
    on_done = counter(progress, len(settings_list) + seed_count, on_row)
    with open_executor(scheduler, local_cluster, heartbeat) as runner:
        dev_rows, stopped = run_phase(runner, dataset, mask, settings_list, on_done, should_stop)
        if stopped:
            return SweepResult(rows_table(dev_rows, dev_fraction), None, True)
        chosen = choose(rows_table(dev_rows, dev_fraction))
        final_settings = [s for s in settings_list if setting_of(s) == tuple(chosen[f] for f in GRID_FIELDS)]
        final_rows, stopped = run_phase(runner, dataset, None, final_settings, on_done, should_stop)
    return SweepResult(rows_table(dev_rows + final_rows, dev_fraction), chosen, stopped)


def stopped_sweep(rows: list[dict], grid, seeds, base: Settings | None = None, *,
                  dev_fraction: float = DEV_FRACTION) -> SweepResult:
    """What a sweep that ended before it returned had finished, from the rows ``on_row`` was
    given (in the order they finished: the grid's, in this process): as ``sweep`` returns when
    ``should_stop`` stops it, ``stopped``, with the choice only if every dev model finished."""
    table = rows_table(rows, dev_fraction)
    dev_done = int((table["phase"] == "dev").sum()) == len(grid_settings(grid, seeds, base))
    return SweepResult(table, choose(table) if dev_done else None, True)
