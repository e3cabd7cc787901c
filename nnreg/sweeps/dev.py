"""The dev set: training points held out to choose on, so that the test set never is."""

from __future__ import annotations

import numpy as np

from ..data import Dataset, holdout_mask

DEV_SEED = 0


def dev_mask(dataset: Dataset, dev_fraction: float = 0.25, seed: int = DEV_SEED) -> np.ndarray:
    """Which training points form the dev set: seeded, stratified, never a test point."""
    if isinstance(dev_fraction, bool) or not isinstance(dev_fraction, (int, float)) \
            or not 0 < dev_fraction < 1:
        raise ValueError(f"dev_fraction must be a number between 0 and 1 (exclusive), got {dev_fraction!r}")
    return holdout_mask(dataset.train_Y, dev_fraction, seed)


def with_dev_as_test(dataset: Dataset, mask: np.ndarray) -> Dataset:
    """The training data split in two: "train" without the dev points, "test" the dev points."""
    parts = [dataset.train_X[~mask], dataset.train_Y[~mask], dataset.train_X[mask], dataset.train_Y[mask]]
    for array in parts:
        array.setflags(write=False)
    return Dataset(f"{dataset.name} (dev split)", *parts)
