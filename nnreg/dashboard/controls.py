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
from typing import NamedTuple

from .. import data
from ..limits import LAYERS_HELP, RANGES, Range, format_layers, format_number, parse_flag, parse_layers, read
from ..network import ADAM_BETA1, ADAM_BETA2, LEAKY_SLOPE, MOMENTUM_BETA
from ..report.formatting import plural
from ..settings import DROPOUT_MASKS, Settings
from ..specs import CHOICES, FULL_BATCH, read_batch_size, read_choice


UPLOAD = "upload"
COURSE = Settings()


@dataclass(frozen=True)
class Control:
    """One control's course default and what it accepts; the type of ``default`` sets the kind:
    bool (a switch), int or float (a number in ``range``, typed, or on a slider where ``step`` is
    set), str with ``options`` (a choice, each shown as its ``labels`` say where given) or str
    without (the hidden layer sizes, as text); batch_size's None, the full batch, with its range.
    ``fallback`` says what the page does when a link's value is refused."""

    default: object
    range: Range | None = None
    step: float | None = None
    options: tuple[str, ...] | None = None
    fallback: str = "The models use the default, {}."
    # Its field's label and help, on every page that shows it (a typed or slid number's help
    # ends with what its range allows, added by the field).
    label: str = ""
    help_text: str | None = None
    labels: tuple[str, ...] | None = None

    @property
    def low(self) -> float:
        return self.range.low

    @property
    def high(self) -> float:
        return self.range.high


# The study page's deeper views, one tab each, the first open on a first visit.
# The masks view asks the course's question ("is dropout's 95 % real?") of whatever data is shown,
# with that data's own numbers, so its label names no number.
VIEWS = ("Weight decay", "The network", "Inputs", "Learning curves", "Training replay", "Hidden units",
         "Dropout runs", "Sensitivity", "The data alone", "The math")
# Views renamed since links were shared: an old link opens the view under its new name.
RENAMED_VIEWS = {"Is dropout's 95 % real?": "Dropout runs", "One dropout run or many?": "Dropout runs"}

# What the optimizer menu adds to each optimizer's name: the constants it uses (nnreg.network).
_OPTIMIZER_CONSTANTS = {"gd": "", "momentum": f" (β {MOMENTUM_BETA:g})",
                        "adam": f" (β1 {ADAM_BETA1:g}, β2 {ADAM_BETA2:g})"}

# The controls take what the command line takes (nnreg.limits.RANGES); what a whole page may train
# is bounded by limits.BUDGET, checked before anything trains.
CONTROLS: dict[str, Control] = {
    "data": Control(data.BUILTIN, label="Dataset",
                    help_text="The built-in football field, a synthetic set, a real table (breast_cancer, iris, "
                              "wine), a file in data/, or your own .csv, .parquet, .mat or .npz file."),
    "n_points": Control(400, RANGES["n_points"], label="Number of points",
                        help_text="Split half and half into train and test."),
    "noise": Control(0.1, RANGES["noise"], 0.01, label="Noise",
                     help_text="Jitter added to every point: more noise, more to overfit."),
    "data_seed": Control(0, RANGES["data_seed"], label="Data seed"),
    # How an uploaded table is read (its label and split columns are chosen from its header).
    "test_fraction": Control(data.TEST_FRACTION, RANGES["test_fraction"], 0.05, label="Test share",
                             help_text="Without a split column, this seeded, stratified share of the rows (the same "
                                       "share of each class) is held out as the test points."),
    "drop_missing": Control(False, label="Drop rows with missing values",
                            help_text="Off, a table with an empty cell is refused, naming its columns; on, those rows "
                                      "are left out and the notes under the data say how many."),
    "train_fraction": Control(COURSE.train_fraction, RANGES["train_fraction"], 0.05,
                              label="Share of training points used",
                              help_text="More data is a regularizer too: every model trains on this seeded, stratified "
                                   "share of the training points (the same share of each label; the test points "
                                   "stay all). 1 uses them all, as the course does."),
    "learning_rate": Control(COURSE.learning_rate, RANGES["learning_rate"], label="Learning rate α"),
    "num_iterations": Control(COURSE.num_iterations, RANGES["num_iterations"], label="Iterations"),
    "layers": Control(format_layers(COURSE.layer_dims), label="Hidden layer sizes",
                      help_text=f"2-20-3-1 in the course: hidden layers 20, 3. {LAYERS_HELP}."),
    "activation": Control(COURSE.activation, options=tuple(CHOICES["activation"]), label="Activation",
                          labels=tuple(CHOICES["activation"].values()),
                          help_text="The hidden layers' g(z): ReLU in the course; tanh and sigmoid saturate, leaky "
                                    f"ReLU keeps a slope of {LEAKY_SLOPE:g} below 0. The output layer stays the "
                                    "sigmoid (a softmax for more classes)."),
    "optimizer": Control(COURSE.optimizer, options=tuple(CHOICES["optimizer"]), label="Optimizer",
                         labels=tuple(f"{word}{_OPTIMIZER_CONSTANTS[option]}"
                                      for option, word in CHOICES["optimizer"].items()),
                         help_text="How each update uses the gradients: the course's gradient descent, momentum's "
                                   "running mean of them, or Adam's, scaled by their running size."),
    "batch_size": Control(COURSE.batch_size, RANGES["batch_size"], label="Batch size",
                          help_text=f"Empty or {FULL_BATCH}: every training point at each update, as the course. "
                                    "A number: mini-batches of a new seeded shuffle every epoch, the last one "
                                    "smaller; iterations still count updates, and each model says how many epochs "
                                    "they are."),
    "seed": Control(COURSE.seed, RANGES["seed"], label="Init seed",
                    help_text=f"Seeds the initial weights ({COURSE.seed} in the course)."),
    "n_seeds": Control(1, RANGES["n_seeds"], label="Number of seeds",
                       help_text="Above 1, every model is trained from init seeds 0 to N − 1, the dropout seed following "
                            "the init seed, as `python -m nnreg reproduce --seeds N` does: the table shows mean ± "
                            "std, the boundary the mean probability."),
    "dropout_mask": Control(COURSE.dropout_mask, options=DROPOUT_MASKS, label="Dropout masks",
                            help_text="fresh: new masks every iteration; fixed: the same masks every iteration, as the "
                                 "original notebook drew them."),
    "dev_fraction": Control(COURSE.dev_fraction, RANGES["dev_fraction"], 0.05, label="Early stopping's dev share",
                            help_text="A model that stops early holds this seeded, stratified share of its training "
                                 "points out, and keeps the recorded iteration with the best accuracy on them (the "
                                 "earliest of ties). The test set never chooses."),
    "stop_early": Control(False, label="Every model stops early",
                          help_text="Each model keeps its best dev iteration instead of its last."),
    "test_points": Control(True, fallback="The page uses the default, {}.", label="Show test points"),
    "discretize": Control(False, fallback="The page uses the default, {}.",
                          label="Discretize the boundaries (hard regions)",
                          help_text="Each point of the field takes the color of the label the model predicts there: "
                               "blue where P(label 1) > 0.5, red elsewhere."),
    "ring_errors": Control(False, fallback="The page uses the default, {}.", label="Ring misclassified points",
                           help_text="Rings every point drawn that the model labels wrong: P(label 1) > 0.5 for a red "
                                "point, at most 0.5 for a blue one (the mean P over the seeds when there are "
                                "several). Hover anywhere on a boundary for P(label 1) there."),
    "view": Control(VIEWS[0], options=VIEWS, fallback="The page opens the default view, {}."),
}
# What an uploaded data file may be, and how its columns or arrays are named.
UPLOAD_TYPES = ("csv", "parquet", "mat", "npz")
UPLOAD_HELP = ("A CSV or Parquet table with a header row: choose its label column below it; every other column is a "
               "feature (a text column of at most 20 values is one-hot encoded); a split column (train/test) says "
               "which rows are test points, else a stratified share is held out. Or a .mat or .npz file with arrays "
               "X, y, Xval, yval as in the course.")
# The split column's choice when the table has none.
NO_SPLIT = "(none)"
# The controls that, with the menu's choice, say which data the models train on and how it is read.
DATA_CONTROLS = ("n_points", "noise", "data_seed", "test_fraction", "drop_missing")


class Upload(NamedTuple):
    """An uploaded file, and for a table (a header row) the label and split columns chosen."""

    content: bytes
    name: str
    label: str | None = None
    split: str | None = None


# The controls typed as text, numbers included: a number field would turn "1e9" into 1 and "1,5"
# into 15 in the browser, before the page could say what was typed.
TYPED = ("n_points", "data_seed", "learning_rate", "num_iterations", "layers", "batch_size", "seed", "n_seeds")


# The two ways to train the course's study, each setting every shared control of the models and
# the list of models to the course's three (the data set and the view stay as they are, so an
# uploaded course file stays loaded; the course trains on all of its training points).
MODEL_CONTROLS = ("learning_rate", "num_iterations", "layers", "activation", "optimizer", "batch_size", "seed",
                  "n_seeds", "dropout_mask", "dev_fraction", "stop_early", "train_fraction")
COURSE_PRESET, NOTEBOOK_PRESET = "Course settings", "Exactly as the notebook"
# The course's controls with four models of their own (specs.l2_or_weight_decay_specs).
ADAM_PRESET = "L2 or weight decay? (Adam)"
PRESETS: dict[str, dict[str, object]] = {
    # Fresh masks every iteration: inverted dropout as the course teaches it.
    COURSE_PRESET: {key: CONTROLS[key].default for key in MODEL_CONTROLS},
    # The notebook drew its masks once and reused them every iteration; with its own data file this
    # gives its published table (tested).
    NOTEBOOK_PRESET: {key: CONTROLS[key].default for key in MODEL_CONTROLS} | {"dropout_mask": "fixed"},
    ADAM_PRESET: {key: CONTROLS[key].default for key in MODEL_CONTROLS},
}


def dataset_choices() -> list[str]:
    """The dataset menu: the built-in set, the synthetic ones, files in data/, and an upload."""
    return [*data.list_datasets(), UPLOAD]


def parse_value(key: str, text, choices: list[str]):
    """A control's value from its text (a link's, or typed), by the rules of ``nnreg.limits``;
    a ValueError names the control and what it accepts."""
    control = CONTROLS[key]
    text = str(text)
    if key == "batch_size":
        # An emptied field is the full batch, the field's default.
        return read_batch_size(text.strip() or FULL_BATCH)
    if key in CHOICES:
        return read_choice(key, text)
    if isinstance(control.default, bool):
        return parse_flag(text, key)
    if control.range is not None:
        return read(key, text)
    if key == "layers":
        return parse_layers(text)
    options = choices if key == "data" else control.options
    if text not in options:
        raise ValueError(f"{key} must be one of {', '.join(options)}, got {text!r}")
    return text


def shown_value(key: str, value) -> str:
    """A control's value as its field and its link show it, every digit kept: true/false, "20, 3",
    0.0015, and batch_size's None as "full"."""
    if value is None and key == "batch_size":
        return FULL_BATCH
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return format_layers(value)
    return format_number(value) if isinstance(value, (int, float)) else str(value)


def widget_value(key: str, value):
    """What a control's widget holds for ``value``: the text of a typed field, else the value."""
    return shown_value(key, value) if key in TYPED else value


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
            control = CONTROLS[key]
            messages[key] = (f"The link's `{key}={text}` was not used: {error}. "
                             + control.fallback.format(shown_value(key, control.default)))
    return messages


def typed_problem(key: str, label: str, text, used, choices: list[str]) -> str | None:
    """Why the text typed into a control cannot be used, quoting it and saying what is allowed
    (None if it can); ``used`` is the value the models keep using."""
    try:
        parse_value(key, "" if text is None else text, choices)
    except ValueError as error:
        typed = "an empty field" if text is None or str(text).strip() == "" else f"`{str(text).strip()}`"
        return f"{label}: {typed} was not used: {error}. The models use {shown_value(key, used)}."
    return None


def table_words(dataset: data.Dataset) -> str:
    """What a dataset's caption adds about its columns: nothing for the course's layout (x1, x2,
    labels 0 and 1), else "; 4 features, classes setosa, versicolor, virginica"."""
    if data.course_layout(dataset):
        return ""
    return f"; {plural(dataset.n_features, 'feature')}, classes {', '.join(dataset.class_names)}"


def load_choice(choice: str, n_points: int, noise: float, data_seed: int) -> data.Dataset:
    """The dataset a menu choice names (the synthetic ones with their options)."""
    if choice in data.SYNTHETIC:
        return data.make_dataset(choice, n_points=n_points, noise=noise, seed=data_seed)
    return data.load_dataset(choice)
