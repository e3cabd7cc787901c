"""Training settings: one frozen, validated, hashable value per model.

Names follow the course (``lambd``, ``keep_prob``, ``learning_rate``, ``num_iterations``) because
that is how learners know them.  A bad value raises ``ValueError`` naming the field and the
allowed range, so every caller (library, command line, app) can show the same message.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import network
from .limits import LIBRARY_MIN_ITERATIONS, MAX_HIDDEN_LAYERS, check

DROPOUT_MASKS = ("fresh", "fixed")
# The share of the training points early stopping holds out as its dev set, and the share a
# sweep chooses on, wherever none is given.
DEV_FRACTION = 0.25
# The fields nnreg.limits.RANGES bounds, each checked by its range.
_NUMBERS = ("learning_rate", "lambd", "keep_prob", "l1", "weight_decay", "dev_fraction", "train_fraction", "seed",
            "dropout_seed", "record_every")


@dataclass(frozen=True)
class Settings:
    """Everything that determines one trained model, and nothing else.

    ``layer_dims`` lists the hidden layer sizes only: the input and output layers are the data's
    (``network.layer_sizes``), so on the course's two features and two classes ``(20, 3)`` is
    its 2-20-3-1 network.
    ``lambd`` (L2), ``l1`` (L1, by proximal steps), ``keep_prob`` (inverted dropout) and
    ``early_stopping`` (on a dev set of ``dev_fraction`` of the training points) regularize;
    ``train_fraction`` trains on a seeded, stratified share of the training points.
    ``standardize`` scales each input feature to mean 0 and standard deviation 1 over the points
    the model fits (never its dev or test points; ``training.standardizes``): True, False, or None
    for the data's own default (``Dataset.standardize``: on for an analyst's table, off for the
    course's data, so the course stays exact).
    How it trains: ``activation`` of the hidden layers (``network.ACTIVATIONS``), ``optimizer``
    (``network.OPTIMIZERS``: the course's gradient descent, momentum or Adam), ``batch_size``
    (None: the full batch, as the course; else mini-batches of a seeded shuffle every epoch, the
    last one smaller), and ``weight_decay``, decoupled: each step also moves every weight by
    −α·wd·W, beside the optimizer's step.  ``num_iterations`` counts parameter updates.
    """

    layer_dims: tuple[int, ...] = (20, 3)
    learning_rate: float = 0.3
    num_iterations: int = 30_000
    lambd: float = 0.0
    keep_prob: float = 1.0
    l1: float = 0.0
    early_stopping: bool = False
    dev_fraction: float = DEV_FRACTION
    train_fraction: float = 1.0
    seed: int = 3
    dropout_mask: str = "fresh"
    dropout_seed: int = 1
    record_every: int = 100
    standardize: bool | None = None
    activation: str = "relu"
    optimizer: str = "gd"
    batch_size: int | None = None
    weight_decay: float = 0.0

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
        set_("layer_dims", tuple(check("layer_size", n, name="layer_dims") for n in dims))
        set_("num_iterations", check("num_iterations", self.num_iterations, low=LIBRARY_MIN_ITERATIONS))
        for field in _NUMBERS:
            set_(field, check(field, getattr(self, field)))
        if not isinstance(self.early_stopping, bool):
            raise ValueError(f"early_stopping must be True or False, got {self.early_stopping!r}")
        if self.standardize is not None and not isinstance(self.standardize, bool):
            raise ValueError("standardize must be True, False or None (the data's default), "
                             f"got {self.standardize!r}")
        if self.batch_size is not None:
            set_("batch_size", check("batch_size", self.batch_size))
        for field, choices in (("activation", network.ACTIVATIONS), ("optimizer", network.OPTIMIZERS)):
            if getattr(self, field) not in choices:
                raise ValueError(f"{field} must be one of {', '.join(choices)}, got {getattr(self, field)!r}")
        if self.dropout_mask not in DROPOUT_MASKS:
            raise ValueError(
                f"dropout_mask must be one of {', '.join(DROPOUT_MASKS)}, got {self.dropout_mask!r}"
            )

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """All layer sizes on the course's data (two features, two classes): (2, 20, 3, 1) for the
        course's network.  Other data's are ``training.layer_sizes(settings, dataset)``."""
        return network.layer_sizes(self.layer_dims, network.COURSE_FEATURES, network.COURSE_CLASSES)

    @property
    def n_records(self) -> int:
        """How many copies of the parameters training keeps: at iterations 0, record_every, ...
        below num_iterations."""
        return (self.num_iterations - 1) // self.record_every + 1

    def for_seed(self, seed: int) -> "Settings":
        """The run of these settings with init seed ``seed``: one independent repetition of a model
        (``--seeds``, "Number of seeds", a sweep's seeds)."""
        # The dropout masks follow the init seed, so that runs differ in their masks as well as
        # their initial weights: repetitions over seeds measure the whole spread of a model.
        return self.replace(seed=seed, dropout_seed=seed)

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
# three quarters of the weights on the built-in data (docs/package.md), and early stopping alone.
EXTRA_MODELS: dict[str, Settings] = {
    "l1": Settings(l1=0.1),
    "early_stopping": Settings(early_stopping=True),
}

STUDY_TITLES = {
    "none": "No regularization",
    "l2": "L2",
    "l1": "L1",
    "weight_decay": "Weight decay",
    "dropout": "Dropout",
    "early_stopping": "Early stopping",
    "l2_dropout": "L2 + dropout",
}


def title(name: str) -> str:
    """A model's title: the course's for the study's names ("l2" → "L2"), else the name itself."""
    return STUDY_TITLES.get(name, name)
