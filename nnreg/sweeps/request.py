"""A sweep as a person asks for it, in text (a command line's arguments, a form's fields): read
and checked by one function for every surface, with the defaults every surface starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..limits import (MAX_ITERATIONS, MAX_LEARNING_RATE, MAX_SEEDS, MIN_ITERATIONS, MIN_LEARNING_RATE,
                      parse_layers, parse_number, parse_numbers)
from ..settings import Settings
from .grid import grid_settings

# The fields' text as both the command line and the Sweep page start them.
DEFAULTS = {"lambd": "0, 0.01, 0.1, 0.7, 3", "keep_prob": "1, 0.86, 0.7", "hidden": "20, 3",
            "learning_rate": "0.3", "num_iterations": "30000", "seeds": "10", "dev_fraction": "0.25"}


@dataclass(frozen=True)
class SweepRequest:
    """What ``nnreg.sweep`` needs: the grid, the shared settings, the seeds and the dev fraction."""

    grid: dict[str, list[float]]
    base: Settings
    seeds: int
    dev_fraction: float

    def models(self) -> list[Settings]:
        """Every model the sweep may train: the grid over the seeds, and the chosen setting's
        retraining (counted as the first setting's, the same size of work)."""
        dev = grid_settings(self.grid, self.seeds, self.base)
        return dev + dev[: self.seeds]


def parse_request(fields: Mapping[str, object], names: Mapping[str, str]) -> SweepRequest:
    """A ``SweepRequest`` from the fields' values (text or numbers; an empty field is None or
    ""); a ValueError names the field by ``names`` (e.g. "--lambd" or "λ values")."""
    def text(key):
        value = fields[key]
        return "" if value is None else str(value)

    grid = {"lambd": parse_numbers(text("lambd"), names["lambd"]),
            "keep_prob": parse_numbers(text("keep_prob"), names["keep_prob"])}
    try:
        layer_dims = parse_layers(text("hidden"))
    except ValueError as error:
        raise ValueError(f"{names['hidden']}: {error}") from None
    base = Settings(layer_dims=layer_dims,
                    learning_rate=parse_number(text("learning_rate"), names["learning_rate"], low=MIN_LEARNING_RATE,
                                               high=MAX_LEARNING_RATE),
                    num_iterations=parse_number(text("num_iterations"), names["num_iterations"], whole=True,
                                                low=MIN_ITERATIONS, high=MAX_ITERATIONS))
    seeds = parse_number(text("seeds"), names["seeds"], whole=True, low=1, high=MAX_SEEDS)
    dev_fraction = parse_number(text("dev_fraction"), names["dev_fraction"])
    request = SweepRequest(grid, base, seeds, dev_fraction)
    request.models()  # every setting of the grid validated now, before anything trains
    return request
