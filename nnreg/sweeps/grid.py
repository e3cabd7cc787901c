"""The grid of a sweep: every setting of λ × l1 × weight_decay × keep_prob for every seed, validated
up front."""

from __future__ import annotations

import itertools

import numpy as np

from ..limits import check
from ..settings import Settings

# The settings a sweep varies, in the order its grid, rows and tables list them.  Each one's
# default in Settings (λ = 0, l1 = 0, weight_decay = 0, keep_prob = 1) is "this regularizer off".
GRID_FIELDS = ("lambd", "l1", "weight_decay", "keep_prob")
GRID_NAMES = f"{', '.join(GRID_FIELDS[:-1])} and {GRID_FIELDS[-1]}"
# Shown only where a sweep turns it on: a sweep without weight decay reads as sweeps did before
# the grid had it.
OPTIONAL_FIELDS = ("weight_decay",)


def shown_fields(values) -> tuple[str, ...]:
    """The GRID_FIELDS a table, a line or a chart of these values shows (``values``: each field's
    values, a grid or a sweep's rows): all but an OPTIONAL_FIELDS field that is off everywhere."""
    return tuple(field for field in GRID_FIELDS if field not in OPTIONAL_FIELDS
                 or (field in values and any(float(value) != 0 for value in values[field])))


def with_optional_fields(rows):
    """A sweep's rows (a DataFrame) with every OPTIONAL_FIELDS column, a missing one at its default
    (off): rows made before the field existed were trained without it."""
    missing = {field: getattr(Settings(), field) for field in OPTIONAL_FIELDS if field not in rows}
    return rows.assign(**missing) if missing else rows


def seed_list(seeds) -> list[int]:
    """The seeds a count (0..N-1) or a list of seeds stands for, checked."""
    if isinstance(seeds, bool):
        raise ValueError(f"seeds must be a number of seeds or a list of seeds, got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        return list(range(check("n_seeds", seeds, name="seeds")))
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    # Settings validates each seed's type and range.
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}")
    return seeds


def grid_values(grid) -> dict[str, list[float]]:
    """Each grid field's values, checked by Settings; a field left out has its default only."""
    if not hasattr(grid, "keys"):
        raise ValueError(f"grid must map {GRID_NAMES} to lists of values, got {grid!r}")
    unknown = sorted(set(grid) - set(GRID_FIELDS))
    if unknown:
        raise ValueError(f"grid can vary only {GRID_NAMES}, got {', '.join(map(str, unknown))}")
    values = {}
    for field in GRID_FIELDS:
        listed = grid.get(field, [getattr(Settings(), field)])
        listed = [listed] if np.isscalar(listed) else list(listed)
        if not listed:
            raise ValueError(f"grid {field} needs at least one value")
        checked = [getattr(Settings(**{field: value}), field) for value in listed]
        if len(set(checked)) != len(checked):
            raise ValueError(f"grid {field} lists a value twice: {listed}")
        values[field] = checked
    return values


def setting_of(settings: Settings) -> tuple[float, ...]:
    """A model's grid setting: its values of GRID_FIELDS, the key rows are grouped and chosen by."""
    return tuple(getattr(settings, field) for field in GRID_FIELDS)


def checked_base(base) -> Settings:
    """The settings a grid's models share: ``base``, or the course's without one."""
    base = Settings() if base is None else base
    if not isinstance(base, Settings):
        raise TypeError(f"base must be an nnreg.Settings, got {type(base).__name__}")
    return base


def grid_settings(grid, seeds, base: Settings | None = None) -> list[Settings]:
    """Every model of the grid, λ outermost, then l1, weight_decay, keep_prob, then seed; all validated
    up front.

    Each seed sets both the initial weights and the dropout masks, so a seed is one independent
    repetition; everything else comes from ``base``.
    """
    base = checked_base(base)
    values = grid_values(grid)
    return [base.replace(**dict(zip(GRID_FIELDS, setting))).for_seed(seed)
            for setting in itertools.product(*(values[field] for field in GRID_FIELDS))
            for seed in seed_list(seeds)]
