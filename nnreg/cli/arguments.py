"""Command-line arguments that more than one command takes, defined once, and how a bad one is
reported: in one line, with exit code 2 (``UsageError``)."""

from __future__ import annotations

import argparse

from .. import data, limits


class UsageError(Exception):
    """Bad input from the command line: reported in one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse would print the whole usage block; one line is easier to read and to script.
        raise UsageError(f"{self.prog}: {message}")


def add_data(parser) -> None:
    """``--data NAME_OR_PATH``: the dataset a command trains on."""
    parser.add_argument("--data", default=data.BUILTIN,
                        help="dataset name (see 'datasets') or path to a .csv, .mat or .npz file")


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
