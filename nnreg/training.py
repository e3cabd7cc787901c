"""Training: full-batch gradient descent from settings and a dataset to a plain result object."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import network
from .settings import Settings


@dataclass
class Loop:
    """What a training loop hands back; history is derived from it afterwards.

    ``snapshots[j]`` are the parameters after ``record_iterations[j]`` updates and
    ``objectives[j]`` the training objective of the forward pass that followed them
    (the thinned network's cost when dropout is on).
    """

    parameters: dict[str, np.ndarray]
    record_iterations: list[int]
    objectives: list[float]
    snapshots: list[dict[str, np.ndarray]]
    diverged_at: int | None


def dropout_masks(settings: Settings, m: int):
    """An endless source of per-iteration masks, or None when dropout is off."""
    if settings.keep_prob == 1.0:
        while True:
            yield None
    hidden = settings.layer_dims
    if settings.dropout_mask == "fixed":
        masks = network.fixed_masks(hidden, m, settings.keep_prob)
        while True:
            yield masks
    rng = np.random.Generator(np.random.PCG64(settings.dropout_seed))
    while True:
        yield network.fresh_masks(rng, hidden, m, settings.keep_prob)


def _all_finite(parameters) -> bool:
    return all(np.isfinite(value).all() for value in parameters.values())


def numpy_loop(X, Y, parameters, settings: Settings) -> Loop:
    """The reference loop: the course's model() with both regularizers allowed at once."""
    lambd, keep_prob = settings.lambd, settings.keep_prob
    masks_source = dropout_masks(settings, X.shape[1])
    record = Loop(parameters, [], [], [], None)
    for i in range(settings.num_iterations):
        masks = next(masks_source)
        ZL, activations = network.forward(X, parameters, keep_prob, masks)
        if not np.isfinite(ZL).all():
            record.diverged_at = i + 1
            break
        if i % settings.record_every == 0:
            objective = network.cross_entropy(ZL, Y) + network.l2_penalty(parameters, lambd, X.shape[1])
            record.record_iterations.append(i)
            record.objectives.append(objective)
            record.snapshots.append(parameters)
        grads = network.backward(Y, parameters, ZL, activations, lambd, keep_prob, masks)
        updated = network.update_parameters(parameters, grads, settings.learning_rate)
        if not _all_finite(updated):
            # Keep the last finite parameters: a result must never carry NaN or inf.
            record.diverged_at = i + 1
            break
        parameters = updated
    record.parameters = parameters
    return record


@dataclass
class TrainResult:
    """One trained model: parameters in the course's shapes, its accuracies and its history."""

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

    def predict_proba(self, points) -> np.ndarray:
        """P(label 1) for a (k, 2) array of points (examples as rows)."""
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points must be a (k, 2) array, got shape {points.shape}")
        return network.predict_proba(points.T, self.parameters)

    def predict(self, points) -> np.ndarray:
        """Labels 0/1 as the course predicts them: 1 where the probability exceeds 0.5."""
        return (self.predict_proba(points) > 0.5).astype(np.int64)

    @property
    def gap(self) -> float:
        """Train minus test accuracy: how much the model overfits."""
        return self.train_accuracy - self.test_accuracy

    def weight_norms(self) -> dict[str, float]:
        """‖W_l‖_F for every layer of the final parameters."""
        return {name: float(np.linalg.norm(value)) for name, value in self.parameters.items()
                if name.startswith("W")}


def _correct(parameters, X, Y) -> int:
    return int(np.sum((network.predict_proba(X, parameters) > 0.5) == (Y[0] == 1)))


def _history(loop: Loop, X, Y, X_test, Y_test, settings: Settings) -> pd.DataFrame:
    rows = []
    m = X.shape[1]
    for iteration, objective, parameters in zip(loop.record_iterations, loop.objectives, loop.snapshots):
        ZL, _ = network.forward(X, parameters)
        row = {
            "iteration": iteration,
            "objective": objective,
            "cost": network.cross_entropy(ZL, Y) + network.l2_penalty(parameters, settings.lambd, m),
            "train_accuracy": _correct(parameters, X, Y) / m,
            "test_accuracy": _correct(parameters, X_test, Y_test) / X_test.shape[1],
        }
        for name, value in parameters.items():
            if name.startswith("W"):
                row[f"norm_{name}"] = float(np.linalg.norm(value))
        rows.append(row)
    columns = ["iteration", "objective", "cost", "train_accuracy", "test_accuracy"]
    columns += [f"norm_W{l}" for l in range(1, len(settings.layer_sizes))]
    return pd.DataFrame(rows, columns=columns)


def train(dataset, settings: Settings | None = None, *, loop=None) -> TrainResult:
    """Train one model on ``dataset`` (a ``Dataset``) with ``settings`` (default: the course's).

    ``loop`` replaces the training loop (same arguments and result as ``numpy_loop``); the
    history, accuracies and divergence report are computed here the same way for every loop.
    """
    settings = Settings() if settings is None else settings
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be an nnreg.Settings, got {type(settings).__name__}")
    loop = numpy_loop if loop is None else loop
    # The course's layout: features × examples, labels as a (1, m) row.
    X, Y = dataset.train_X.T, dataset.train_Y.reshape(1, -1).astype(float)
    X_test, Y_test = dataset.test_X.T, dataset.test_Y.reshape(1, -1).astype(float)
    start = time.perf_counter()
    initial = network.initialize_parameters(settings.layer_sizes, settings.seed)
    record = loop(X, Y, initial, settings)
    seconds = time.perf_counter() - start
    train_correct = _correct(record.parameters, X, Y)
    test_correct = _correct(record.parameters, X_test, Y_test)
    return TrainResult(
        settings=settings,
        parameters=record.parameters,
        train_accuracy=train_correct / X.shape[1],
        test_accuracy=test_correct / X_test.shape[1],
        train_correct=train_correct,
        train_size=X.shape[1],
        test_correct=test_correct,
        test_size=X_test.shape[1],
        history=_history(record, X, Y, X_test, Y_test, settings),
        diverged_at=record.diverged_at,
        seconds=seconds,
        dataset_name=dataset.name,
        dataset_fingerprint=dataset.fingerprint,
    )
