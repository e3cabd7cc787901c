"""Training settings: one frozen, validated, hashable value per model.

Names follow the course (``lambd``, ``keep_prob``, ``learning_rate``, ``num_iterations``) because
that is how learners know them.  A bad value raises ``ValueError`` naming the field and the
allowed range, so every caller (library, command line, app) can show the same message.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass

from .limits import (MAX_DEV_FRACTION, MAX_HIDDEN_LAYERS, MAX_ITERATIONS, MAX_L1, MAX_LAMBD, MAX_LAYER_SIZE,
                     MAX_LEARNING_RATE, MAX_SEED, MIN_DEV_FRACTION, MIN_TRAIN_FRACTION)

DROPOUT_MASKS = ("fresh", "fixed")


def _integer(name: str, value, low: int, high: int) -> int:
    # bool is an int subclass, but True as a seed or a layer size is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low:,} to {high:,}, got {value:,}")
    return int(value)


def _real(name: str, value, low: float, high: float, *, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    bounds = f"{'(' if low_open else '['}{low:g}, {high:g}]"
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number in {bounds}, got {value!r}")
    if value > high or value < low or (low_open and value == low):
        raise ValueError(f"{name} must be in {bounds}, got {value:g}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything that determines one trained model, and nothing else.

    ``layer_dims`` lists the hidden layer sizes only: the input (2 features) and the single
    sigmoid output are fixed by the task, so ``(20, 3)`` is the course's 2-20-3-1 network.
    ``lambd`` (L2), ``l1`` (L1, by proximal steps), ``keep_prob`` (inverted dropout) and
    ``early_stopping`` (on a dev set of ``dev_fraction`` of the training points) regularize;
    ``train_fraction`` trains on a seeded, stratified share of the training points.
    """

    layer_dims: tuple[int, ...] = (20, 3)
    learning_rate: float = 0.3
    num_iterations: int = 30_000
    lambd: float = 0.0
    keep_prob: float = 1.0
    l1: float = 0.0
    early_stopping: bool = False
    dev_fraction: float = 0.25
    train_fraction: float = 1.0
    seed: int = 3
    dropout_mask: str = "fresh"
    dropout_seed: int = 1
    record_every: int = 100

    def __post_init__(self):
        # Normalising in place keeps equal settings equal (and equally hashed) whatever
        # types the caller used, e.g. a list of numpy ints for layer_dims.
        set_ = lambda field, value: object.__setattr__(self, field, value)  # noqa: E731
        dims = self.layer_dims
        if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
            raise ValueError(f"layer_dims must be a sequence of hidden layer sizes, got {dims!r}")
        dims = tuple(dims)
        if not 1 <= len(dims) <= MAX_HIDDEN_LAYERS:
            raise ValueError(
                f"layer_dims must name 1 to {MAX_HIDDEN_LAYERS} hidden layers, got {len(dims)}"
            )
        set_("layer_dims", tuple(_integer("layer_dims", n, 1, MAX_LAYER_SIZE) for n in dims))
        set_("learning_rate", _real("learning_rate", self.learning_rate, 0.0, MAX_LEARNING_RATE,
                                    low_open=True))
        set_("num_iterations", _integer("num_iterations", self.num_iterations, 1, MAX_ITERATIONS))
        set_("lambd", _real("lambd", self.lambd, 0.0, MAX_LAMBD))
        set_("keep_prob", _real("keep_prob", self.keep_prob, 0.0, 1.0, low_open=True))
        set_("l1", _real("l1", self.l1, 0.0, MAX_L1))
        if not isinstance(self.early_stopping, bool):
            raise ValueError(f"early_stopping must be True or False, got {self.early_stopping!r}")
        set_("dev_fraction", _real("dev_fraction", self.dev_fraction, MIN_DEV_FRACTION, MAX_DEV_FRACTION))
        set_("train_fraction", _real("train_fraction", self.train_fraction, MIN_TRAIN_FRACTION, 1.0))
        set_("seed", _integer("seed", self.seed, 0, MAX_SEED))
        if self.dropout_mask not in DROPOUT_MASKS:
            raise ValueError(
                f"dropout_mask must be one of {', '.join(DROPOUT_MASKS)}, got {self.dropout_mask!r}"
            )
        set_("dropout_seed", _integer("dropout_seed", self.dropout_seed, 0, MAX_SEED))
        set_("record_every", _integer("record_every", self.record_every, 1, MAX_ITERATIONS))

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """All layer sizes, input and output included: (2, 20, 3, 1) for the course."""
        return (2, *self.layer_dims, 1)

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed, validated like a new one."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-ready values (layer_dims as a list)."""
        values = dataclasses.asdict(self)
        values["layer_dims"] = list(self.layer_dims)
        return values

    @classmethod
    def from_dict(cls, values: dict) -> "Settings":
        """The inverse of ``to_dict``; unknown keys are an error, not silently dropped."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(map(str, unknown))}")
        return cls(**values)


# The course's three models, with the course's names for them.
STUDY: dict[str, Settings] = {
    "none": Settings(),
    "l2": Settings(lambd=0.7),
    "dropout": Settings(keep_prob=0.86),
}

# The other regularizers, as models beside the course's three: L1 at a strength that zeroes about
# three quarters of the weights on the built-in data (README), and early stopping alone.
EXTRA_MODELS: dict[str, Settings] = {
    "l1": Settings(l1=0.1),
    "early_stopping": Settings(early_stopping=True),
}

STUDY_TITLES = {
    "none": "No regularization",
    "l2": "L2",
    "l1": "L1",
    "dropout": "Dropout",
    "early_stopping": "Early stopping",
    "l2_dropout": "L2 + dropout",
}


def title(name: str) -> str:
    """A model's title: the course's for the study's names ("l2" → "L2"), else the name itself."""
    return STUDY_TITLES.get(name, name)
