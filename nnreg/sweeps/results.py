"""A sweep's results as a file (.csv or .parquet): written by the command line, read back by it and
by the Sweep page, validated."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from ..report.formatting import csv_text
from ..settings import Settings
from .curve import FAMILIES
from .grid import GRID_FIELDS

PHASES = ("dev", "final")
RESULT_TYPES = (".csv", ".parquet")
# What a results file must hold to be viewed; norm_W1, norm_W2, ... follow rows.COLUMNS.
REQUIRED_COLUMNS = ["phase", *GRID_FIELDS, "seed", "train_accuracy", "dev_accuracy", "test_accuracy", "weight_norm"]
# Columns added since files were first written, and what a file without them meant: no L1, no
# weight decay, all training points, ReLU, gradient descent on the full batch (an empty batch
# size), one dev split drawn with seed 0, the points' counts unknown.
ADDED_COLUMNS = {**{field: getattr(Settings(), field)
                    for field in ("l1", "weight_decay", "train_fraction", "activation", "optimizer")},
                 "batch_size": math.nan,
                 "folds": 1, "dev_seed": 0, "dev_size": math.nan, "test_size": math.nan}
# An interrupted command line's results file says so in every row (``partial_rows``).
PARTIAL = "partial"
# A data-size curve's file (nnreg.sweeps.curve) holds these too.
CURVE_COLUMNS = ["family", "train_fraction", "train_size"]


def check_results_path(path) -> Path:
    """The path ``write_results`` will write, checked before any training starts."""
    path = Path(path)
    if path.suffix.lower() not in RESULT_TYPES:
        raise ValueError(f"{path}: results are written as {' or '.join(RESULT_TYPES)}, "
                         f"got {path.suffix or 'no extension'}")
    if not path.parent.is_dir():
        raise ValueError(f"{path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder")
    return path


def results_bytes(rows: pd.DataFrame, suffix: str) -> bytes:
    """A results file's content as ``write_results`` writes it (and a page downloads it), by its
    type: ``suffix`` is .csv or .parquet."""
    if suffix.lower() == ".parquet":
        buffer = io.BytesIO()
        rows.to_parquet(buffer, index=False)
        return buffer.getvalue()
    if suffix.lower() == ".csv":
        return csv_text(rows).encode()
    raise ValueError(f"results are written as {' or '.join(RESULT_TYPES)}, got {suffix or 'no extension'}")


def write_results(rows: pd.DataFrame, path) -> None:
    path = check_results_path(path)
    # Written whole, then moved over the old file: an interruption while writing (a second
    # Ctrl-C) leaves the old file, never half of one.
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(results_bytes(rows, path.suffix))
    temporary.replace(path)


def partial_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of a run that was interrupted, each marked so (column ``partial``): a file of them
    is to be finished (``sweep --resume``), not read as a result."""
    return rows.assign(**{PARTIAL: True})


def is_partial(rows: pd.DataFrame) -> bool:
    """Whether results are an interrupted run's (``partial_rows``)."""
    return PARTIAL in rows.columns and bool(rows[PARTIAL].fillna(False).astype(bool).any())


def is_curve(rows: pd.DataFrame) -> bool:
    """Whether results are a data-size curve's (``data_size_curve``) rather than a sweep's."""
    return "family" in rows.columns


def read_results(content: bytes, filename: str) -> pd.DataFrame:
    """A results file written by the command line or the app, from its bytes, validated."""
    source = Path(str(filename)).name or "upload"
    suffix = Path(source).suffix.lower()
    if suffix not in RESULT_TYPES:
        raise ValueError(f"{source}: results files are {' or '.join(RESULT_TYPES)}, got {suffix or 'no extension'}")
    if not content:
        raise ValueError(f"{source}: the file is empty")
    try:
        if suffix == ".parquet":
            rows = pd.read_parquet(io.BytesIO(content))
        else:
            rows = pd.read_csv(io.BytesIO(content))
    except Exception as error:  # pandas and pyarrow raise many types for a corrupt file; all mean the same.
        raise ValueError(f"{source}: not a readable {suffix} results file ({type(error).__name__})") from None
    rows = rows.assign(**{column: value for column, value in ADDED_COLUMNS.items() if column not in rows.columns})
    missing = [c for c in REQUIRED_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)}; is it a sweep's results file?")
    unknown = sorted(set(rows["phase"].astype(str)) - set(PHASES))
    if unknown:
        raise ValueError(f"{source}: column phase must be dev or final, found {unknown[0]!r}")
    for column in REQUIRED_COLUMNS[1:]:
        if not pd.api.types.is_numeric_dtype(rows[column]):
            raise ValueError(f"{source}: column {column} must hold numbers")
    for column in (*GRID_FIELDS, "seed"):
        if rows[column].isna().any():
            raise ValueError(f"{source}: column {column} has empty cells")
    for column in ("train_accuracy", "dev_accuracy", "test_accuracy"):
        values = rows[column].dropna()
        if ((values < 0) | (values > 1)).any():
            raise ValueError(f"{source}: column {column} must hold accuracies from 0 to 1")
    if "fold" not in rows.columns:
        # One dev split: fold 0; a retrained model has none.
        rows.insert(rows.columns.get_loc("seed") + 1, "fold", (rows["phase"] == "dev").map({True: 0, False: None}))
    try:
        rows["fold"] = pd.to_numeric(rows["fold"]).astype("Int64")
    except (ValueError, TypeError):
        raise ValueError(f"{source}: column fold must hold whole numbers") from None
    dev = rows[rows["phase"] == "dev"]
    if dev["fold"].isna().any():
        raise ValueError(f"{source}: {int(dev['fold'].isna().sum())} dev row(s) have no fold")
    if dev["dev_accuracy"].isna().any():
        raise ValueError(f"{source}: {int(dev['dev_accuracy'].isna().sum())} dev row(s) have no dev_accuracy")
    if is_curve(rows):
        return _checked_curve(rows, source)
    if dev.empty:
        raise ValueError(f"{source}: there are no dev rows to choose from")
    return rows


def _checked_curve(rows: pd.DataFrame, source: str) -> pd.DataFrame:
    missing = [c for c in CURVE_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"{source}: a data-size curve's file needs column(s) {', '.join(missing)}")
    unknown = sorted(set(rows["family"].astype(str)) - set(FAMILIES))
    if unknown:
        raise ValueError(f"{source}: column family must be one of {', '.join(FAMILIES)}, found {unknown[0]!r}")
    for column in CURVE_COLUMNS[1:]:
        if not pd.api.types.is_numeric_dtype(rows[column]) or rows[column].isna().any():
            raise ValueError(f"{source}: column {column} must hold a number in every row")
    if not (rows["phase"] == "final").any():
        raise ValueError(f"{source}: there are no final rows: the curve was stopped before any model was retrained")
    return rows
