"""Command-line arguments that more than one command takes, defined once, and how a bad one is
reported: in one line, with exit code 2 (``UsageError``); the dataset they name, and how a command
names its features, classes and notes."""

from __future__ import annotations

import argparse

from .. import data, limits, network
from ..report.formatting import plural
from ..report.titles import training_text
from ..settings import Settings
from ..specs import read_batch_size
from ..sweeps.request import TRAINING_HELP


class UsageError(Exception):
    """Bad input from the command line: reported in one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse would print the whole usage block; one line is easier to read and to script.
        raise UsageError(f"{self.prog}: {message}")


# Names shown in a line: enough to recognize, never thirty.
SHOWN_NAMES = 8


def add_data(parser, default: str | None = data.BUILTIN) -> None:
    """``--data NAME_OR_PATH`` and how to read a table (``--label``, ``--split``, ``--test-fraction``,
    ``--drop-missing``): the dataset a command takes."""
    parser.add_argument("--data", default=default,
                        help=f"dataset name (see 'datasets') or path to a {', '.join(data.FILE_TYPES[:-1])} or "
                             f"{data.FILE_TYPES[-1]} file")
    parser.add_argument("--label", help="a table's label column (default: the column named y, label, target or "
                                        "class, else the last one but split)")
    parser.add_argument("--split", help="a table's column saying 'train' or 'test' for each row (default: a column "
                                        "named split; --split '' for none)")
    parser.add_argument("--test-fraction", type=number_argument("--test-fraction", "test_fraction"),
                        help=f"for a table without a split column, the seeded, stratified share of each class held "
                             f"out as the test set (default {data.TEST_FRACTION:g})")
    parser.add_argument("--drop-missing", action="store_true",
                        help="drop a table's rows with missing values (otherwise the file is refused, naming them)")


def load_data(args) -> data.Dataset:
    """The dataset ``add_data``'s flags name, read as they say.  A DatasetError when
    ``--test-fraction`` is given for data that has its own test set, which it would not change."""
    fraction = data.TEST_FRACTION if args.test_fraction is None else args.test_fraction
    dataset = data.load_dataset(args.data, label=args.label, split=args.split, test_fraction=fraction,
                                drop_missing=args.drop_missing)
    if args.test_fraction is not None and data.held_out_note(fraction, data.SPLIT_SEED) not in dataset.notes:
        raise data.DatasetError(f"{args.data}: --test-fraction {fraction:g} cannot apply: the data comes with its "
                                "own test set")
    return dataset


def names_text(names) -> str:
    """Names in a line: the first ``SHOWN_NAMES``, then how many more."""
    names = list(names)
    more = f", ... ({len(names)} in all)" if len(names) > SHOWN_NAMES else ""
    return ", ".join(names[:SHOWN_NAMES]) + more


def data_lines(dataset) -> list[str]:
    """What a command prints under its first line about the data: a table's features and classes by
    name (none for data named as the course's, x1 and x2, 0 and 1), then what reading it did."""
    lines = []
    if not data.course_layout(dataset):
        lines.append(f"{plural(dataset.n_features, 'feature')}: {names_text(dataset.feature_names)}; "
                     f"{dataset.n_classes} classes: {names_text(dataset.class_names)}")
    return lines + [f"note: {note}" for note in dataset.notes]


def seeds_argument(text: str) -> int:
    """``--seeds N``: how many init seeds (0..N-1), within the limit every surface shares."""
    try:
        return limits.read("n_seeds", text, "the number of seeds")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def number_argument(name: str, field: str):
    """An argparse type reading ``field``'s value by ``limits.read`` (the page's rules and range)."""
    def parse(text: str):
        try:
            return limits.read(field, text, name)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return parse


def layers_argument(text: str) -> tuple[int, ...]:
    """``--hidden "20 3"``: hidden layer sizes, as the page reads them."""
    try:
        return limits.parse_layers(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_training(parser) -> None:
    """How every model trains, beside the course's way: ``--activation``, ``--optimizer`` and
    ``--batch-size`` (each left out: the course's ReLU, gradient descent and full batch)."""
    course = Settings()
    parser.add_argument("--activation", choices=network.ACTIVATIONS, default=course.activation,
                        help=TRAINING_HELP["activation"])
    parser.add_argument("--optimizer", choices=network.OPTIMIZERS, default=course.optimizer,
                        help=TRAINING_HELP["optimizer"])
    parser.add_argument("--batch-size", type=batch_argument, help=TRAINING_HELP["batch_size"])


def batch_argument(text: str) -> int | None:
    """``--batch-size N`` (or ``full``), read as a sweep's form reads it."""
    try:
        return read_batch_size(text, "--batch-size")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
