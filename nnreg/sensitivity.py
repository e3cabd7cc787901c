"""Sensitivity: how far a trained model moves when its start moves by one part in 10^12.

A model is trained again from its own initial parameters, each multiplied by 1 ± ``NUDGE`` (the
sign a seeded draw, ``training.nudged``), on the same points with the same dropout masks and
batches: every difference between the two runs grew from that nudge.  Gradient descent at the
course's learning rate of 0.3 without regularization is chaotic on the football data (the nudge
grows until the final weights differ by a percent and points change label, on 6 of the init seeds
0 to 9), where L2's pull towards 0 keeps most seeds' runs within rounding of each other (never a
label changed).  ``compare`` measures two runs, ``verdict`` names the result, ``sensitivities``
trains the nudged runs and compares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .settings import Settings
from .training import TrainResult, train_many

# One part in 10^12: ten thousand times float64's rounding (2.2·10^-16), so the nudge is no
# rounding error, and far below anything a person would call a different start.
NUDGE = 1e-12

STABLE, SENSITIVE, CHAOTIC = "stable", "sensitive", "chaotic"
VERDICTS = (STABLE, SENSITIVE, CHAOTIC)
# Measured on football, the course's three models over init seeds 0 to 9 (30 pairs of runs, on
# either engine): the largest relative change of a layer's final weights was 1.3·10^-13 to
# 1.7·10^-7 or 1.1·10^-4 to 5·10^-1, nothing in the three decades between, so 10^-6 parts the
# runs that stayed together (the nudge grew at most ~10^5-fold) from those it drove apart.  From
# 10^-2 a weight matrix differs by a percent: another model, as are the runs where a point changed
# label (only ever with changes above 2·10^-4).  Compiled: no regularization 6 chaotic, 1
# sensitive, 3 stable; L2 8 stable, 2 sensitive; dropout 6 stable, 2 sensitive, 2 chaotic.
STABLE_BELOW = 1e-6
CHAOTIC_FROM = 1e-2


def verdict(change: float, flipped: int) -> str:
    """``CHAOTIC`` when ``flipped`` predictions changed or the largest relative weight change
    ``change`` reached ``CHAOTIC_FROM`` (a non-finite change, a run that diverged, counts as
    reached), ``STABLE`` below ``STABLE_BELOW``, else ``SENSITIVE``."""
    if flipped or not change < CHAOTIC_FROM:
        return CHAOTIC
    return STABLE if change < STABLE_BELOW else SENSITIVE


def weight_changes(parameters: Mapping[str, np.ndarray],
                   other: Mapping[str, np.ndarray]) -> tuple[dict[str, float], float]:
    """How far ``other``'s weights are from ``parameters``': ‖W_l' − W_l‖_F / ‖W_l‖_F for each
    layer (by its name, "W1", ...), and the same over every weight of the network at once; a
    layer of zeros (L1 can leave one) is 0 from identical weights and infinitely far from others."""
    names = [name for name in parameters if name.startswith("W")]

    def relative(apart: float, size: float) -> float:
        return math.sqrt(apart / size) if size else 0.0 if apart == 0 else math.inf

    with np.errstate(over="ignore", invalid="ignore"):
        apart = {name: float(np.sum(np.square(other[name] - parameters[name]))) for name in names}
        size = {name: float(np.sum(np.square(parameters[name]))) for name in names}
    return ({name: relative(apart[name], size[name]) for name in names},
            relative(sum(apart.values()), sum(size.values())))


@dataclass(frozen=True)
class Sensitivity:
    """A model and its run from the nudged start, compared.

    ``layer_changes`` is each layer's final relative weight change (``weight_changes``) and
    ``change`` the whole network's; ``iterations`` the checkpoints both runs kept (from 0, where
    the change is the nudge) and ``changes`` the largest layer's change at each, what the
    verdict reads at the end.  ``*_flipped``
    count the fitted training points and the test points labelled differently, of ``*_size``;
    the accuracies are the model's and the nudged run's (``nudged_*``) on the same points.
    """

    settings: Settings
    layer_changes: dict[str, float]
    change: float
    iterations: tuple[int, ...]
    changes: tuple[float, ...]
    train_flipped: int
    train_size: int
    test_flipped: int
    test_size: int
    train_accuracy: float
    nudged_train_accuracy: float
    test_accuracy: float
    nudged_test_accuracy: float

    @property
    def largest_change(self) -> float:
        """The largest of ``layer_changes``: what the verdict reads."""
        return max(self.layer_changes.values())

    @property
    def flipped(self) -> int:
        return self.train_flipped + self.test_flipped

    @property
    def verdict(self) -> str:
        return verdict(self.largest_change, self.flipped)


def compare(result: TrainResult, nudged: TrainResult, dataset) -> Sensitivity:
    """``result`` and ``nudged``, the same settings trained from the nudged start on ``dataset``,
    compared: the parameters each returns (early stopping's choice, where it stops early) and
    their labels on the points it fitted and on the test points."""
    layers, change = weight_changes(result.parameters, nudged.parameters)
    iterations = tuple(iteration for iteration in result.checkpoints if iteration in nudged.checkpoints)
    changes = tuple(max(weight_changes(result.checkpoints[iteration], nudged.checkpoints[iteration])[0].values())
                    for iteration in iterations)
    points = result.fitted(dataset)[0]
    test = dataset.test_X if result.test_size else None
    with np.errstate(over="ignore", invalid="ignore"):
        train_flipped = int(np.count_nonzero(result.predict(points) != nudged.predict(points)))
        test_flipped = 0 if test is None else int(np.count_nonzero(result.predict(test) != nudged.predict(test)))
    return Sensitivity(result.settings, layers, change, iterations, changes, train_flipped, result.train_size,
                       test_flipped, result.test_size, result.train_accuracy, nudged.train_accuracy,
                       result.test_accuracy, nudged.test_accuracy)


def sensitivities(dataset, results: Sequence[TrainResult], *, engine: str = "auto",
                  nudge: float = NUDGE) -> list[Sensitivity]:
    """Each of ``results`` compared with its settings trained again on ``dataset`` from the
    nudged start (the page keeps those runs in a cache of its own and calls ``compare``)."""
    nudged = train_many(dataset, [result.settings for result in results], engine=engine, nudge=nudge)
    return [compare(result, again, dataset) for result, again in zip(results, nudged)]
