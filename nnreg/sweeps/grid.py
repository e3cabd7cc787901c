"""The grid of a sweep: every setting of λ × keep_prob for every seed, validated up front."""

from __future__ import annotations

import numpy as np

from ..limits import MAX_SEEDS
from ..settings import Settings

GRID_FIELDS = ("lambd", "keep_prob")


def seed_list(seeds) -> list[int]:
    if isinstance(seeds, bool):
        raise ValueError(f"seeds must be a number of seeds or a list of seeds, got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        if not 1 <= seeds <= MAX_SEEDS:
            raise ValueError(f"seeds must be from 1 to {MAX_SEEDS:,}, got {seeds}")
        return list(range(int(seeds)))
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    # Settings validates each seed's type and range.
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}")
    return seeds


def _grid_values(grid) -> dict[str, list[float]]:
    if not hasattr(grid, "keys"):
        raise ValueError(f"grid must map lambd and keep_prob to lists of values, got {grid!r}")
    unknown = sorted(set(grid) - set(GRID_FIELDS))
    if unknown:
        raise ValueError(f"grid can vary only {' and '.join(GRID_FIELDS)}, got {', '.join(map(str, unknown))}")
    values = {}
    for field in GRID_FIELDS:
        listed = grid.get(field, [0.0 if field == "lambd" else 1.0])
        listed = [listed] if np.isscalar(listed) else list(listed)
        if not listed:
            raise ValueError(f"grid {field} needs at least one value")
        checked = [getattr(Settings(**{field: value}), field) for value in listed]
        if len(set(checked)) != len(checked):
            raise ValueError(f"grid {field} lists a value twice: {listed}")
        values[field] = checked
    return values


def grid_settings(grid, seeds, base: Settings | None = None) -> list[Settings]:
    """Every model of the grid, λ outermost, then keep_prob, then seed; all validated up front.

    Each seed sets both the initial weights and the dropout masks, so a seed is one independent
    repetition; everything else comes from ``base``.
    """
    base = Settings() if base is None else base
    if not isinstance(base, Settings):
        raise TypeError(f"base must be an nnreg.Settings, got {type(base).__name__}")
    values = _grid_values(grid)
    return [base.replace(lambd=lambd, keep_prob=keep_prob, seed=seed, dropout_seed=seed)
            for lambd in values["lambd"] for keep_prob in values["keep_prob"] for seed in seed_list(seeds)]
