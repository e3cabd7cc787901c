"""``sweep``: the grid trained on the training data minus the dev set, the choice on dev, and the
chosen setting retrained on all training data."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

import pandas as pd

from ..data import Dataset
from ..settings import Settings
from .dev import DEV_SEED, dev_mask
from .executors import check_cluster_options, executor
from .grid import grid_settings, seed_list
from .rows import rows_table
from .stats import choose


@dataclass
class SweepResult:
    """One row per trained model, and the dev-chosen setting (None if stopped before the choice)."""

    rows: pd.DataFrame
    chosen: dict | None
    stopped: bool


def _run_phase(runner, dataset, mask, settings_list, on_done, should_stop) -> tuple[list[dict], bool]:
    """Rows in the order of ``settings_list`` (however the models finished), and whether it stopped."""
    slots = [None] * len(settings_list)

    def store(index, row):
        slots[index] = row
        on_done()

    stopped = runner.run(dataset, mask, settings_list, store, should_stop)
    return [row for row in slots if row is not None], stopped


def sweep(dataset: Dataset, grid, seeds, base: Settings | None = None, *, dev_fraction: float = 0.25,
          dev_seed: int = DEV_SEED, scheduler: str | None = None, local_cluster: int | None = None,
          progress=None, heartbeat=None, should_stop=None) -> SweepResult:
    """Train ``grid`` (``{"lambd": [...], "keep_prob": [...]}``) over ``seeds`` (a count, or a
    list of seeds), choose on the dev set and retrain the chosen setting on all training data.

    ``scheduler`` (a Dask scheduler's address) or ``local_cluster`` (a number of worker
    processes on this machine) runs the models on Dask.  ``progress(done, total)`` is called
    after each model, and in this process ``heartbeat()`` about every
    ``training.HEARTBEAT_SECONDS`` while models train (``train_many``).  ``should_stop()`` is
    asked before each batch of models (a few per core in this process, one model on Dask); once it is true, the rows trained so far come back with
    ``stopped=True`` (and no choice if the dev phase was not done).
    """
    settings_list = grid_settings(grid, seeds, base)
    seed_count = len(seed_list(seeds))
    mask = dev_mask(dataset, dev_fraction, dev_seed)
    check_cluster_options(scheduler, local_cluster)
    should_stop = should_stop or (lambda: False)
    total = len(settings_list) + seed_count
    done = 0

    def on_done():
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    with ExitStack() as stack:
        runner = executor(stack, scheduler, local_cluster, heartbeat)
        dev_rows, stopped = _run_phase(runner, dataset, mask, settings_list, on_done, should_stop)
        if stopped:
            return SweepResult(rows_table(dev_rows, dev_fraction), None, True)
        chosen = choose(rows_table(dev_rows, dev_fraction))
        final_settings = [s for s in settings_list
                          if (s.lambd, s.keep_prob) == (chosen["lambd"], chosen["keep_prob"])]
        final_rows, stopped = _run_phase(runner, dataset, None, final_settings, on_done, should_stop)
    return SweepResult(rows_table(dev_rows + final_rows, dev_fraction), chosen, stopped)
