"""The page's controls: what each accepts, its course default, and the messages for a value
from a link or typed that the models cannot use.

Every control's key is also its URL query parameter.  Every value, from a link or typed, is
read by ``parse_value`` with the rules of ``nnreg.limits`` (the command line's too): a value
refused is named in a message with what is allowed, and the control goes back to the value the
models use.  Streamlit silently drops a URL value its widget cannot take, so ``check_query_params``
runs before any widget exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import data
from ..limits import (MAX_DEV_FRACTION, MAX_ITERATIONS, MAX_LEARNING_RATE, MAX_SEEDS, MIN_DEV_FRACTION, MIN_ITERATIONS,
                      MIN_LEARNING_RATE, MIN_TRAIN_FRACTION, format_layers, parse_layers, parse_number)
from ..settings import DROPOUT_MASKS, Settings


UPLOAD = "upload"
COURSE = Settings()


@dataclass(frozen=True)
class Control:
    """One control's course default and what it accepts; the type of ``default`` sets the kind:
    bool (a switch), int or float (a range from ``low`` to ``high``), str with ``options`` (a
    choice) or str without (the hidden layer sizes, as text)."""

    default: object
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[str, ...] | None = None


# The study page's deeper views, one tab each, the first open on a first visit.
VIEWS = ("Weight decay", "The network", "Learning curves", "Training replay", "Hidden units", "Is dropout's 95 % real?",
         "The data alone", "The math")

# The controls go as far as the command line does (nnreg.limits); what a whole page may train is
# bounded by limits.BUDGET, checked before anything trains.
CONTROLS: dict[str, Control] = {
    "data": Control(data.BUILTIN),
    "n_points": Control(400, 40, 2000, 20),
    "noise": Control(0.1, 0.0, 1.0, 0.01),
    "data_seed": Control(0, 0, 1_000_000, 1),
    "train_fraction": Control(COURSE.train_fraction, MIN_TRAIN_FRACTION, 1.0, 0.05),
    "learning_rate": Control(COURSE.learning_rate, MIN_LEARNING_RATE, MAX_LEARNING_RATE, 0.05),
    "num_iterations": Control(COURSE.num_iterations, MIN_ITERATIONS, MAX_ITERATIONS, 1000),
    "layers": Control(format_layers(COURSE.layer_dims)),
    "seed": Control(COURSE.seed, 0, 1_000_000, 1),
    "n_seeds": Control(1, 1, MAX_SEEDS, 1),
    "dropout_mask": Control(COURSE.dropout_mask, options=DROPOUT_MASKS),
    "dev_fraction": Control(COURSE.dev_fraction, MIN_DEV_FRACTION, MAX_DEV_FRACTION, 0.05),
    "stop_early": Control(False),
    "test_points": Control(True),
    "discretize": Control(False),
    "view": Control(VIEWS[0], options=VIEWS),
}


# The two ways to train the course's study, each setting every shared control of the models and
# the list of models to the course's three (the data set and the view stay as they are, so an
# uploaded course file stays loaded; the course trains on all of its training points).
MODEL_CONTROLS = ("learning_rate", "num_iterations", "layers", "seed", "n_seeds", "dropout_mask", "dev_fraction",
                  "stop_early", "train_fraction")
COURSE_PRESET, NOTEBOOK_PRESET = "Course settings", "Exactly as the notebook"
PRESETS: dict[str, dict[str, object]] = {
    # Fresh masks every iteration: inverted dropout as the course teaches it.
    COURSE_PRESET: {key: CONTROLS[key].default for key in MODEL_CONTROLS},
    # The notebook drew its masks once and reused them every iteration; with its own data file this
    # gives its published table (tested).
    NOTEBOOK_PRESET: {key: CONTROLS[key].default for key in MODEL_CONTROLS} | {"dropout_mask": "fixed"},
}


def dataset_choices() -> list[str]:
    """The dataset menu: the built-in set, the synthetic ones, files in data/, and an upload."""
    return [*data.list_datasets(), UPLOAD]


def parse_value(key: str, text, choices: list[str]):
    """A control's value from its text (a link's, or typed), by the rules of ``nnreg.limits``;
    a ValueError names the control and what it accepts."""
    control = CONTROLS[key]
    text = str(text)
    if isinstance(control.default, bool):
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{key} must be true or false")
        return text.lower() == "true"
    if isinstance(control.default, (int, float)):
        return parse_number(text, key, whole=isinstance(control.default, int), low=control.low, high=control.high)
    if key == "layers":
        return parse_layers(text)
    options = choices if key == "data" else control.options
    if text not in options:
        raise ValueError(f"{key} must be one of {', '.join(options)}")
    return text


def shown_value(key: str, value) -> str:
    """A control's value as its field and its link show it: true/false, "20, 3", 0.7."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return format_layers(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_query_params(params: Mapping[str, str], choices: list[str]) -> dict[str, str]:
    """A message for each URL parameter whose value its control cannot take, by parameter
    (other parameters are left alone: they may belong to another page)."""
    messages = {}
    for key, text in params.items():
        if key not in CONTROLS:
            continue
        try:
            parse_value(key, text, choices)
        except ValueError as error:
            messages[key] = (f"The link's `{key}={text}` was not used: {error}. "
                             f"The models use the default, {shown_value(key, CONTROLS[key].default)}.")
    return messages


def typed_problem(key: str, label: str, value, used, choices: list[str]) -> str | None:
    """Why a value typed into a control cannot be used, naming it and what is allowed (None if
    it can); ``used`` is the value the models keep using."""
    try:
        parse_value(key, "" if value is None else value, choices)
    except ValueError as error:
        typed = "an empty field" if value is None or str(value).strip() == "" else f"`{value}`"
        return f"{label}: {typed} was not used: {error}. The models use {shown_value(key, used)}."
    return None


def load_choice(choice: str, n_points: int, noise: float, data_seed: int) -> data.Dataset:
    """The dataset a menu choice names (the synthetic ones with their options)."""
    if choice in data.SYNTHETIC:
        return data.make_dataset(choice, n_points=n_points, noise=noise, seed=data_seed)
    return data.load_dataset(choice)
