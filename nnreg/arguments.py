"""Command-line arguments that more than one command takes, defined once."""

from __future__ import annotations

from . import data


def add_data(parser) -> None:
    """``--data NAME_OR_PATH``: the dataset a command trains on."""
    parser.add_argument("--data", default=data.BUILTIN,
                        help="dataset name (see 'datasets') or path to a .csv, .mat or .npz file")
