"""The dev set: training points held out to choose on, so that the test set never is; one split,
or K stratified folds that each hold out a K-th of the training points in turn."""

from __future__ import annotations

import numpy as np

from ..data import MIN_SPLIT_POINTS, Dataset, holdout_mask, subsample_mask
from ..limits import MIN_TRAIN_FRACTION, check
from ..settings import DEV_FRACTION

DEV_SEED = 0


def dev_mask(dataset: Dataset, dev_fraction: float = DEV_FRACTION, seed: int = DEV_SEED) -> np.ndarray:
    """Which training points form the dev set: seeded, stratified, never a test point (``fold_masks``'
    one dev split)."""
    return fold_masks(dataset.train_Y, 1, dev_fraction, seed)[0]


def fold_masks(train_Y, folds: int = 1, dev_fraction: float = DEV_FRACTION, seed: int = DEV_SEED, *,
               class_names=None, name: str = "folds") -> list[np.ndarray]:
    """The dev points of each fold (True): with ``folds`` = 1 the one seeded, stratified dev split of
    ``dev_fraction``; with K >= 2 stratified K-fold, every training point in exactly one fold, the
    same folds as scikit-learn's ``StratifiedKFold(K, shuffle=True, random_state=seed)``.  A
    ValueError names ``name`` (a flag, a field) and a class (by ``class_names``, indexed by label
    code, when given) too rare to be in every fold, or folds too small to score."""
    folds = check("folds", folds, name=name)
    seed = check("dev_seed", seed)
    y = np.asarray(train_Y).ravel()
    if folds == 1:
        return [holdout_mask(y, check("dev_fraction", dev_fraction), seed)]
    # Classes numbered in the order they first appear, as scikit-learn numbers them.
    _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
    codes = np.argsort(np.argsort(first))[inverse]
    counts = np.bincount(codes)
    if counts.min() < folds:
        rare = np.unique(y)[np.argsort(np.argsort(first)) == counts.argmin()][0].item()
        label = class_names[rare] if class_names is not None else rare
        raise ValueError(f"{name}: {folds} folds need at least {folds} training points of every class; class "
                         f"{label} has {counts.min()}")
    # Each fold takes every K-th point of the labels in sorted order, so that each class's count
    # per fold differs by at most one; the folds' order within each class is then shuffled.
    ordered = np.sort(codes)
    allocation = np.array([np.bincount(ordered[k::folds], minlength=len(counts)) for k in range(folds)])
    rng = np.random.RandomState(seed)
    fold_of = np.empty(len(y), dtype=int)
    for code in range(len(counts)):
        of_class = np.arange(folds).repeat(allocation[:, code])
        rng.shuffle(of_class)
        fold_of[codes == code] = of_class
    masks = [fold_of == k for k in range(folds)]
    smallest = min(int(mask.sum()) for mask in masks)
    if smallest < MIN_SPLIT_POINTS:
        # Each fold is scored as a test set is: on at least MIN_SPLIT_POINTS points.
        raise ValueError(f"{name}: {folds} folds of the {len(y)} training points leave {smallest} dev points in a fold; "
                         f"at least {MIN_SPLIT_POINTS} are needed, so {max(len(y) // MIN_SPLIT_POINTS, 2)} folds "
                         "or fewer")
    return masks


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
