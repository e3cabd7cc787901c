"""One row per trained model: its setting, its accuracies on train, dev and test, its cost and
weight norms; the rows of a sweep as a table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import network
from ..data import Dataset
from ..limits import format_layers
from ..settings import Settings
from ..training import train
from .dev import with_dev_as_test
from .grid import GRID_FIELDS, setting_of

COLUMNS = [
    "phase", *GRID_FIELDS, "seed", "train_fraction", "train_size", "train_accuracy", "dev_accuracy", "test_accuracy",
    "cost", "weight_norm", "outcome", "diverged_at", "seconds", "layer_dims", "learning_rate",
    "num_iterations", "dropout_mask", "dataset", "fingerprint", "dev_fraction",
]


def _accuracy(result, X, y) -> float:
    return float(np.mean(result.predict(X) == y))


def model_row(dataset: Dataset, mask: np.ndarray | None, fit: Dataset, result) -> dict:
    settings, params = result.settings, result.parameters
    norms = result.weight_norms()
    # The points it fitted: all of ``fit``'s training points, or its train_fraction of them.
    X = result.network_inputs(fit.train_X[result.train_index])
    Y = fit.train_Y[result.train_index].reshape(1, -1).astype(float)
    row = {
        "phase": "final" if mask is None else "dev",
        **dict(zip(GRID_FIELDS, setting_of(settings))),
        "seed": settings.seed,
        "train_fraction": settings.train_fraction,
        "train_size": result.train_size,
        "train_accuracy": result.train_accuracy,
        "dev_accuracy": math.nan if mask is None else result.test_accuracy,
        "test_accuracy": _accuracy(result, dataset.test_X, dataset.test_Y),
        # The model's own objective on its training data, with the full network (no dropout).
        "cost": network.compute_cost(X, Y, params, settings.lambd, l1=settings.l1),
        "weight_norm": result.total_weight_norm(),
        # How training ended (training.outcome_of): trained, collapsed or diverged.
        "outcome": result.outcome.kind,
        "diverged_at": result.diverged_at,
        "seconds": result.seconds,
        "layer_dims": format_layers(settings.layer_dims),
        "learning_rate": settings.learning_rate,
        "num_iterations": settings.num_iterations,
        "dropout_mask": settings.dropout_mask,
        "dataset": dataset.name,
        "fingerprint": dataset.fingerprint,
    }
    row.update({f"norm_{name}": value for name, value in norms.items()})
    return row


def fit_dataset(dataset: Dataset, mask: np.ndarray | None) -> Dataset:
    return dataset if mask is None else with_dev_as_test(dataset, mask)


def train_row(dataset: Dataset, mask: np.ndarray | None, settings: Settings) -> dict:
    """Train one model and describe it as a row: on the training data minus the dev points when
    ``mask`` is given (a "dev" row), on all of it otherwise (a "final" row, with no dev accuracy)."""
    fit = fit_dataset(dataset, mask)
    return model_row(dataset, mask, fit, train(fit, settings))


def rows_table(rows: list[dict], dev_fraction: float) -> pd.DataFrame:
    """Rows as a table in the columns of COLUMNS, then norm_W1, norm_W2, ..."""
    table = pd.DataFrame(rows)
    norms = sorted((c for c in table.columns if c.startswith("norm_W")), key=lambda c: int(c[6:]))
    table = table.reindex(columns=COLUMNS + norms)
    table["diverged_at"] = table["diverged_at"].astype("Int64")
    table["dev_fraction"] = dev_fraction
    return table
