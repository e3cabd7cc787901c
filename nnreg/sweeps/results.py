"""A sweep's results as a file (.csv or .parquet): written by the command line, read back by it and
by the Sweep page, validated."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

PHASES = ("dev", "final")
RESULT_TYPES = (".csv", ".parquet")
# What a results file must hold to be viewed; norm_W1, norm_W2, ... follow rows.COLUMNS.
REQUIRED_COLUMNS = ["phase", "lambd", "keep_prob", "seed", "train_accuracy", "dev_accuracy",
                    "test_accuracy", "weight_norm"]


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


def write_results(rows: pd.DataFrame, path) -> None:
    path = check_results_path(path)
    if path.suffix.lower() == ".parquet":
        rows.to_parquet(path, index=False)
    else:
        rows.to_csv(path, index=False, lineterminator="\n")


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
    missing = [c for c in REQUIRED_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)}; is it a sweep's results file?")
    unknown = sorted(set(rows["phase"].astype(str)) - set(PHASES))
    if unknown:
        raise ValueError(f"{source}: column phase must be dev or final, found {unknown[0]!r}")
    for column in REQUIRED_COLUMNS[1:]:
        if not pd.api.types.is_numeric_dtype(rows[column]):
            raise ValueError(f"{source}: column {column} must hold numbers")
    for column in ("lambd", "keep_prob", "seed"):
        if rows[column].isna().any():
            raise ValueError(f"{source}: column {column} has empty cells")
    for column in ("train_accuracy", "dev_accuracy", "test_accuracy"):
        values = rows[column].dropna()
        if ((values < 0) | (values > 1)).any():
            raise ValueError(f"{source}: column {column} must hold accuracies from 0 to 1")
    dev = rows[rows["phase"] == "dev"]
    if dev.empty:
        raise ValueError(f"{source}: there are no dev rows to choose from")
    if dev["dev_accuracy"].isna().any():
        raise ValueError(f"{source}: {int(dev['dev_accuracy'].isna().sum())} dev row(s) have no dev_accuracy")
    return rows
