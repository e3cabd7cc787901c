"""A sweep cut down to the compute budget: the largest request like a refused one that a page may
train, and what was cut, in a phrase the page shows on the button that takes it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from ..limits import LimitError, check_budget, format_number
from .grid import GRID_FIELDS
from .request import SweepRequest

# Fewer seeds are the first thing cut, but not below three, from which a spread over seeds
# still means something; and never below two, the fewest a spread is measured over.
KEPT_SEEDS = 3
FEWEST_SEEDS = 2
FEWEST_FOLDS = 2


def fit_request(request: SweepRequest, train_points: int, n_features: int, n_classes: int,
                names: Mapping[str, str]) -> tuple[SweepRequest, str] | None:
    """The largest request like ``request`` that ``limits.check_budget`` accepts on data of
    ``train_points`` training points, ``n_features`` features and ``n_classes`` classes, with a
    phrase saying what was cut ("3 seeds instead of 5; λ 0, 0.1, 3 instead of 0, 0.01, 0.1, 0.7, 3",
    a grid field written as ``names`` has it); ``request`` itself with "" when it fits; None when
    not even one setting over two seeds (one, if it asked one) fits, or one model alone is over
    the memory limit.

    The rule, each step taken only as far as needed:

    1. fewer seeds, down to three (a spread over seeds is what tells a difference from noise);
    2. with folds, fewer folds, down to two;
    3. fewer values: the longest list of values (keep_prob's, then weight_decay's, L1's, λ's on a tie)
       loses one, its values kept evenly spread by position so that its ends stay, until each
       list has its two ends;
    4. two seeds (one, if it asked one), with every list thinned again from the start the same
       way, down to its first value: one setting at the last.

    The iterations, the network, the learning rate and a curve's training-set fractions are
    never changed: they are the question asked, while seeds and values are how finely it is asked.
    """
    for candidate in _smaller(request):
        try:
            check_budget(candidate.models(), train_points, n_features=n_features, n_classes=n_classes)
        except LimitError:
            continue
        return candidate, cut_phrase(request, candidate, names)
    return None


def cut_phrase(request: SweepRequest, smaller: SweepRequest, names: Mapping[str, str]) -> str:
    """What ``smaller`` cut from ``request``: seeds, folds and each grid field's values that changed."""
    parts = [f"{new} {what} instead of {old}" for what, old, new in
             (("seeds", request.seeds, smaller.seeds), ("folds", request.folds, smaller.folds)) if new != old]
    parts += [f"{names[field]} {values_text(smaller.grid[field])} instead of {values_text(request.grid[field])}"
              for field in GRID_FIELDS if smaller.grid[field] != request.grid[field]]
    return "; ".join(parts)


def values_text(values) -> str:
    """Values as a field of the form holds them: "0, 0.1, 3"."""
    return ", ".join(format_number(value) for value in values)


def thinned(values: list[float], count: int) -> list[float]:
    """``count`` of ``values`` evenly spread by position, the first and last kept (the first
    alone when ``count`` is 1)."""
    if count >= len(values):
        return list(values)
    if count == 1:
        return list(values[:1])
    # Half up, not Python's round-half-even, so that the same lengths always keep the same positions.
    return [values[int(i * (len(values) - 1) / (count - 1) + 0.5)] for i in range(count)]


def _smaller(request: SweepRequest) -> Iterator[SweepRequest]:
    """``request``, then each request the rule of ``fit_request`` tries after it, in order."""
    yield request
    seeds = min(request.seeds, KEPT_SEEDS)
    for fewer in range(request.seeds - 1, seeds - 1, -1):
        yield dataclasses.replace(request, seeds=fewer)
    folds = min(request.folds, FEWEST_FOLDS)
    for fewer in range(request.folds - 1, folds - 1, -1):
        yield dataclasses.replace(request, seeds=seeds, folds=fewer)
    for grid in _thinner_grids(request.grid, lowest=2):
        yield dataclasses.replace(request, seeds=seeds, folds=folds, grid=grid)
    # Two seeds (a request of one keeps it), every list thinned again from the start, on to one value each.
    for grid in [request.grid, *_thinner_grids(request.grid, lowest=1)]:
        yield dataclasses.replace(request, seeds=min(seeds, FEWEST_SEEDS), folds=folds, grid=grid)


def _thinner_grids(grid: dict[str, list[float]], lowest: int) -> Iterator[dict[str, list[float]]]:
    """The grid with one value fewer at each step, from its longest list (on a tie keep_prob's,
    then weight_decay's, l1's, λ's: λ, the course's weight decay, is kept longest), until no list has more
    than ``lowest`` values."""
    counts = {field: len(grid[field]) for field in GRID_FIELDS}
    while max(counts.values()) > lowest:
        longest = max(reversed(GRID_FIELDS), key=lambda field: counts[field])
        counts[longest] -= 1
        yield {**grid, **{field: thinned(grid[field], counts[field]) for field in GRID_FIELDS}}
