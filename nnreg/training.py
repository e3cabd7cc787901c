"""Training: full-batch gradient descent from settings and a dataset to a plain result object.

Two engines run the same loop (``nnreg.engines``): ``reference.numpy_loop``, the readable
reference written next to the course's equations, and ``compiled.numba_loop``, the same
mathematics compiled by Numba (tens of times faster).  This module drives them: it picks one
(``train`` uses the compiled one whenever Numba is installed), derives the history and the
outcome (trained, collapsed or diverged: ``outcome_of``) from the record either returns, and
trains many models at once.  A network's input and output layers are its dataset's
(``layer_sizes``): any number of features, two classes with the course's sigmoid output, more
with a softmax.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import data, limits, network
from .engines.record import Record, StopFlag
from .engines.reference import numpy_loop
from .settings import Settings


# How a run ended, named apart because each has its own cure: a diverged run's steps were too
# large, a collapsed model learned nothing (often a penalty so strong that underfitting wins), and
# only a diverged run is no result to compare.
TRAINED, COLLAPSED, DIVERGED = "trained", "collapsed", "diverged"
OUTCOMES = (TRAINED, COLLAPSED, DIVERGED)


def outcomes_text(kinds) -> str:
    """How several runs ended, as tables name it: the outcome when all ended alike ("collapsed"),
    else the count of each, e.g. "7 trained, 3 collapsed"; "" for no runs."""
    kinds = list(kinds)
    counts = {kind: kinds.count(kind) for kind in OUTCOMES}
    if len(set(kinds)) <= 1:
        return kinds[0] if kinds else ""
    return ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)


# A cost this many times its start has exploded: a model that learns lowers it, and noise (dropout
# at keep_prob 0.05 raises the full network's cost by up to 16 % on the built-in datasets) stays far
# below.
EXPLODED = 3.0
# P(label 1) spanning less than this over the points a network fitted is one output for all of
# them: labels that hang on the sixth decimal are rounding, not a boundary.
CONSTANT_SPREAD = 1e-6


def layer_sizes(settings: Settings, dataset) -> tuple[int, ...]:
    """Every layer's size for ``settings``' hidden layers on ``dataset`` (``network.layer_sizes``)."""
    return network.layer_sizes(settings.layer_dims, dataset.n_features, dataset.n_classes)


@dataclass(frozen=True)
class Output:
    """What a network does on the points it fitted: its lowest and highest P(label 1), the label
    it gives every one of them if it gives one label to all (else None), and the first hidden
    layer (counted from 1) whose every unit is zero on all of them (None if none is).  With
    ``n_classes`` ≥ 3, ``low`` and ``high`` are P(the class it gives the most points) instead."""

    low: float
    high: float
    label: int | None
    dead_layer: int | None
    n_classes: int = 2

    @property
    def constant(self) -> bool:
        """Whether the output no longer depends on the point: one label for every point, or P
        the same to ``CONSTANT_SPREAD``."""
        return self.label is not None or self.high - self.low < CONSTANT_SPREAD


def output_of(X, parameters, activation: str = "relu") -> Output:
    """``Output`` of ``parameters`` (hidden layers of ``activation``) on the points X (features × examples)."""
    n_classes = network.n_classes_of(parameters)
    with np.errstate(over="ignore", invalid="ignore"):
        ZL, activations = network.forward(X, parameters, activation=activation)
        counts = np.bincount(network.labels_of(ZL), minlength=n_classes)
        most = int(np.argmax(counts))
        probabilities = network.sigmoid(ZL)[0] if n_classes == 2 else network.softmax(ZL)[most]
    label = most if counts[most] == X.shape[1] else None
    dead = [l for l, A in enumerate(activations[1:], start=1) if not A.any()]
    return Output(float(probabilities.min()), float(probabilities.max()), label, dead[0] if dead else None,
                  n_classes)


@dataclass(frozen=True)
class Outcome:
    """How a run ended (``outcome_of`` decides it; the page, the command line and the sweeps all
    name it from here).

    ``kind`` is TRAINED, COLLAPSED or DIVERGED, and ``cause`` says why, for the cure: a diverged
    run "overflowed", its cost "exploded", or it was "thrown" (its cost rose and it ended with one
    output for every point); a collapsed model's "dead layer", its "penalty" (λ or l1 above 0), or
    "" (nothing known).  ``iteration`` is where a diverged run failed and ``cost`` its cost there
    (a collapsed model: its cost at the end), ``start_cost`` its cost at iteration 0; ``output``
    the network's output the verdict is about (None after an overflow).
    """

    kind: str
    cause: str = ""
    iteration: int | None = None
    start_cost: float = math.nan
    cost: float = math.nan
    output: Output | None = None


def outcome_of(iterations, costs, end: Output | None, returned: Output | None = None, *,
               overflowed_at: int | None = None, penalty: bool = False) -> Outcome:
    """How a run ended, from its cost at each of ``iterations`` (the first at iteration 0, the
    last the run's final parameters), the ``Output`` of its final parameters (``end``) and of
    the model it returns (``returned``: early stopping's choice; default ``end``).

    Diverged, the steps were too large (lower the learning rate):
      - an update overflowed (``overflowed_at``, where the engine stopped);
      - the final cost is not finite or above ``EXPLODED`` times its start: it exploded and stayed;
      - or the cost rose above its start and the final network gives every point one output.
        Full-batch gradient descent with a small enough step never raises its cost; steps that did
        and ended in a constant network threw the weights where no gradient reaches (learning rate
        10 on every built-in dataset), however the cost reads at the end.
    Collapsed, without diverging: the returned model's output is the same for every point it
    fitted (``Output.constant``): it learned nothing and its accuracy is one label's share.  It
    is a result, compared with the others.  Its cause: a "dead layer", every unit of a hidden
    layer zero on every point (what steps too large leave, as at learning rate 5 on xor, even
    with λ = 0.7: the penalty then shrinks the dead weights to 0); else with a penalty
    (``penalty``) the "penalty": descent found what it asks for, weights near 0 with every unit
    still alive (λ = 50 on the course's data): it is too strong and the model underfits.
    Trained otherwise, however good: a run whose cost spiked and came back is judged by the
    model it ended with.
    """
    returned = end if returned is None else returned
    iterations, costs = [int(i) for i in iterations], np.asarray(costs, dtype=float)
    start = float(costs[0]) if len(costs) else math.nan
    if overflowed_at is not None:
        return Outcome(DIVERGED, "overflowed", int(overflowed_at), start)
    # Comparisons with NaN are false: a non-finite cost is tested on its own.
    failing = ~np.isfinite(costs) | (costs > EXPLODED * start)
    if failing[-1]:
        first = int(np.argmax(failing))
        return Outcome(DIVERGED, "exploded", iterations[first], start, float(costs[first]), end)
    rose = costs > start
    if end.constant and rose.any():
        first = int(np.argmax(rose))
        return Outcome(DIVERGED, "thrown", iterations[first], start, float(costs[first]), end)
    if returned.constant:
        cause = "dead layer" if returned.dead_layer is not None else "penalty" if penalty else ""
        return Outcome(COLLAPSED, cause, None, start, float(costs[-1]), returned)
    return Outcome(TRAINED, "", None, start, float(costs[-1]), returned)


@dataclass
class TrainResult:
    """One trained model: parameters in the course's shapes, its accuracies and its history.

    ``train_index`` are the training points it fitted (``train_size`` of them: all, or a
    ``train_fraction`` of them, less the dev set); with early stopping ``dev_index`` are the
    dev points and ``parameters`` those of ``best_iteration``, the recorded iteration with the best
    dev accuracy (the earliest on ties).  ``train_accuracy`` is on the fitted points; a model
    trained with no test set (``train_points``) has ``test_accuracy`` NaN and ``test_size`` 0.

    ``input_mean`` and ``input_scale`` ((n_features,) arrays) standardize its inputs when its
    settings do (``standardizes``; None otherwise): ``network_inputs`` turns raw points into the
    network's inputs, and ``predict``, ``predict_proba`` and ``class_probabilities`` take raw
    points.  ``parameters`` and ``checkpoints`` act on the standardized inputs, as L2 and L1 did.
    ``feature_sizes`` is each raw feature's size over the fitted points (``training.feature_sizes``),
    by which a run that failed on large raw features names standardizing as its first cure
    (``unscaled``).

    ``outcome`` says how training ended (``outcome_of``): trained, collapsed (a network that
    learned nothing, compared like any other) or diverged; ``diverged_at`` is where a diverged
    run failed (None otherwise).  A run whose update overflowed stopped there, and its
    ``parameters`` are the last finite ones.
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
    outcome: Outcome
    seconds: float
    dataset_name: str = ""
    dataset_fingerprint: str = ""
    train_index: np.ndarray | None = field(default=None, repr=False)
    dev_index: np.ndarray | None = field(default=None, repr=False)
    dev_accuracy: float | None = None
    best_iteration: int | None = None
    # About CHECKPOINTS parameter sets by the number of updates that made them, from 0 to the last.
    checkpoints: dict[int, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)
    input_mean: np.ndarray | None = field(default=None, repr=False)
    input_scale: np.ndarray | None = field(default=None, repr=False)
    feature_sizes: np.ndarray | None = field(default=None, repr=False)

    @property
    def diverged_at(self) -> int | None:
        """The iteration where a diverged run failed; None for a model that trained or collapsed."""
        return self.outcome.iteration if self.outcome.kind == DIVERGED else None

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

    @property
    def n_features(self) -> int:
        """The features a point has for this model."""
        return network.layer_sizes_of(self.parameters)[0]

    @property
    def n_classes(self) -> int:
        """The classes this model tells apart."""
        return network.n_classes_of(self.parameters)

    def network_inputs(self, points) -> np.ndarray:
        """Raw points, a (k, n_features) array (examples as rows), as the network's (n_features, k)
        inputs: standardized as in training when it was (``input_mean``, ``input_scale``).  Every
        evaluation of ``parameters`` or a checkpoint on points goes through here; a ValueError
        names the shape expected."""
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != self.n_features:
            raise ValueError(f"points must be a (k, {self.n_features}) array, got shape {points.shape}")
        return standardized(points, self.input_mean, self.input_scale).T

    def predict_proba(self, points) -> np.ndarray:
        """P(label 1) for a (k, n_features) array of points (examples as rows), shape (k,), for
        two classes; with K ≥ 3 classes P(class j) of each point, shape (k, K), as
        ``class_probabilities``."""
        probabilities = network.predict_proba(self.network_inputs(points), self.parameters, self.settings.activation)
        return probabilities if probabilities.ndim == 1 else probabilities.T

    def class_probabilities(self, points) -> np.ndarray:
        """P(class j) for a (k, n_features) array of points, shape (k, K) for any number of
        classes: for two, the columns P(0) and P(1)."""
        return network.probabilities(self.network_inputs(points), self.parameters, self.settings.activation).T

    def predict(self, points) -> np.ndarray:
        """Class codes as ``network.predict`` gives them: labels 0/1 as the course predicts them,
        for more classes the most probable one."""
        return network.predict(self.network_inputs(points), self.parameters, self.settings.activation)

    @property
    def unscaled(self) -> bool:
        """Whether it trained on raw features of which one is larger than ``LARGE_FEATURE``: steps
        too large for it are standardizing's to cure before the learning rate's."""
        return self.input_mean is None and self.feature_sizes is not None and \
            bool(self.feature_sizes.max() > LARGE_FEATURE)

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


def _history(record: Record, X, Y, test, settings: Settings, dev=None) -> pd.DataFrame:
    """One row per recorded iteration: objective, the full network's cost, its cross-entropy on
    the training points, on the test points ``test`` = (X, Y) and the dev points ``dev`` (each
    where given), accuracies and norms.

    The snapshots are evaluated together, stacked along a first axis (a few hundred NumPy calls
    in all instead of a few per snapshot), in chunks that bound the memory used.
    """
    L = network.num_layers(record.parameters)
    m = X.shape[1]
    norms = [f"norm_W{l}" for l in range(1, L + 1)]
    splits = ["dev"] if dev is not None else []
    names = ["cost", "train_cost", "test_cost", "train_accuracy", "test_accuracy", *norms,
             *(f"{split}_{kind}" for split in splits for kind in ("cost", "accuracy"))]
    columns = {name: [] for name in names if test is not None or not name.startswith("test_")}
    widest = max(m, 0 if test is None else test[0].shape[1])
    chunk = max(1, 250_000 // (max(network.layer_sizes_of(record.parameters)) * widest))
    for start in range(0, len(record.snapshots), chunk):
        snapshots = record.snapshots[start: start + chunk]
        stacked = {name: np.stack([s[name] for s in snapshots]) for name in snapshots[0]}
        squares = [np.sum(np.square(stacked[f"W{l}"]), axis=(1, 2)) for l in range(1, L + 1)]
        ZL = _stacked_logits(stacked, X, L, settings.activation)
        # The cost gradient descent lowers (with L2's penalty), and the cross-entropy alone on either
        # split, which compare: a test cost rising while the train cost falls is overfitting.
        train_cost = network.cross_entropy(ZL, Y)
        columns["cost"].append(train_cost + network.penalty(stacked, settings.lambd, settings.l1, m))
        columns["train_cost"].append(train_cost)
        columns["train_accuracy"].append(_stacked_correct(ZL, Y) / m)
        if test is not None:
            ZL_test = _stacked_logits(stacked, test[0], L, settings.activation)
            columns["test_cost"].append(network.cross_entropy(ZL_test, test[1]))
            columns["test_accuracy"].append(_stacked_correct(ZL_test, test[1]) / test[0].shape[1])
        for name, square in zip(norms, squares):
            columns[name].append(np.sqrt(square))
        if dev is not None:
            ZL_dev = _stacked_logits(stacked, dev[0], L, settings.activation)
            columns["dev_cost"].append(network.cross_entropy(ZL_dev, dev[1]))
            columns["dev_accuracy"].append(_stacked_correct(ZL_dev, dev[1]) / dev[0].shape[1])
    history = {"iteration": np.array(record.record_iterations, dtype=np.int64),
               "objective": np.array(record.objectives, dtype=float)}
    history.update({name: np.concatenate(parts) if parts else np.zeros(0) for name, parts in columns.items()})
    return pd.DataFrame(history)


def _outcome(record: Record, history: pd.DataFrame, X, Y, settings: Settings, parameters, updates: int) -> Outcome:
    """``outcome_of`` a run: its recorded costs and the final parameters' (after ``updates``),
    the output of those and of the ``parameters`` it returns."""
    if record.diverged_at is not None:
        return outcome_of(history.iteration, history.cost, end=None, overflowed_at=record.diverged_at)
    end_cost = network.compute_cost(X, Y, record.parameters, settings.lambd, l1=settings.l1,
                                    activation=settings.activation)
    end = output_of(X, record.parameters, settings.activation)
    returned = end if parameters is record.parameters else output_of(X, parameters, settings.activation)
    return outcome_of([*history.iteration, updates], [*history.cost, end_cost], end, returned,
                      penalty=settings.lambd > 0 or settings.l1 > 0)


def _stacked_logits(stacked, X, L, activation: str = "relu"):
    """``network.forward``'s logits for each of a stack of parameter sets: shape (snapshots, outputs, m)."""
    A = X
    for l in range(1, L + 1):
        Z = np.matmul(stacked[f"W{l}"], A)
        Z += stacked[f"b{l}"]
        if l < L:
            # network.relu in place: fresh arrays of this size cost more in page faults than arithmetic.
            A = np.maximum(Z, 0, out=Z) if activation == "relu" else network.hidden_activation(Z, activation)
    return Z


def _stacked_correct(ZL, Y) -> np.ndarray:
    """``network.count_correct`` for each of a stack of logits."""
    return np.sum(network.labels_of(ZL) == Y, axis=-1)


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
          stop: StopFlag | None = None, nudge: float = 0.0) -> TrainResult:
    """Train one model on ``dataset`` (a ``Dataset``) with ``settings`` (default: the course's).

    ``engine`` picks the loop: "numpy" (the reference), "numba" (compiled; the first call in a
    process compiles it or loads it from Numba's disk cache) or "auto" (Numba when installed).
    Both give the same parameters to rounding; history, accuracies and the outcome
    are computed here the same way for either.  ``stop.set()`` from another thread ends training
    within one iteration with ``TrainingStopped``.  ``nudge`` above 0 starts from the initial
    parameters nudged by that much (``nudged``), as ``nnreg.sensitivity`` retrains them.
    """
    settings = _checked(settings)
    return _train_with(training_loop(engine), dataset, settings, stop, _checked_nudge(nudge))


@dataclass(frozen=True, eq=False)
class _Points:
    """Training points with no test split, read by ``_train_with`` as it reads a Dataset."""

    name: str
    train_X: np.ndarray
    train_Y: np.ndarray
    n_classes: int
    standardize: bool
    test_X = None
    test_Y = None
    fingerprint = ""

    @property
    def n_features(self) -> int:
        return self.train_X.shape[1]


def train_points(X, y, settings: Settings | None = None, *, n_classes: int, standardize: bool = True,
                 engine: str = "auto", name: str = "points") -> TrainResult:
    """Train one model on every one of the points ``X`` ((m, n_features) floats) with class codes
    ``y`` (0 to ``n_classes`` - 1), and nothing held out for a test: its ``test_accuracy`` is NaN,
    ``test_size`` 0 and its history has no test columns.  ``nnreg.Classifier.fit`` runs this once
    it has checked the arrays; ``standardize`` is the data's default that ``Settings.standardize``
    None resolves to.  Early stopping and ``train_fraction`` still take their share of the points."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (m, n_features) and y (m,) class codes, got shapes {X.shape} and {y.shape}")
    points = _Points(name, X, y.astype(np.int64), n_classes, standardize)
    return _train_with(training_loop(engine), points, _checked(settings))


def _checked_nudge(nudge) -> float:
    # A share of each parameter: negative is the same nudge (the signs are drawn), 1 or more no nudge.
    if isinstance(nudge, bool) or not isinstance(nudge, (int, float)) or not 0 <= nudge < 1:
        raise ValueError(f"nudge must be a number from 0 to below 1 (a share of each initial parameter), got {nudge!r}")
    return float(nudge)


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


def standardizes(settings: Settings, dataset) -> bool:
    """Whether a model of ``settings`` standardizes its inputs on ``dataset``: its own
    ``standardize``, or the data's default (``Dataset.standardize``) where that is None."""
    return dataset.standardize if settings.standardize is None else settings.standardize


def input_scaling(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the scale of each feature over ``points`` (rows): its standard deviation, or
    1 for a constant feature (standard deviation 0), which then stays 0 once centred instead of
    dividing by 0."""
    std = points.std(axis=0)
    return points.mean(axis=0), np.where(std > 0, std, 1.0)


# A feature larger than this takes first-layer steps larger by as much (W1's gradient grows with
# its inputs): the course's learning rate of 0.3 suits its features and the synthetic sets', 0.2
# to 0.7 in size, and kills the network on iris's centimetres (up to 5.9) and on breast-cancer
# areas (1,070).  Features far smaller than 1 slow learning down but never throw it.
LARGE_FEATURE = 3.0


def feature_sizes(points: np.ndarray) -> np.ndarray:
    """Each feature's size over ``points`` (rows): the root mean square of its values, what the
    first layer multiplies (a feature near 1,000 ± 1 is large however small its spread)."""
    return np.sqrt(np.mean(np.square(points), axis=0))


def standardized(points: np.ndarray, mean: np.ndarray | None, scale: np.ndarray | None) -> np.ndarray:
    """``points`` (rows) centred by ``mean`` and divided by ``scale``; as they are for None."""
    return points if mean is None else (points - mean) / scale


def _best_iteration(history: pd.DataFrame, final_dev_accuracy: float, updates: int) -> int:
    """The recorded iteration, or the last update, with the best dev accuracy; the earliest on ties."""
    candidates = [*zip(history.iteration, history.dev_accuracy), (updates, final_dev_accuracy)]
    best = max(accuracy for _, accuracy in candidates)
    return int(min(iteration for iteration, accuracy in candidates if accuracy == best))


def nudged(parameters: dict[str, np.ndarray], nudge: float, seed: int) -> dict[str, np.ndarray]:
    """``parameters`` each multiplied by 1 + ``nudge``·u, u = ±1 drawn for every parameter from
    ``seed`` (its own seed sequence, apart from the data's draws): every weight moves by exactly
    ``nudge`` of itself, and a bias of 0 (the course's start) stays 0.  Applied before the loop,
    so that either engine starts from the same nudged parameters."""
    signs = np.random.default_rng((seed, 3))
    return {name: value * (1 + nudge * signs.choice((-1.0, 1.0), size=value.shape))
            for name, value in parameters.items()}


def _train_with(loop, dataset, settings: Settings, stop: StopFlag | None = None, nudge: float = 0.0) -> TrainResult:
    train_index, dev_index = fitted_points(dataset, settings)
    # Fitted on the points the model fits only: the dev and test points are scaled by what the
    # model knew, as new points will be.
    mean, scale = input_scaling(dataset.train_X[train_index]) if standardizes(settings, dataset) else (None, None)
    # The course's layout: features × examples, labels as a (1, m) row.
    X = standardized(dataset.train_X[train_index], mean, scale).T
    Y = dataset.train_Y[train_index].reshape(1, -1).astype(float)
    test = None if dataset.test_X is None else (standardized(dataset.test_X, mean, scale).T,
                                                 dataset.test_Y.reshape(1, -1).astype(float))
    dev = None if dev_index is None else (standardized(dataset.train_X[dev_index], mean, scale).T,
                                          dataset.train_Y[dev_index].reshape(1, -1).astype(float))
    start = time.perf_counter()
    initial = network.initialize_parameters(layer_sizes(settings, dataset), settings.seed)
    if nudge:
        initial = nudged(initial, nudge, settings.seed)
    record = loop(X, Y, initial, settings, stop)
    seconds = time.perf_counter() - start
    checkpoints = _checkpoints(record, settings)
    parameters, best_iteration, dev_accuracy = record.parameters, None, None
    # Parameters just short of overflow may still overflow here; inf logits still predict a label.
    with np.errstate(over="ignore", invalid="ignore"):
        history = _history(record, X, Y, test, settings, dev)
        if dev is not None:
            updates = max(checkpoints)
            final = network.count_correct(*dev, record.parameters, settings.activation) / dev[0].shape[1]
            # Chosen on the dev points only: the test set never chooses.
            best_iteration = _best_iteration(history, final, updates)
            if best_iteration not in checkpoints:
                snapshot = record.snapshots[record.record_iterations.index(best_iteration)]
                checkpoints[best_iteration] = {name: value.copy() for name, value in snapshot.items()}
            parameters = checkpoints[best_iteration]
            dev_accuracy = network.count_correct(*dev, parameters, settings.activation) / dev[0].shape[1]
        train_correct = network.count_correct(X, Y, parameters, settings.activation)
        test_correct = 0 if test is None else network.count_correct(*test, parameters, settings.activation)
        test_size = 0 if test is None else test[0].shape[1]
        outcome = _outcome(record, history, X, Y, settings, parameters, max(checkpoints))
    return TrainResult(
        settings=settings,
        parameters=parameters,
        train_accuracy=train_correct / X.shape[1],
        test_accuracy=test_correct / test_size if test_size else math.nan,
        train_correct=train_correct,
        train_size=X.shape[1],
        test_correct=test_correct,
        test_size=test_size,
        history=history,
        outcome=outcome,
        seconds=seconds,
        dataset_name=dataset.name,
        dataset_fingerprint=dataset.fingerprint,
        train_index=train_index,
        dev_index=dev_index,
        dev_accuracy=dev_accuracy,
        best_iteration=best_iteration,
        checkpoints=dict(sorted(checkpoints.items())),
        input_mean=mean,
        input_scale=scale,
        feature_sizes=feature_sizes(dataset.train_X[train_index]),
    )


def _work(settings: Settings, shape: tuple[int, int]) -> float:
    """A model's relative training time on data of ``shape`` (features, classes): the budget's work,
    dropout about a third more."""
    n_features, n_classes = shape
    dropout = 1.35 if settings.keep_prob < 1 else 1.0
    return limits.work(settings, 1, n_features=n_features, n_classes=n_classes) * dropout


def default_workers() -> int:
    """The CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# How often train_many hands control back to its caller while models train: Streamlit can only
# stop a page's run when the page's own thread calls into it, and a stop should take about a second.
HEARTBEAT_SECONDS = 0.25


def as_finished(pending: dict[Future, object], heartbeat: Callable[[], None] | None = None) -> Iterator[tuple]:
    """Each (future, its value in ``pending``) as it finishes, taken out of ``pending`` first (so
    what is left there is what is still running); ``heartbeat()`` about every
    ``HEARTBEAT_SECONDS`` while some remain.  A heartbeat's exception propagates from here."""
    while pending:
        finished, _ = wait(pending, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
        for future in finished:
            yield future, pending.pop(future)
        if pending and heartbeat is not None:
            heartbeat()


def train_many(dataset, settings_list, *, max_workers: int | None = None, engine: str = "auto", progress=None,
               heartbeat=None, stop: StopFlag | None = None, nudge: float = 0.0) -> list[TrainResult]:
    """Train one model per settings on ``dataset``, several at once; results in input order.

    Models run on a pool of ``max_workers`` threads (default: one per core).  The compiled
    engine releases the GIL, so they really run side by side; with the NumPy engine they mostly
    take turns.  ``progress(done, total)``, if given, is called in the calling thread after each
    model, e.g. to move a progress bar; ``heartbeat()`` about every ``HEARTBEAT_SECONDS`` while
    models train.  If either raises (Streamlit does when the page reruns or closes), or Ctrl-C
    arrives, models not started yet are dropped, those in training stop within an iteration, and
    the exception propagates.  ``stop.set()`` from another thread does the same and raises
    ``TrainingStopped``.  ``nudge`` nudges every model's start as ``train`` does.
    """
    settings_list = [_checked(settings) for settings in settings_list]
    nudge = _checked_nudge(nudge)
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
    shape = dataset.n_features, dataset.n_classes
    # Longest models first, so that no core is left with a long one at the end while others idle.
    order = sorted(range(total), key=lambda index: -_work(settings_list[index], shape))
    with ThreadPoolExecutor(max_workers=min(max_workers, total), thread_name_prefix="nnreg-train") as pool:
        pending = {pool.submit(_train_with, loop, dataset, settings_list[index], stop, nudge): index
                   for index in order}
        done = 0
        try:
            for future, index in as_finished(pending, heartbeat):
                results[index] = future.result()
                done += 1
                if progress is not None:
                    progress(done, total)
        except BaseException:
            # Nobody wants these models any more: queued ones are dropped, running ones stop at
            # their next iteration, so the pool's threads end at once instead of training on.
            stop.set()
            for future in pending:
                future.cancel()
            raise
    return results
