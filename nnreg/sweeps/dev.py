"""The dev set: training points held out to choose on, so that the test set never is."""

from __future__ import annotations

import numpy as np

from ..data import MIN_SPLIT_POINTS, Dataset, holdout_mask, subsample_mask
from ..limits import MIN_TRAIN_FRACTION, check
from ..settings import DEV_FRACTION

DEV_SEED = 0


def dev_mask(dataset: Dataset, dev_fraction: float = DEV_FRACTION, seed: int = DEV_SEED) -> np.ndarray:
    """Which training points form the dev set: seeded, stratified, never a test point."""
    return holdout_mask(dataset.train_Y, check("dev_fraction", dev_fraction), seed)


def with_dev_as_test(dataset: Dataset, mask: np.ndarray) -> Dataset:
    """The training data split in two: "train" without the dev points, "test" the dev points."""
    parts = [dataset.train_X[~mask], dataset.train_Y[~mask], dataset.train_X[mask], dataset.train_Y[mask]]
    # The same names and classes, so its models have the outputs of the full data's.
    return Dataset(f"{dataset.name} (dev split)", *parts, dataset.feature_names, dataset.class_names,
                   dataset.standardize)


def _keeps_enough(labels: np.ndarray, fraction: float) -> bool:
    # The subsample's size and labels depend on the fraction only, not on the seed.
    try:
        subsample_mask(labels, fraction, DEV_SEED)
    except ValueError:
        return False
    return True


def check_train_fractions(dataset: Dataset, fractions, mask: np.ndarray | None = None,
                          name: str = "train_fraction") -> None:
    """That each training-set fraction leaves enough points of both labels to train on: of all
    training points, and of those outside the dev set (``mask``) when models are chosen there.
    Checked before anything trains; a ValueError names ``name``, the fraction and what works."""
    parts = [(dataset.train_Y, "training points")]
    if mask is not None:
        parts.append((dataset.train_Y[~mask], "training points outside the dev set"))
    for fraction in fractions:
        for labels, which in parts:
            if _keeps_enough(labels, fraction):
                continue
            steps = np.arange(MIN_TRAIN_FRACTION, 1.0, MIN_TRAIN_FRACTION).round(2)
            enough = next((float(step) for step in steps if _keeps_enough(labels, step)), 1.0)
            raise ValueError(f"{name}: {fraction:g} of the {len(labels)} {which} is too few to train on (at least "
                             f"{MIN_SPLIT_POINTS}, of both labels, are needed); {enough:g} or more works here")
