"""Sweeps: λ × keep_prob over init seeds, chosen on a dev set, with statistics over seeds.

Model choice never sees the test set.  A seeded, stratified dev set is held out of the training
data; every setting of the grid is trained on the rest ("dev" rows) for every seed, the setting
with the best mean dev accuracy is chosen, and only that setting is retrained on the full training
set ("final" rows) whose test accuracy is the reported one.  The "dev" rows' test accuracy is
kept for the validation curves, never for the choice.

Training runs in this process (on every core), or on a Dask cluster (one model per task) with the
same results: a model depends only on its settings and the data, so neither the worker nor a
retry after a worker died can change it.
"""

from __future__ import annotations

import io
import math
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import network
from .data import MIN_SPLIT_POINTS, Dataset, stratified_split
from .limits import MAX_SEEDS
from .settings import Settings
from .training import default_workers, train, train_many

GRID_FIELDS = ("lambd", "keep_prob")
PHASES = ("dev", "final")
DEV_SEED = 0
CONFIDENCE = 0.95
# Equal mean dev accuracies can differ in the last bits from the order of summation; such
# settings are tied, and the tie goes to the one listed first in the grid.
TIE_TOLERANCE = 1e-12
# A retried model gives the same result, so retrying is always safe; this only bounds a task
# that fails on every worker.
DASK_RETRIES = 3
DASK_CONNECT_SECONDS = 15
MAX_LOCAL_WORKERS = 64
IN_PROCESS_CHUNK_PER_CORE = 4
RESULT_TYPES = (".csv", ".parquet")

COLUMNS = [
    "phase", "lambd", "keep_prob", "seed", "train_accuracy", "dev_accuracy", "test_accuracy",
    "cost", "weight_norm", "diverged_at", "seconds", "layer_dims", "learning_rate",
    "num_iterations", "dropout_mask", "dataset", "fingerprint", "dev_fraction",
]
# What a results file must hold to be viewed; norm_W1, norm_W2, ... follow COLUMNS.
REQUIRED_COLUMNS = ["phase", "lambd", "keep_prob", "seed", "train_accuracy", "dev_accuracy",
                    "test_accuracy", "weight_norm"]
METRICS = ("train_accuracy", "dev_accuracy", "test_accuracy", "cost", "weight_norm")


@dataclass
class SweepResult:
    """One row per trained model, and the dev-chosen setting (None if stopped before the choice)."""

    rows: pd.DataFrame
    chosen: dict | None
    stopped: bool


# ---------------------------------------------------------------------------------------------
# The grid


def _seed_list(seeds) -> list[int]:
    if isinstance(seeds, bool):
        raise ValueError(f"seeds must be a number of seeds or a list of seeds, got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        if not 1 <= seeds <= MAX_SEEDS:
            raise ValueError(f"seeds must be from 1 to {MAX_SEEDS:,}, got {seeds}")
        return list(range(int(seeds)))
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    # Settings validates each seed's type and range.
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}")
    return seeds


def _grid_values(grid) -> dict[str, list[float]]:
    if not hasattr(grid, "keys"):
        raise ValueError(f"grid must map lambd and keep_prob to lists of values, got {grid!r}")
    unknown = sorted(set(grid) - set(GRID_FIELDS))
    if unknown:
        raise ValueError(f"grid can vary only {' and '.join(GRID_FIELDS)}, got {', '.join(map(str, unknown))}")
    values = {}
    for field in GRID_FIELDS:
        listed = grid.get(field, [0.0 if field == "lambd" else 1.0])
        listed = [listed] if np.isscalar(listed) else list(listed)
        if not listed:
            raise ValueError(f"grid {field} needs at least one value")
        checked = [getattr(Settings(**{field: value}), field) for value in listed]
        if len(set(checked)) != len(checked):
            raise ValueError(f"grid {field} lists a value twice: {listed}")
        values[field] = checked
    return values


def grid_settings(grid, seeds, base: Settings | None = None) -> list[Settings]:
    """Every model of the grid, λ outermost, then keep_prob, then seed; all validated up front.

    Each seed sets both the initial weights and the dropout masks, so a seed is one independent
    repetition; everything else comes from ``base``.
    """
    base = Settings() if base is None else base
    if not isinstance(base, Settings):
        raise TypeError(f"base must be an nnreg.Settings, got {type(base).__name__}")
    values = _grid_values(grid)
    return [base.replace(lambd=lambd, keep_prob=keep_prob, seed=seed, dropout_seed=seed)
            for lambd in values["lambd"] for keep_prob in values["keep_prob"] for seed in _seed_list(seeds)]


# ---------------------------------------------------------------------------------------------
# The dev set


def dev_mask(dataset: Dataset, dev_fraction: float = 0.25, seed: int = DEV_SEED) -> np.ndarray:
    """Which training points form the dev set: seeded, stratified, never a test point."""
    if isinstance(dev_fraction, bool) or not isinstance(dev_fraction, (int, float)) \
            or not 0 < dev_fraction < 1:
        raise ValueError(f"dev_fraction must be a number between 0 and 1 (exclusive), got {dev_fraction!r}")
    mask = stratified_split(dataset.train_Y, dev_fraction, seed)
    m = len(mask)
    for part, size in (("dev", int(mask.sum())), ("remaining training", m - int(mask.sum()))):
        if size < MIN_SPLIT_POINTS:
            raise ValueError(f"dev_fraction {dev_fraction:g} leaves {size} {part} point(s) of {m}; "
                             f"at least {MIN_SPLIT_POINTS} are needed")
    if np.unique(dataset.train_Y[~mask]).size < 2:
        raise ValueError(f"dev_fraction {dev_fraction:g} leaves one class only in the remaining training points")
    return mask


def with_dev_as_test(dataset: Dataset, mask: np.ndarray) -> Dataset:
    """The training data split in two: "train" without the dev points, "test" the dev points."""
    parts = [dataset.train_X[~mask], dataset.train_Y[~mask], dataset.train_X[mask], dataset.train_Y[mask]]
    for array in parts:
        array.setflags(write=False)
    return Dataset(f"{dataset.name} (dev split)", *parts)


# ---------------------------------------------------------------------------------------------
# Training


def _accuracy(parameters, X, y) -> float:
    return float(np.mean(network.predict(X.T, parameters) == y))


def _row(dataset: Dataset, mask: np.ndarray | None, fit: Dataset, result) -> dict:
    settings, params = result.settings, result.parameters
    norms = result.weight_norms()
    Y = fit.train_Y.reshape(1, -1).astype(float)
    row = {
        "phase": "final" if mask is None else "dev",
        "lambd": settings.lambd,
        "keep_prob": settings.keep_prob,
        "seed": settings.seed,
        "train_accuracy": result.train_accuracy,
        "dev_accuracy": math.nan if mask is None else result.test_accuracy,
        "test_accuracy": _accuracy(params, dataset.test_X, dataset.test_Y),
        # The model's own objective on its training data, with the full network (no dropout).
        "cost": network.compute_cost(fit.train_X.T, Y, params, settings.lambd),
        "weight_norm": result.total_weight_norm(),
        "diverged_at": result.diverged_at,
        "seconds": result.seconds,
        "layer_dims": ",".join(map(str, settings.layer_dims)),
        "learning_rate": settings.learning_rate,
        "num_iterations": settings.num_iterations,
        "dropout_mask": settings.dropout_mask,
        "dataset": dataset.name,
        "fingerprint": dataset.fingerprint,
    }
    row.update({f"norm_{name}": value for name, value in norms.items()})
    return row


def _fit_dataset(dataset: Dataset, mask: np.ndarray | None) -> Dataset:
    return dataset if mask is None else with_dev_as_test(dataset, mask)


def train_row(dataset: Dataset, mask: np.ndarray | None, settings: Settings) -> dict:
    """Train one model and describe it as a row: on the training data minus the dev points when
    ``mask`` is given (a "dev" row), on all of it otherwise (a "final" row, with no dev accuracy)."""
    fit = _fit_dataset(dataset, mask)
    return _row(dataset, mask, fit, train(fit, settings))


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ImportError("a Dask scheduler or local cluster needs dask.distributed, which is not "
                          "installed: pip install 'dask[distributed]'") from None
    return distributed


def _check_cluster_options(scheduler, local_cluster) -> None:
    if scheduler is not None and local_cluster is not None:
        raise ValueError("give a Dask scheduler or a local cluster, not both")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"scheduler must be an address such as tcp://host:8786, got {scheduler!r}")
    if local_cluster is not None and (isinstance(local_cluster, bool) or not isinstance(local_cluster, int)
                                      or not 1 <= local_cluster <= MAX_LOCAL_WORKERS):
        raise ValueError(f"local_cluster must be a number of workers from 1 to {MAX_LOCAL_WORKERS}, "
                         f"got {local_cluster!r}")


class _InProcess:
    """Trains here on every core (``train_many``), a few models per core at a time, so that a
    stop request waits for a second or so of training, not for the whole phase."""

    def __init__(self, heartbeat=None):
        self.heartbeat = heartbeat

    def run(self, dataset, mask, settings_list, on_done, should_stop) -> bool:
        """Call ``on_done(index, row)`` for each model; True if ``should_stop`` cut it short."""
        fit = _fit_dataset(dataset, mask)
        chunk = IN_PROCESS_CHUNK_PER_CORE * default_workers()
        for start in range(0, len(settings_list), chunk):
            if should_stop():
                return True
            batch = train_many(fit, settings_list[start:start + chunk], heartbeat=self.heartbeat)
            for offset, result in enumerate(batch):
                on_done(start + offset, _row(dataset, mask, fit, result))
        return False


class _OnDask:
    """Runs one task per model on a Dask cluster, collecting them as they finish."""

    def __init__(self, distributed, client):
        self.distributed, self.client = distributed, client

    def run(self, dataset, mask, settings_list, on_done, should_stop) -> bool:
        # pure=False: every task is submitted and kept, even two with equal arguments.
        count = len(settings_list)
        futures = self.client.map(train_row, [dataset] * count, [mask] * count, settings_list,
                                  retries=DASK_RETRIES, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in self.distributed.as_completed(futures, loop=self.client.loop):
                if should_stop():
                    return True
                on_done(index[future.key], future.result())
        finally:
            self.client.cancel(futures)
        return False


def _executor(stack: ExitStack, scheduler, local_cluster, heartbeat):
    if scheduler is None and local_cluster is None:
        return _InProcess(heartbeat)
    distributed = _import_distributed()
    if scheduler is not None:
        client = distributed.Client(scheduler.strip(), timeout=DASK_CONNECT_SECONDS, set_as_default=False)
    else:
        cluster = stack.enter_context(distributed.LocalCluster(
            n_workers=local_cluster, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None))
        client = distributed.Client(cluster, set_as_default=False)
    stack.enter_context(client)
    return _OnDask(distributed, client)


def _frame(rows: list[dict], dev_fraction: float) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    norms = sorted((c for c in frame.columns if c.startswith("norm_W")), key=lambda c: int(c[6:]))
    frame = frame.reindex(columns=COLUMNS + norms)
    frame["diverged_at"] = frame["diverged_at"].astype("Int64")
    frame["dev_fraction"] = dev_fraction
    return frame


def _run_phase(executor, dataset, mask, settings_list, on_done, should_stop) -> tuple[list[dict], bool]:
    """Rows in the order of ``settings_list`` (however the models finished), and whether it stopped."""
    slots = [None] * len(settings_list)

    def store(index, row):
        slots[index] = row
        on_done()

    stopped = executor.run(dataset, mask, settings_list, store, should_stop)
    return [row for row in slots if row is not None], stopped


def sweep(dataset: Dataset, grid, seeds, base: Settings | None = None, *, dev_fraction: float = 0.25,
          dev_seed: int = DEV_SEED, scheduler: str | None = None, local_cluster: int | None = None,
          progress=None, heartbeat=None, should_stop=None) -> SweepResult:
    """Train ``grid`` (``{"lambd": [...], "keep_prob": [...]}``) over ``seeds`` (a count, or a
    list of seeds), choose on the dev set and retrain the chosen setting on all training data.

    ``scheduler`` (a Dask scheduler's address) or ``local_cluster`` (a number of worker
    processes on this machine) runs the models on Dask.  ``progress(done, total)`` is called
    after each model, and in this process ``heartbeat()`` about every
    ``training.HEARTBEAT_SECONDS`` while models train (``train_many``).  ``should_stop()`` is asked before each batch of models (a few per core in
    this process, one model on Dask); once it is true, the rows trained so far come back with
    ``stopped=True`` (and no choice if the dev phase was not done).
    """
    settings_list = grid_settings(grid, seeds, base)
    seed_count = len(_seed_list(seeds))
    mask = dev_mask(dataset, dev_fraction, dev_seed)
    _check_cluster_options(scheduler, local_cluster)
    should_stop = should_stop or (lambda: False)
    total = len(settings_list) + seed_count
    done = 0

    def on_done():
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    with ExitStack() as stack:
        executor = _executor(stack, scheduler, local_cluster, heartbeat)
        dev_rows, stopped = _run_phase(executor, dataset, mask, settings_list, on_done, should_stop)
        if stopped:
            return SweepResult(_frame(dev_rows, dev_fraction), None, True)
        chosen = choose(_frame(dev_rows, dev_fraction))
        final_settings = [s for s in settings_list
                          if (s.lambd, s.keep_prob) == (chosen["lambd"], chosen["keep_prob"])]
        final_rows, stopped = _run_phase(executor, dataset, None, final_settings, on_done, should_stop)
    return SweepResult(_frame(dev_rows + final_rows, dev_fraction), chosen, stopped)


# ---------------------------------------------------------------------------------------------
# Statistics and choice


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


# ---------------------------------------------------------------------------------------------
# Results files


def check_results_path(path) -> Path:
    """The path ``write_results`` will write, checked before any training starts."""
    path = Path(path)
    if path.suffix.lower() not in RESULT_TYPES:
        raise ValueError(f"{path}: results are written as {' or '.join(RESULT_TYPES)}, "
                         f"got {path.suffix or 'no extension'}")
    if not path.parent.is_dir():
        raise ValueError(f"{path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder")
    return path


def write_results(rows: pd.DataFrame, path) -> None:
    path = check_results_path(path)
    if path.suffix.lower() == ".parquet":
        rows.to_parquet(path, index=False)
    else:
        rows.to_csv(path, index=False, lineterminator="\n")


def read_results(content: bytes, filename: str) -> pd.DataFrame:
    """A results file written by the command line or the app, from its bytes, validated."""
    source = Path(str(filename)).name or "upload"
    suffix = Path(source).suffix.lower()
    if suffix not in RESULT_TYPES:
        raise ValueError(f"{source}: results files are {' or '.join(RESULT_TYPES)}, got {suffix or 'no extension'}")
    if not content:
        raise ValueError(f"{source}: the file is empty")
    try:
        if suffix == ".parquet":
            rows = pd.read_parquet(io.BytesIO(content))
        else:
            rows = pd.read_csv(io.BytesIO(content))
    except Exception as error:  # pandas and pyarrow raise many types for a corrupt file; all mean the same.
        raise ValueError(f"{source}: not a readable {suffix} results file ({type(error).__name__})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)}; is it a sweep's results file?")
    unknown = sorted(set(rows["phase"].astype(str)) - set(PHASES))
    if unknown:
        raise ValueError(f"{source}: column phase must be dev or final, found {unknown[0]!r}")
    for column in REQUIRED_COLUMNS[1:]:
        if not pd.api.types.is_numeric_dtype(rows[column]):
            raise ValueError(f"{source}: column {column} must hold numbers")
    for column in ("lambd", "keep_prob", "seed"):
        if rows[column].isna().any():
            raise ValueError(f"{source}: column {column} has empty cells")
    for column in ("train_accuracy", "dev_accuracy", "test_accuracy"):
        values = rows[column].dropna()
        if ((values < 0) | (values > 1)).any():
            raise ValueError(f"{source}: column {column} must hold accuracies from 0 to 1")
    dev = rows[rows["phase"] == "dev"]
    if dev.empty:
        raise ValueError(f"{source}: there are no dev rows to choose from")
    if dev["dev_accuracy"].isna().any():
        raise ValueError(f"{source}: {int(dev['dev_accuracy'].isna().sum())} dev row(s) have no dev_accuracy")
    return rows
