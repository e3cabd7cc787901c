"""A sweep as a person asks for it, in text (a command line's arguments, a form's fields): read
and checked by one function for every surface, with the defaults every surface starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import network
from ..limits import RANGES, format_layers, format_number, parse_layers, read, read_list
from ..settings import DEV_FRACTION, Settings
from ..specs import FULL_BATCH, read_batch_size
from .curve import check_curve_grid, curve_models, fraction_list
from .grid import GRID_FIELDS, grid_settings

# The standardize switch as a field or flag writes it (empty: the data's own default).
SWITCH = {"on": True, "off": False, "true": True, "false": False}
# The batch size as a field or flag writes the course's full batch (and empty).
# What each choice of how the models train means, as every surface's help says it.
TRAINING_HELP = {
    "activation": f"the hidden layers' activation: {', '.join(network.ACTIVATIONS)}; relu is the course's",
    "optimizer": (f"gd, the course's gradient descent; momentum (β {network.MOMENTUM_BETA:g}); or adam (β1 "
                  f"{network.ADAM_BETA1:g}, β2 {network.ADAM_BETA2:g}), which wants a learning rate near 0.01"),
    "batch_size": (f"{FULL_BATCH} (or nothing): every training point in each update, as the course; else seeded "
                   f"mini-batches of this many points, {RANGES['batch_size'].allowed()}, a new shuffle every epoch, "
                   "its last batch smaller"),
}
# The fields a request gained after forms and links were first written: missing, each is its default.
ADDED_FIELDS = ("weight_decay", "activation", "optimizer", "batch_size")
# The fields' text as both the command line and the Sweep page start them.  One training-set
# fraction is a sweep on that share of the training points; several, a data-size curve.
DEFAULTS = {"lambd": "0, 0.01, 0.1, 0.7, 3", "l1": "0", "weight_decay": "0", "keep_prob": "1, 0.86, 0.7",
            "hidden": format_layers(Settings().layer_dims), "learning_rate": format_number(Settings().learning_rate),
            "num_iterations": format_number(Settings().num_iterations), "seeds": "10",
            "dev_fraction": format_number(DEV_FRACTION), "train_fraction": "1", "folds": "1", "dev_seed": "0",
            "activation": Settings().activation, "optimizer": Settings().optimizer, "batch_size": ""}


@dataclass(frozen=True)
class SweepRequest:
    """What ``nnreg.sweep`` (or ``data_size_curve``) needs: the grid, the shared settings, the
    seeds, the dev fraction, the training-set fractions (smallest first), the folds (1: one dev
    split) and the dev split's seed."""

    grid: dict[str, list[float]]
    base: Settings
    seeds: int
    dev_fraction: float
    train_fractions: tuple[float, ...] = (1.0,)
    folds: int = 1
    dev_seed: int = 0

    @property
    def curve(self) -> bool:
        """Whether this asks for a data-size curve: more than one training-set fraction."""
        return len(self.train_fractions) > 1

    def models(self) -> list[Settings]:
        """Every model the request may train: a curve's (``curve_models``), or the grid over the
        seeds on each fold and the chosen setting's retraining (counted as the first setting's, the
        same work)."""
        if self.curve:
            return curve_models(self.grid, self.train_fractions, self.seeds, self.base, self.folds)
        dev = grid_settings(self.grid, self.seeds, self.base)
        return dev * self.folds + dev[: self.seeds]

    def options(self) -> dict:
        """The dev split's keyword arguments of ``sweep`` and ``data_size_curve``."""
        return dict(folds=self.folds, dev_fraction=self.dev_fraction, dev_seed=self.dev_seed)


def parse_request(fields: Mapping[str, object], names: Mapping[str, str]) -> SweepRequest:
    """A ``SweepRequest`` from the fields' values (text or numbers; an empty field is None or
    ""); a ValueError names the field by ``names`` (e.g. "--lambd" or "λ values").  Forms and
    commands written before weight decay, the activation, the optimizer and the batch size existed
    give none of them: the course's (no weight decay, ReLU, gradient descent, the full batch)."""
    def text(key):
        value = fields.get(key, DEFAULTS[key]) if key in ADDED_FIELDS else fields[key]
        return "" if value is None else str(value)

    grid = {field: read_list(field, text(field), names[field]) for field in GRID_FIELDS}
    fractions = fraction_list(read_list("train_fraction", text("train_fraction"), names["train_fraction"]),
                              names["train_fraction"])
    if len(fractions) > 1:
        check_curve_grid(grid, names["weight_decay"])
    try:
        layer_dims = parse_layers(text("hidden"))
    except ValueError as error:
        raise ValueError(f"{names['hidden']}: {error}") from None
    # Empty: the data's own default (on for an analyst's table, off for the course's layout).
    standardize = text("standardize").strip().lower() if "standardize" in fields else ""
    if standardize not in ("", *SWITCH):
        raise ValueError(f"{names['standardize']} must be on or off, got {text('standardize')!r}")
    base = Settings(layer_dims=layer_dims, **_training(text, names),
                    standardize=SWITCH[standardize] if standardize else None,
                    learning_rate=read("learning_rate", text("learning_rate"), names["learning_rate"]),
                    num_iterations=read("num_iterations", text("num_iterations"), names["num_iterations"]),
                    # A curve sets each model's own fraction.
                    train_fraction=fractions[0] if len(fractions) == 1 else 1.0)
    seeds = read("n_seeds", text("seeds"), names["seeds"])
    dev_fraction = read("dev_fraction", text("dev_fraction"), names["dev_fraction"])
    # Forms and commands written before folds existed give neither field: one dev split, seed 0.
    folds = read("folds", text("folds"), names["folds"]) if "folds" in fields else 1
    dev_seed = read("dev_seed", text("dev_seed"), names["dev_seed"]) if "dev_seed" in fields else 0
    request = SweepRequest(grid, base, seeds, dev_fraction, tuple(fractions), folds, dev_seed)
    request.models()  # every setting validated now, before anything trains
    return request


def _training(text, names: Mapping[str, str]) -> dict:
    """The activation, the optimizer and the batch size a request's models share, from their
    fields' text (``text(key)``); a ValueError names the field by ``names``."""
    values = {}
    for key, choices in (("activation", network.ACTIVATIONS), ("optimizer", network.OPTIMIZERS)):
        chosen = text(key).strip().lower()
        if chosen not in choices:
            raise ValueError(f"{names[key]} must be one of {', '.join(choices)}, got {text(key)!r}")
        values[key] = chosen
    values["batch_size"] = read_batch_size(text("batch_size") or FULL_BATCH, names["batch_size"])
    return values


