"""What every surface accepts: the limits of a setting, how numbers and hidden layers are read from
text, and the compute budget of one request.

The page, the Sweep page and the command line all read values through these functions, so a value
accepted (or refused, with the same message) in one place is accepted (or refused) everywhere.
``Settings`` validates with the same limits.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .network import COURSE_CLASSES, COURSE_FEATURES, layer_sizes

# One model's settings.  A shared link must not be able to occupy a server for hours or exhaust
# its memory; the budget below bounds a whole request, these bound each value.
MAX_HIDDEN_LAYERS = 10
MAX_LAYER_SIZE = 500
MAX_ITERATIONS = 100_000
# The models compared side by side on the page and by `compare`.
MAX_MODELS = 6
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Range:
    """What one number may be: from ``low`` to ``high``, and whether it must be whole."""

    low: float
    high: float
    whole: bool = False

    def __post_init__(self):
        # Bounds of the values' own type, as a slider or a number field needs them.
        kind = int if self.whole else float
        object.__setattr__(self, "low", kind(self.low))
        object.__setattr__(self, "high", kind(self.high))

    def allowed(self) -> str:
        """"a number from 0.05 to 1", "a whole number from 100 to 100,000"."""
        return f"{'a whole number' if self.whole else 'a number'} from {_shown(self.low)} to {_shown(self.high)}"


# Every number a person may give, by its course name: the one table Settings, both pages, every
# command and every link read.
RANGES: dict[str, Range] = {
    "lambd": Range(0, 1000),
    # L1's strength: the same range as λ's.
    "l1": Range(0, 1000),
    # Below 0.05 almost every unit is dropped at every step.
    "keep_prob": Range(0.05, 1),
    "learning_rate": Range(0.001, 100),
    # Decoupled weight decay's rate per step, α·wd of each weight: past 1/α it would flip signs.
    "weight_decay": Range(0, 10),
    # Mini-batch size (None, the library's default, is the full batch).
    "batch_size": Range(1, 100_000, whole=True),
    "num_iterations": Range(100, MAX_ITERATIONS, whole=True),
    "seed": Range(0, MAX_SEED, whole=True),
    "dropout_seed": Range(0, MAX_SEED, whole=True),
    # Repetitions over init seeds (the page's "Number of seeds", `--seeds` of every command).
    "n_seeds": Range(1, 100, whole=True),
    # The share of the training points used (train_fraction) and held out for early stopping
    # (dev_fraction): enough points must remain on each side, which data.split_training checks.
    "train_fraction": Range(0.05, 1),
    "dev_fraction": Range(0.05, 0.5),
    # A sweep's cross-validation: 1 is one dev split; beyond 20 folds each dev fold is tiny and
    # the work 20 times a single split's.
    "folds": Range(1, 20, whole=True),
    # The seed of a sweep's dev split, or of its folds' shuffle.
    "dev_seed": Range(0, MAX_SEED, whole=True),
    "layer_size": Range(1, MAX_LAYER_SIZE, whole=True),
    # A synthetic data set's options on the pages.
    "n_points": Range(40, 2000, whole=True),
    "noise": Range(0, 1),
    "data_seed": Range(0, MAX_SEED, whole=True),
    # A dataset's shape, whatever the route in (data.Dataset): wide enough for real tables (UCI's
    # breast-cancer table has 30 features) while a first layer of 500 units keeps at most half a
    # million weights; twenty classes at most, since each needs points of its own to learn from.
    "n_features": Range(1, 1000, whole=True),
    "n_classes": Range(2, 20, whole=True),
    # The share of a table held out as its test set when none is given (Dataset.from_arrays).
    "test_fraction": Range(0.05, 0.95),
    # How often training keeps a copy of the parameters: the library's alone.
    "record_every": Range(1, MAX_ITERATIONS, whole=True),
}
# The library (Settings) also trains for fewer iterations, which keeps the tests fast; every
# surface a person types into starts at RANGES' 100.
LIBRARY_MIN_ITERATIONS = 1
MIN_TRAIN_FRACTION = RANGES["train_fraction"].low

# One "course model": the course's 2-20-3-1 network on its 211 training points for 30,000
# iterations.  Forward and backward passes cost about three multiply-adds per weight and example.
COURSE_WORK = 3 * (2 * 20 + 20 * 3 + 3 * 1) * 211 * 30_000
# The most a page request may train, in course models: one course model takes 0.17 s of one core
# of the development machine (python -m nnreg bench), so 100 of them about 17 core-seconds there,
# and a minute or so on the fraction of a core a Streamlit Community Cloud app gets.  The default
# page trains 3; four models over ten seeds, 40; the Sweep page's default sweep, 80 (counted on
# all training points).
BUDGET = 100.0
# Training keeps a copy of the parameters every ``record_every`` iterations until the history is
# computed; bounded so that one very wide network cannot take a small server's memory.
MAX_SNAPSHOT_BYTES = 64 * 2**20


class LimitError(ValueError):
    """A request over the compute budget; the message says what to lower."""


# A number as a person writes it: ASCII digits, an optional sign, point and exponent ("0.7",
# "-1", ".5", "1e3", "2.5E-4").  Python's float() also reads "1_000", "١٢" and "infinity", which
# no field here means.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def parse_number(text, name: str, *, whole: bool = False, low: float | None = None,
                 high: float | None = None) -> int | float:
    """One number from text as typed ("0.7", "1e3", " 20 "), used exactly as written; whole numbers
    may be written "1e3" or "20.0" but not "20.5".  A ValueError names ``name``, what is allowed and
    the text: quoted when it is not a number (got 'abc'), as written when it is out of range (got -1)."""
    shown = str(text).strip()
    allowed = _allowed(whole, low, high)
    try:
        # Decimal keeps every digit typed, so "4294967295.0000001" is not taken for a whole number.
        exact = Decimal(shown) if _NUMBER.fullmatch(shown) else None
    except InvalidOperation:  # an exponent beyond Decimal's, like 1e-99999999999999999999
        exact = None
    if exact is None or not math.isfinite(float(exact)) or (whole and exact != exact.to_integral_value()):
        raise ValueError(f"{name} must be {allowed}, got {shown!r}")
    if (low is not None and exact < Decimal(str(low))) or (high is not None and exact > Decimal(str(high))):
        raise ValueError(f"{name} must be {allowed}, got {shown}")
    # + 0.0 turns "-0" into 0.
    return int(exact) if whole else float(exact) + 0.0


def parse_flag(text, name: str) -> bool:
    """A switch from text as a link and a spec write it, "true" or "false" ("on" or "off") in any
    case; a ValueError names ``name`` and the text."""
    text = str(text)
    if text.lower() not in ("true", "false", "on", "off"):
        raise ValueError(f"{name} must be true or false, got {text!r}")
    return text.lower() in ("true", "on")


def read(field: str, text, name: str | None = None) -> int | float:
    """``field``'s value (a key of RANGES) from text, by ``parse_number``; messages name ``name``
    (a flag, a label) or else the field."""
    limit = RANGES[field]
    return parse_number(text, name or field, whole=limit.whole, low=limit.low, high=limit.high)


def check(field: str, value, *, name: str | None = None, low: float | None = None):
    """``field``'s value given as a Python number (Settings' fields), in RANGES' range (from ``low``
    instead where the library allows more); a ValueError in ``parse_number``'s words, naming
    ``name`` or else the field."""
    limit, name = RANGES[field], name or field
    low = limit.low if low is None else low
    allowed = _allowed(limit.whole, low, limit.high)
    # bool is an int subclass, but True as a seed or a λ is always a mistake.
    kind = numbers.Integral if limit.whole else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    value = int(value) if limit.whole else float(value)
    if not math.isfinite(value) or not low <= value <= limit.high:
        raise ValueError(f"{name} must be {allowed}, got {format_number(value)}")
    return value


def format_number(value) -> str:
    """A number as a field and a link hold it, every digit kept: 0.0015, 30000, 3 (not 3.0), 1e-05."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value)) if isinstance(value, float) else str(value)


def _shown(number: float) -> str:
    # Thousands separated and never in exponent form: 1,000,000, not 1e+06; 0.05 as written.
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def _allowed(whole: bool, low, high) -> str:
    if low is not None and high is not None:
        return Range(low, high, whole).allowed()
    kind = "a whole number" if whole else "a number"
    if low is not None:
        return f"{kind} of at least {_shown(low)}"
    return kind


def parse_numbers(text, name: str, *, whole: bool = False, low: float | None = None,
                  high: float | None = None) -> list:
    """Numbers separated by commas and/or spaces ("0, 0.1 0.7"), each read by ``parse_number``;
    a ValueError names the first item that is not allowed, in ``parse_number``'s words."""
    shown = str(text).strip()
    if not shown:
        raise ValueError(f"{name} needs at least one value, got {str(text)!r}")
    values = []
    for item in re.split(r"\s*,\s*|\s+", shown):
        try:
            values.append(parse_number(item, name, whole=whole, low=low, high=high))
        except ValueError as error:
            raise ValueError(f"{name}: each value {str(error).removeprefix(name + ' ')}") from None
    return values


def read_list(field: str, text, name: str | None = None) -> list:
    """Several of ``field``'s values from text, by ``parse_numbers`` and RANGES."""
    limit = RANGES[field]
    return parse_numbers(text, name or field, whole=limit.whole, low=limit.low, high=limit.high)


LAYERS_HELP = (f"1 to {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_LAYER_SIZE} units, whole numbers separated by "
               "commas or spaces, like 20, 3")


def parse_layers(text) -> tuple[int, ...]:
    """Hidden layer sizes from text such as "20, 3" or "20 3"; a ValueError says what is allowed."""
    shown = str(text).strip()
    try:
        sizes = read_list("layer_size", shown, "hidden layer sizes")
    except ValueError:
        raise ValueError(f"hidden layer sizes must be {LAYERS_HELP}; got {shown!r}") from None
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden layer sizes must be {LAYERS_HELP}; got {len(sizes)} layers")
    return tuple(sizes)


def format_layers(layer_dims: Iterable[int]) -> str:
    """The text ``parse_layers`` reads back: "20, 3"."""
    return ", ".join(str(size) for size in layer_dims)


def work(settings, train_points: int, *, n_features: int = COURSE_FEATURES, n_classes: int = COURSE_CLASSES) -> float:
    """A model's training work in course models: weights × points it fits × iterations (the
    points it fits: its ``train_fraction`` of ``train_points``, less a dev set if it stops early),
    on data of ``n_features`` features and ``n_classes`` classes (by default the course's)."""
    sizes = layer_sizes(settings.layer_dims, n_features, n_classes)
    weights = sum(sizes[l] * sizes[l - 1] for l in range(1, len(sizes)))
    fitted = train_points * settings.train_fraction * (1 - settings.dev_fraction if settings.early_stopping else 1)
    return 3 * weights * fitted * settings.num_iterations / COURSE_WORK


def snapshot_bytes(settings, *, n_features: int = COURSE_FEATURES, n_classes: int = COURSE_CLASSES) -> int:
    """The memory a model's recorded parameters take while it trains, on data of ``n_features``
    features and ``n_classes`` classes."""
    sizes = layer_sizes(settings.layer_dims, n_features, n_classes)
    parameters = sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, len(sizes)))
    return 8 * parameters * settings.n_records


def check_budget(settings_list, train_points: int, *, n_features: int = COURSE_FEATURES,
                 n_classes: int = COURSE_CLASSES) -> float:
    """The work of training every settings in ``settings_list`` (in course models) on data of
    ``train_points`` training points, ``n_features`` features and ``n_classes`` classes (by default
    the course's), or a ``LimitError`` saying what to lower when it is over ``BUDGET`` or a model
    would hold too much memory.  Checked before anything trains."""
    settings_list = list(settings_list)
    shape = dict(n_features=n_features, n_classes=n_classes)
    total = sum(work(settings, train_points, **shape) for settings in settings_list)
    if total > BUDGET:
        first = settings_list[0]
        features = "" if n_features == COURSE_FEATURES else f" of {n_features:,} features"
        raise LimitError(
            f"{len(settings_list)} models of {format_layers(first.layer_dims)} hidden units on {train_points:,} "
            f"training points{features} for {first.num_iterations:,} iterations are {total:,.0f} times the work of the "
            f"course's model; a page trains at most {BUDGET:g} times. Lower the number of seeds or models, "
            f"the iterations or the hidden layer sizes.")
    largest = max(settings_list, key=lambda settings: snapshot_bytes(settings, **shape), default=None)
    if largest is not None and snapshot_bytes(largest, **shape) > MAX_SNAPSHOT_BYTES:
        raise LimitError(
            f"a network of {format_layers(largest.layer_dims)} hidden units trained for "
            f"{largest.num_iterations:,} iterations records {snapshot_bytes(largest, **shape) / 2**20:,.0f} MB of "
            f"parameters, more than the {MAX_SNAPSHOT_BYTES // 2**20} MB a page allows. Lower the hidden "
            "layer sizes or the iterations.")
    return total
