"""What every surface accepts: the limits of a setting, how numbers and hidden layers are read from
text, and the compute budget of one request.

The page, the Sweep page and the command line all read values through these functions, so a value
accepted (or refused, with the same message) in one place is accepted (or refused) everywhere.
``Settings`` validates with the same limits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

# One model's settings.  A shared link must not be able to occupy a server for hours or exhaust
# its memory; the budget below bounds a whole request, these bound each value.
MAX_HIDDEN_LAYERS = 10
MAX_LAYER_SIZE = 500
# The page's and the commands' range; the library (Settings) also takes fewer, e.g. for tests.
MIN_ITERATIONS = 100
MAX_ITERATIONS = 100_000
MIN_LEARNING_RATE = 0.001
MAX_LEARNING_RATE = 100.0
MAX_LAMBD = 1000.0
# keep_prob's lowest on every surface: below it almost every unit is dropped at every step.
MIN_KEEP_PROB = 0.05
# The models compared side by side on the page and by `compare`.
MAX_MODELS = 6
# L1's strength: the same range as λ's.
MAX_L1 = MAX_LAMBD
# The share of the training points used (train_fraction) and held out for early stopping
# (dev_fraction): enough points must remain on each side, which data.split_training checks.
MIN_TRAIN_FRACTION = 0.05
MIN_DEV_FRACTION, MAX_DEV_FRACTION = 0.05, 0.5
MAX_SEED = 2**32 - 1
# Repetitions over init seeds (the page's "Number of seeds", `--seeds` of every command).
MAX_SEEDS = 100

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


def parse_number(text, name: str, *, whole: bool = False, low: float | None = None,
                 high: float | None = None) -> int | float:
    """One number from text as typed ("0.7", "1e3", " 20 "); whole numbers may be written
    "1e3" or "20.0" but not "20.5".  A ValueError names ``name``, the text and what is allowed."""
    shown = str(text).strip()
    allowed = _allowed(whole, low, high)
    try:
        value = float(shown)
    except ValueError:
        raise ValueError(f"{name} must be {allowed}, got {shown!r}") from None
    if not math.isfinite(value) or (whole and not value.is_integer()):
        raise ValueError(f"{name} must be {allowed}, got {shown!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}, got {shown}")
    return int(value) if whole else value


def _shown(number: float) -> str:
    # Thousands separated and never in exponent form: 1,000,000, not 1e+06; 0.05 as written.
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def _allowed(whole: bool, low, high) -> str:
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        return f"{kind} from {_shown(low)} to {_shown(high)}"
    if low is not None:
        return f"{kind} of at least {_shown(low)}"
    return kind


def parse_numbers(text, name: str, *, whole: bool = False, low: float | None = None,
                  high: float | None = None) -> list:
    """Numbers separated by commas and/or spaces ("0, 0.1 0.7"), each read by ``parse_number``;
    a ValueError names the first item that is not allowed."""
    shown = str(text).strip()
    items = re.split(r"\s*,\s*|\s+", shown)
    if not shown:
        raise ValueError(f"{name} needs at least one value, got {str(text)!r}")
    values = []
    for item in items:
        try:
            values.append(parse_number(item, name, whole=whole, low=low, high=high))
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not {_allowed(whole, low, high)}") from None
    return values


LAYERS_HELP = (f"1 to {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_LAYER_SIZE} units, whole numbers separated by "
               "commas or spaces, like 20, 3")


def parse_layers(text) -> tuple[int, ...]:
    """Hidden layer sizes from text such as "20, 3" or "20 3"; a ValueError says what is allowed."""
    shown = str(text).strip()
    try:
        sizes = parse_numbers(shown, "hidden layer sizes", whole=True, low=1, high=MAX_LAYER_SIZE)
    except ValueError:
        raise ValueError(f"hidden layer sizes must be {LAYERS_HELP}; got {shown!r}") from None
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden layer sizes must be {LAYERS_HELP}; got {len(sizes)} layers")
    return tuple(sizes)


def format_layers(layer_dims: Iterable[int]) -> str:
    """The text ``parse_layers`` reads back: "20, 3"."""
    return ", ".join(str(size) for size in layer_dims)


def work(settings, train_points: int) -> float:
    """A model's training work in course models: weights × points it fits × iterations (the
    points it fits: its ``train_fraction`` of ``train_points``, less a dev set if it stops early)."""
    sizes = settings.layer_sizes
    weights = sum(sizes[l] * sizes[l - 1] for l in range(1, len(sizes)))
    fitted = train_points * settings.train_fraction * (1 - settings.dev_fraction if settings.early_stopping else 1)
    return 3 * weights * fitted * settings.num_iterations / COURSE_WORK


def snapshot_bytes(settings) -> int:
    """The memory a model's recorded parameters take while it trains."""
    sizes = settings.layer_sizes
    parameters = sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, len(sizes)))
    records = (settings.num_iterations - 1) // settings.record_every + 1
    return 8 * parameters * records


def check_budget(settings_list, train_points: int) -> float:
    """The work of training every settings in ``settings_list`` (in course models), or a
    ``LimitError`` saying what to lower when it is over ``BUDGET`` or a model would hold too much
    memory.  Checked before anything trains."""
    settings_list = list(settings_list)
    total = sum(work(settings, train_points) for settings in settings_list)
    if total > BUDGET:
        first = settings_list[0]
        raise LimitError(
            f"{len(settings_list)} models of {format_layers(first.layer_dims)} hidden units on {train_points:,} "
            f"training points for {first.num_iterations:,} iterations are {total:,.0f} times the work of the "
            f"course's model; a page trains at most {BUDGET:g} times. Lower the number of seeds or models, "
            f"the iterations or the hidden layer sizes.")
    largest = max(settings_list, key=snapshot_bytes, default=None)
    if largest is not None and snapshot_bytes(largest) > MAX_SNAPSHOT_BYTES:
        raise LimitError(
            f"a network of {format_layers(largest.layer_dims)} hidden units trained for "
            f"{largest.num_iterations:,} iterations records {snapshot_bytes(largest) / 2**20:,.0f} MB of "
            f"parameters, more than the {MAX_SNAPSHOT_BYTES // 2**20} MB a page allows. Lower the hidden "
            "layer sizes or the iterations.")
    return total
