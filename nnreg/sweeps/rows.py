"""One row per trained model: its setting, its fold, its accuracies on train, dev and test, its
cost and weight norms; the rows of a sweep as a table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import network
from ..data import Dataset
from ..limits import format_layers
from ..settings import Settings
from ..training import standardizes, train
from .dev import with_dev_as_test
from .grid import GRID_FIELDS, setting_of, shown_fields

COLUMNS = [
    "phase", *GRID_FIELDS, "seed", "fold", "train_fraction", "train_size", "train_accuracy", "dev_accuracy",
    "dev_size", "test_accuracy", "test_size", "cost", "weight_norm", "outcome", "diverged_at", "seconds",
    "layer_dims", "learning_rate", "num_iterations", "activation", "optimizer", "batch_size", "dropout_mask",
    "standardized", "unscaled", "dataset", "fingerprint",
    "dev_fraction", "folds", "dev_seed",
]
# What makes two rows the same model of the same sweep: its phase, setting, share, seed and fold.
MODEL_KEY = ("phase", *GRID_FIELDS, "train_fraction", "seed", "fold")


@dataclass(frozen=True, eq=False)
class Split:
    """Where a "dev" model's dev points are: ``mask`` over the training points, the dev points of
    fold ``fold`` (0 with one dev split)."""

    mask: np.ndarray
    fold: int


def _accuracy(result, X, y) -> float:
    return float(np.mean(result.predict(X) == y))


def model_key(settings: Settings, split: Split | None) -> tuple:
    """A model's MODEL_KEY, as its row will hold it."""
    return ("final" if split is None else "dev", *(float(value) for value in setting_of(settings)),
            float(settings.train_fraction), int(settings.seed), None if split is None else split.fold)


def row_key(row) -> tuple:
    """A row's MODEL_KEY (a final row's fold is None), whatever types a file gave it."""
    fold = row["fold"]
    return (str(row["phase"]), *(float(row[field]) for field in GRID_FIELDS), float(row["train_fraction"]),
            int(row["seed"]), None if fold is None or pd.isna(fold) else int(fold))


def model_row(dataset: Dataset, split: Split | None, fit: Dataset, result) -> dict:
    settings, params = result.settings, result.parameters
    norms = result.weight_norms()
    # The points it fitted: all of ``fit``'s training points, or its train_fraction of them.
    X = result.network_inputs(fit.train_X[result.train_index])
    Y = fit.train_Y[result.train_index].reshape(1, -1).astype(float)
    row = {
        "phase": "final" if split is None else "dev",
        **dict(zip(GRID_FIELDS, setting_of(settings))),
        "seed": settings.seed,
        "fold": None if split is None else split.fold,
        "train_fraction": settings.train_fraction,
        "train_size": result.train_size,
        "train_accuracy": result.train_accuracy,
        "dev_accuracy": math.nan if split is None else result.test_accuracy,
        # The number of points each accuracy was measured on: their sampling error is part of the noise.
        "dev_size": math.nan if split is None else int(split.mask.sum()),
        "test_accuracy": _accuracy(result, dataset.test_X, dataset.test_Y),
        "test_size": len(dataset.test_Y),
        # The model's own objective on its training data, with the full network (no dropout).
        "cost": network.compute_cost(X, Y, params, settings.lambd, l1=settings.l1, activation=settings.activation),
        "weight_norm": result.total_weight_norm(),
        # How training ended (training.outcome_of): trained, collapsed or diverged.
        "outcome": result.outcome.kind,
        "diverged_at": result.diverged_at,
        "seconds": result.seconds,
        "layer_dims": format_layers(settings.layer_dims),
        "learning_rate": settings.learning_rate,
        "num_iterations": settings.num_iterations,
        "activation": settings.activation,
        "optimizer": settings.optimizer,
        # Empty for the full batch.
        "batch_size": settings.batch_size,
        "dropout_mask": settings.dropout_mask,
        "standardized": result.input_mean is not None,
        # Raw features far larger than 1: divergence there is standardizing's to cure first.
        "unscaled": result.unscaled,
        "dataset": dataset.name,
        "fingerprint": dataset.fingerprint,
    }
    row.update({f"norm_{name}": value for name, value in norms.items()})
    return row


def fit_dataset(dataset: Dataset, split: Split | None) -> Dataset:
    return dataset if split is None else with_dev_as_test(dataset, split.mask)


def train_row(dataset: Dataset, split: Split | None, settings: Settings) -> dict:
    """Train one model and describe it as a row: on the training data minus the dev points when
    ``split`` is given (a "dev" row), on all of it otherwise (a "final" row, with no dev accuracy)."""
    fit = fit_dataset(dataset, split)
    return model_row(dataset, split, fit, train(fit, settings))


def rows_table(rows: list[dict], dev_fraction: float, folds: int = 1, dev_seed: int = 0) -> pd.DataFrame:
    """Rows as a table in the columns of COLUMNS, then norm_W1, norm_W2, ...; every row says the
    sweep's dev split (``dev_fraction``, or ``folds`` folds) and its ``dev_seed``."""
    table = pd.DataFrame(rows)
    norms = sorted((c for c in table.columns if c.startswith("norm_W")), key=lambda c: int(c[6:]))
    table = table.reindex(columns=COLUMNS + norms)
    for column in ("fold", "diverged_at", "dev_size", "test_size", "batch_size"):
        table[column] = pd.to_numeric(table[column]).astype("Int64")
    table["dev_fraction"] = dev_fraction
    table["folds"] = folds
    table["dev_seed"] = dev_seed
    return table


# The columns that say which sweep a row is from, beyond its model's own key.
SWEEP_COLUMNS = ("fingerprint", "layer_dims", "learning_rate", "num_iterations", "activation", "optimizer",
                 "batch_size", "dropout_mask", "standardized", "dev_fraction", "folds", "dev_seed")


def earlier_rows(done: pd.DataFrame | None, dataset: Dataset, base: Settings, dev_fraction: float, folds: int,
                 dev_seed: int, jobs, names=None) -> dict[tuple, dict]:
    """The rows of ``done`` (an earlier, interrupted run's results) by ``row_key``, once checked to
    be this sweep's: the same data, network, training, scaling and dev split (its dev fraction
    only with one fold), and each row one of ``jobs``' models (``(split, settings)`` pairs; a
    split None for a retrained model).  A ValueError says what differs, each column as ``names``
    calls it (a flag) where given."""
    if done is None or done.empty:
        return {}
    names = names or {}
    ours = {"fingerprint": dataset.fingerprint, "layer_dims": format_layers(base.layer_dims),
            "learning_rate": base.learning_rate, "num_iterations": base.num_iterations,
            "activation": base.activation, "optimizer": base.optimizer, "batch_size": _batch_text(base.batch_size),
            "dropout_mask": base.dropout_mask, "standardized": standardizes(base, dataset),
            "dev_fraction": dev_fraction, "folds": folds, "dev_seed": dev_seed}
    for column in SWEEP_COLUMNS:
        if column == "dev_fraction" and folds > 1:
            # K folds hold out a K-th each, whatever the dev fraction says.
            continue
        if column == "batch_size":
            # A full batch is an empty cell, so compared as text rather than dropped as missing.
            values = {_batch_text(value) for value in done[column]} if column in done else set()
        else:
            values = set(done[column].dropna()) if column in done else set()
        if isinstance(ours[column], bool):
            same = {bool(value) for value in values} == {ours[column]}
        elif isinstance(ours[column], str):
            same = {str(value) for value in values} == {ours[column]}
        else:
            same = len(values) == 1 and math.isclose(float(next(iter(values))), float(ours[column]))
        if not same:
            what = names.get(column, column)
            if column == "fingerprint":
                raise ValueError(f"the earlier results are another sweep's: {what} differ")
            theirs = ", ".join(sorted(map(str, values))) or "nothing"
            raise ValueError(f"the earlier results are another sweep's: {what} is {theirs} there, {ours[column]} here")
    keys = {model_key(settings, split) for split, settings in jobs}
    rows = {}
    for row in done.to_dict("records"):
        key = row_key(row)
        if key not in keys:
            setting = ", ".join(f"{field}={row[field]:g}" for field in shown_fields({f: [row[f]] for f in GRID_FIELDS}))
            raise ValueError(f"the earlier results hold a model this sweep does not train: {row['phase']} {setting}, "
                             f"seed {row['seed']}" + ("" if key[-1] is None else f", fold {key[-1]}"))
        rows[key] = {column: (None if value is pd.NA else value) for column, value in row.items()}
    return rows


def _batch_text(batch_size) -> str:
    """A batch size as a resumed file's check compares it: the number, or "full" (None, an empty cell)."""
    return "full" if batch_size is None or pd.isna(batch_size) else str(int(batch_size))
