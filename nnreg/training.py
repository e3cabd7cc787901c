"""Training: full-batch gradient descent from settings and a dataset to a plain result object.

Two engines run the same loop (``nnreg.engines``): ``reference.numpy_loop``, the readable
reference written next to the course's equations, and ``compiled.numba_loop``, the same
mathematics compiled by Numba (tens of times faster).  This module drives them: it picks one
(``train`` uses the compiled one whenever Numba is installed), derives the history and the
divergence verdict from the record either returns, and trains many models at once.
"""

from __future__ import annotations

import importlib.util
import os
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import data, limits, network
from .engines.record import Record, StopFlag
from .engines.reference import numpy_loop
from .settings import Settings


@dataclass
class TrainResult:
    """One trained model: parameters in the course's shapes, its accuracies and its history.

    ``train_index`` are the training points it fitted (``train_size`` of them: all, or a
    ``train_fraction`` of them, less the dev set); with early stopping ``dev_index`` are the
    dev points and ``parameters`` those of ``best_iteration``, the recorded iteration with the best
    dev accuracy (the earliest on ties).  ``train_accuracy`` is on the fitted points.

    ``diverged_at`` is None for a model that trained, else the iteration where training failed:
    the first update that overflowed (training stopped there, and ``parameters`` are the last
    finite ones), or the first recorded iteration at which the network had collapsed to one
    output for every example or its cost had tripled.
    """

    settings: Settings
    parameters: dict[str, np.ndarray]
    train_accuracy: float
    test_accuracy: float
    train_correct: int
    train_size: int
    test_correct: int
    test_size: int
    history: pd.DataFrame
    diverged_at: int | None
    seconds: float
    dataset_name: str = ""
    dataset_fingerprint: str = ""
    train_index: np.ndarray | None = field(default=None, repr=False)
    dev_index: np.ndarray | None = field(default=None, repr=False)
    dev_accuracy: float | None = None
    best_iteration: int | None = None
    # About CHECKPOINTS parameter sets by the number of updates that made them, from 0 to the last.
    checkpoints: dict[int, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def checkpoint_iterations(self) -> list[int]:
        """The iterations whose parameters are kept, from 0 (the initial weights) to the last
        update (``num_iterations``, or where a diverged run stopped)."""
        return list(self.checkpoints)

    def parameters_at(self, iteration: int) -> dict[str, np.ndarray]:
        """The parameters after ``iteration`` updates, one of ``checkpoint_iterations`` (a copy)."""
        if iteration not in self.checkpoints:
            kept = self.checkpoint_iterations
            raise ValueError(f"iteration must be one of checkpoint_iterations ({kept[0]:,} to {kept[-1]:,}, "
                             f"{len(kept)} in all), got {iteration!r}")
        return {name: value.copy() for name, value in self.checkpoints[iteration].items()}

    def fitted(self, dataset) -> tuple[np.ndarray, np.ndarray]:
        """The training points of ``dataset`` this model fitted (rows) and their labels."""
        index = slice(None) if self.train_index is None else self.train_index
        return dataset.train_X[index], dataset.train_Y[index]

    def predict_proba(self, points) -> np.ndarray:
        """P(label 1) for a (k, 2) array of points (examples as rows)."""
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points must be a (k, 2) array, got shape {points.shape}")
        return network.predict_proba(points.T, self.parameters)

    def predict(self, points) -> np.ndarray:
        """Labels 0/1 as the course predicts them (``network.predict``)."""
        return (self.predict_proba(points) > network.THRESHOLD).astype(np.int64)

    @property
    def gap(self) -> float:
        """Train minus test accuracy: how much the model overfits."""
        return self.train_accuracy - self.test_accuracy

    def total_weight_norm(self) -> float:
        """The norm of all weights together: sqrt(Σ_l ‖W_l‖²_F), what weight decay shrinks."""
        return float(np.sqrt(sum(norm**2 for norm in self.weight_norms().values())))

    def zero_weights(self) -> tuple[int, int]:
        """How many weights are exactly 0 (L1's proximal steps put them there), of how many."""
        weights = [value for name, value in self.parameters.items() if name.startswith("W")]
        return sum(int(np.count_nonzero(value == 0)) for value in weights), sum(value.size for value in weights)

    def weight_norms(self) -> dict[str, float]:
        """‖W_l‖_F for every layer of the final parameters."""
        return {name: float(np.linalg.norm(value)) for name, value in self.parameters.items()
                if name.startswith("W")}


# Parameter sets a result keeps for looking back into training: enough to scrub through it, at the
# course's size (127 parameters) about 1 KB each, 62 KB a model.
CHECKPOINTS = 60


def _checkpoints(record: Record, settings: Settings) -> dict[int, dict[str, np.ndarray]]:
    """About CHECKPOINTS of the recorded parameter sets, evenly spaced, and the last parameters."""
    # A diverged run stopped before its diverged_at-th update: diverged_at - 1 updates were made.
    updates = settings.num_iterations if record.diverged_at is None else record.diverged_at - 1
    step = max(1, math.ceil(len(record.snapshots) / CHECKPOINTS))
    # Copies: the compiled engine's snapshots are views of one array of them all, which a view kept
    # here would keep whole.
    kept = {iteration: {name: value.copy() for name, value in snapshot.items()}
            for iteration, snapshot in zip(record.record_iterations[::step], record.snapshots[::step])}
    kept[updates] = record.parameters
    return kept


def _history(loop: Record, X, Y, X_test, Y_test, settings: Settings, dev=None) -> tuple[pd.DataFrame, int | None]:
    """One row per recorded iteration: objective, the full network's cost, its cross-entropy on
    the training and the test points (and the dev points ``dev`` = (X, Y), if given), accuracies
    and norms;
    and the first recorded iteration whose network had collapsed (None if none had).

    Collapsed means the output is the same for every training example: every unit of some hidden
    layer is inactive everywhere, so no gradient can ever reach the layers below again.  It is
    what a too-large learning rate leaves behind when its first steps throw the weights far out.
    The snapshots are evaluated together, stacked along a first axis (a few hundred NumPy calls
    in all instead of a few per snapshot), in chunks that bound the memory used.
    """
    L = len(settings.layer_sizes) - 1
    m = X.shape[1]
    norms = [f"norm_W{l}" for l in range(1, L + 1)]
    splits = ["dev"] if dev is not None else []
    columns = {name: [] for name in ["cost", "train_cost", "test_cost", "train_accuracy", "test_accuracy", *norms,
                                     *(f"{split}_{kind}" for split in splits for kind in ("cost", "accuracy"))]}
    chunk = max(1, 250_000 // (max(settings.layer_sizes) * max(m, X_test.shape[1])))
    collapsed_at = None
    for start in range(0, len(loop.snapshots), chunk):
        snapshots = loop.snapshots[start: start + chunk]
        stacked = {name: np.stack([s[name] for s in snapshots]) for name in snapshots[0]}
        squares = [np.sum(np.square(stacked[f"W{l}"]), axis=(1, 2)) for l in range(1, L + 1)]
        ZL = _stacked_logits(stacked, X, L)
        constant = np.flatnonzero(np.ptp(ZL, axis=(1, 2)) == 0)
        if collapsed_at is None and constant.size:
            collapsed_at = loop.record_iterations[start + constant[0]]
        ZL_test = _stacked_logits(stacked, X_test, L)
        # The cost gradient descent lowers (with L2's penalty), and the cross-entropy alone on either
        # split, which compare: a test cost rising while the train cost falls is overfitting.
        train_cost = network.cross_entropy(ZL, Y)
        columns["cost"].append(train_cost + network.penalty(stacked, settings.lambd, settings.l1, m))
        columns["train_cost"].append(train_cost)
        columns["test_cost"].append(network.cross_entropy(ZL_test, Y_test))
        columns["train_accuracy"].append(_stacked_correct(ZL, Y) / m)
        columns["test_accuracy"].append(_stacked_correct(ZL_test, Y_test) / X_test.shape[1])
        for name, square in zip(norms, squares):
            columns[name].append(np.sqrt(square))
        if dev is not None:
            ZL_dev = _stacked_logits(stacked, dev[0], L)
            columns["dev_cost"].append(network.cross_entropy(ZL_dev, dev[1]))
            columns["dev_accuracy"].append(_stacked_correct(ZL_dev, dev[1]) / dev[0].shape[1])
    history = {"iteration": np.array(loop.record_iterations, dtype=np.int64),
               "objective": np.array(loop.objectives, dtype=float)}
    history.update({name: np.concatenate(parts) if parts else np.zeros(0) for name, parts in columns.items()})
    return pd.DataFrame(history), collapsed_at


def _failed_at(history: pd.DataFrame, collapsed_at: int | None) -> int | None:
    """The first recorded iteration at which training had visibly failed without overflowing:
    the network had collapsed, or the model's cost had risen to three times its starting value
    (steps that overshoot so far have thrown the weights out of the region where they can learn)."""
    exploded = history.iteration[history.cost > 3 * history.cost.iloc[0]] if len(history) else []
    failures = [int(i) for i in (collapsed_at, *exploded[:1]) if i is not None]
    return min(failures, default=None)


def _stacked_logits(stacked, X, L):
    """``network.forward``'s logits for each of a stack of parameter sets: shape (snapshots, 1, m)."""
    A = X
    for l in range(1, L + 1):
        Z = np.matmul(stacked[f"W{l}"], A)
        Z += stacked[f"b{l}"]
        if l < L:
            # network.relu in place: fresh arrays of this size cost more in page faults than arithmetic.
            A = np.maximum(Z, 0, out=Z)
    return Z


def _stacked_correct(ZL, Y) -> np.ndarray:
    """``network.count_correct`` for each of a stack of logits."""
    return np.sum((network.sigmoid(ZL) > network.THRESHOLD) == (Y == 1), axis=(1, 2))


ENGINES = ("auto", "numba", "numpy")
NUMBA_AVAILABLE = importlib.util.find_spec("numba") is not None


def training_loop(engine: str = "auto"):
    """The loop function an engine name stands for: "auto" is Numba's when it is installed."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "numpy" or (engine == "auto" and not NUMBA_AVAILABLE):
        return numpy_loop
    if not NUMBA_AVAILABLE:
        raise ValueError("engine 'numba' needs the numba package, which is not installed "
                         "(pip install -r requirements.txt)")
    from .engines import compiled  # imported on first use: loading Numba takes a moment

    return compiled.numba_loop


def train(dataset, settings: Settings | None = None, *, engine: str = "auto",
          stop: StopFlag | None = None) -> TrainResult:
    """Train one model on ``dataset`` (a ``Dataset``) with ``settings`` (default: the course's).

    ``engine`` picks the loop: "numpy" (the reference), "numba" (compiled; the first call in a
    process compiles it or loads it from Numba's disk cache) or "auto" (Numba when installed).
    Both give the same parameters to rounding; history, accuracies and the divergence report
    are computed here the same way for either.  ``stop.set()`` from another thread ends training
    within one iteration with ``TrainingStopped``.
    """
    settings = _checked(settings)
    return _train_with(training_loop(engine), dataset, settings, stop)


def _checked(settings) -> Settings:
    settings = Settings() if settings is None else settings
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be an nnreg.Settings, got {type(settings).__name__}")
    return settings


def fitted_points(dataset, settings: Settings) -> tuple[np.ndarray, np.ndarray | None]:
    """Indices of the training points a model fits, and of its dev points (None without early
    stopping): a ``train_fraction`` of them, then ``dev_fraction`` of those held out; both
    seeded by the init seed and stratified.  A ValueError names a fraction that leaves too few."""
    used = np.arange(len(dataset.train_Y))
    if settings.train_fraction < 1:
        # Distinct seed sequences, so that the subsample and the dev set are drawn independently.
        used = used[data.subsample_mask(dataset.train_Y, settings.train_fraction, (settings.seed, 1))]
    if not settings.early_stopping:
        return used, None
    held = data.holdout_mask(dataset.train_Y[used], settings.dev_fraction, (settings.seed, 2))
    return used[~held], used[held]


def _best_iteration(history: pd.DataFrame, final_dev_accuracy: float, updates: int) -> int:
    """The recorded iteration, or the last update, with the best dev accuracy; the earliest on ties."""
    candidates = [*zip(history.iteration, history.dev_accuracy), (updates, final_dev_accuracy)]
    best = max(accuracy for _, accuracy in candidates)
    return int(min(iteration for iteration, accuracy in candidates if accuracy == best))


def _train_with(loop, dataset, settings: Settings, stop: StopFlag | None = None) -> TrainResult:
    train_index, dev_index = fitted_points(dataset, settings)
    # The course's layout: features × examples, labels as a (1, m) row.
    X, Y = dataset.train_X[train_index].T, dataset.train_Y[train_index].reshape(1, -1).astype(float)
    X_test, Y_test = dataset.test_X.T, dataset.test_Y.reshape(1, -1).astype(float)
    dev = None if dev_index is None else (dataset.train_X[dev_index].T,
                                          dataset.train_Y[dev_index].reshape(1, -1).astype(float))
    start = time.perf_counter()
    initial = network.initialize_parameters(settings.layer_sizes, settings.seed)
    record = loop(X, Y, initial, settings, stop)
    seconds = time.perf_counter() - start
    checkpoints = _checkpoints(record, settings)
    parameters, best_iteration, dev_accuracy = record.parameters, None, None
    # Parameters just short of overflow may still overflow here; inf logits still predict a label.
    with np.errstate(over="ignore", invalid="ignore"):
        history, collapsed_at = _history(record, X, Y, X_test, Y_test, settings, dev)
        if dev is not None:
            updates = max(checkpoints)
            final = network.count_correct(*dev, record.parameters) / dev[0].shape[1]
            # Chosen on the dev points only: the test set never chooses.
            best_iteration = _best_iteration(history, final, updates)
            if best_iteration not in checkpoints:
                snapshot = record.snapshots[record.record_iterations.index(best_iteration)]
                checkpoints[best_iteration] = {name: value.copy() for name, value in snapshot.items()}
            parameters = checkpoints[best_iteration]
            dev_accuracy = network.count_correct(*dev, parameters) / dev[0].shape[1]
        train_correct = network.count_correct(X, Y, parameters)
        test_correct = network.count_correct(X_test, Y_test, parameters)
    return TrainResult(
        settings=settings,
        parameters=parameters,
        train_accuracy=train_correct / X.shape[1],
        test_accuracy=test_correct / X_test.shape[1],
        train_correct=train_correct,
        train_size=X.shape[1],
        test_correct=test_correct,
        test_size=X_test.shape[1],
        history=history,
        diverged_at=record.diverged_at if record.diverged_at is not None else _failed_at(history, collapsed_at),
        seconds=seconds,
        dataset_name=dataset.name,
        dataset_fingerprint=dataset.fingerprint,
        train_index=train_index,
        dev_index=dev_index,
        dev_accuracy=dev_accuracy,
        best_iteration=best_iteration,
        checkpoints=dict(sorted(checkpoints.items())),
    )


def _work(settings: Settings) -> float:
    """A model's relative training time: the budget's work, dropout about a third more."""
    return limits.work(settings, 1) * (1.35 if settings.keep_prob < 1 else 1.0)


def default_workers() -> int:
    """The CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# How often train_many hands control back to its caller while models train: Streamlit can only
# stop a page's run when the page's own thread calls into it, and a stop should take about a second.
HEARTBEAT_SECONDS = 0.25


def train_many(dataset, settings_list, *, max_workers: int | None = None, engine: str = "auto",
               progress=None, heartbeat=None, stop: StopFlag | None = None) -> list[TrainResult]:
    """Train one model per settings on ``dataset``, several at once; results in input order.

    Models run on a pool of ``max_workers`` threads (default: one per core).  The compiled
    engine releases the GIL, so they really run side by side; with the NumPy engine they mostly
    take turns.  ``progress(done, total)``, if given, is called in the calling thread after each
    model, e.g. to move a progress bar; ``heartbeat()`` about every ``HEARTBEAT_SECONDS`` while
    models train.  If either raises (Streamlit does when the page reruns or closes), or Ctrl-C
    arrives, models not started yet are dropped, those in training stop within an iteration, and
    the exception propagates.  ``stop.set()`` from another thread does the same and raises
    ``TrainingStopped``.
    """
    settings_list = [_checked(settings) for settings in settings_list]
    loop = training_loop(engine)
    if max_workers is None:
        max_workers = default_workers()
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise ValueError(f"max_workers must be a whole number of at least 1, got {max_workers!r}")
    total = len(settings_list)
    results: list[TrainResult | None] = [None] * total
    if total == 0:
        return []
    stop = StopFlag() if stop is None else stop
    # Longest models first, so that no core is left with a long one at the end while others idle.
    order = sorted(range(total), key=lambda index: -_work(settings_list[index]))
    with ThreadPoolExecutor(max_workers=min(max_workers, total), thread_name_prefix="nnreg-train") as pool:
        pending = {pool.submit(_train_with, loop, dataset, settings_list[index], stop): index for index in order}
        done = 0
        try:
            while pending:
                finished, _ = wait(pending, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    results[index] = future.result()
                    done += 1
                    if progress is not None:
                        progress(done, total)
                if pending and heartbeat is not None:
                    heartbeat()
        except BaseException:
            # Nobody wants these models any more: queued ones are dropped, running ones stop at
            # their next iteration, so the pool's threads end at once instead of training on.
            stop.set()
            for future in pending:
                future.cancel()
            raise
    return results
