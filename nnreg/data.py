"""Datasets: the built-in football field, synthetic generators, the bundled real tables
(breast_cancer, iris, wine), validated file loaders, and ``Dataset.from_arrays`` and
``Dataset.from_frame`` for an analyst's own table.

A dataset is two labelled point sets (examples as rows) of any number of features and classes.
Every route in, the constructor included, runs the same checks and raises ``DatasetError``
naming the source and the problem; nothing is half-loaded.  Files are read from bytes in
memory, so an upload's name is only ever used for its extension and in messages, never as a
path.  A CSV or Parquet file is a table with a header row (``from_frame`` reads it); a file in
the course's layout (features x1 and x2, labels 0 and 1, and the course's .mat) reads as it
always has, its models unstandardized, so the course stays exact.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import numbers
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import limits
from .report.formatting import csv_text, plural

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUILTIN = "football"
TABLE_TYPES = (".csv", ".parquet")
FILE_TYPES = (*TABLE_TYPES, ".mat", ".npz")
SYNTHETIC = ("circle", "xor", "gaussian", "spiral", "moons")
MIN_SPLIT_POINTS = 10
MAX_POINTS = 100_000
# The network's initial weights assume coordinates of order one; values far beyond this
# overflow its arithmetic, so they are a unit mistake rather than data.
MAX_ABS_COORDINATE = 1e6
# A table given without a test set (a CSV without a split column, from_arrays, from_frame):
# a stratified 30 % is held out, always the same for the same table.
TEST_FRACTION = 0.3
SPLIT_SEED = 0
# Labels shown in a message: enough to recognize, never a whole column.
SHOWN_LABELS = 5
# A table's label column when none is named: the first of these (in any case), else the last
# column that is not the split column.
LABEL_COLUMNS = ("y", "label", "target", "class")
SPLIT_COLUMN = "split"
# The split column's value for "none": hold out a test share even when a column is named split
# (it is then a feature like any other).
NO_SPLIT = ""
# A text feature of at most this many distinct values is a category, one-hot encoded; one of more
# (names, identifiers, free text) is refused by name.
MAX_CATEGORIES = 20
# The start of a CSV file from which its separator is guessed.
SNIFF_CHARACTERS = 8192
# What a CSV cell holds for a missing value (any case), as pandas reads them, but for "none", which
# is as often a category's value ("symptoms: none, mild, severe").
MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "-nan", "<na>", "null", "#n/a", "#na"})
# The bundled real tables in data/ (tools/make_tables.py writes them from scikit-learn's copies):
# where each comes from and its licence, in the one line every surface shows.
TABLE_SOURCES = {
    "breast_cancer": "Breast Cancer Wisconsin (Diagnostic), W. Wolberg, O. Mangasarian, N. Street and W. Street "
                     "(1993), UCI Machine Learning Repository, "
                     "https://archive.ics.uci.edu/dataset/17/breast+cancer+wisconsin+diagnostic, doi:10.24432/C5DW2B, "
                     "CC BY 4.0",
    "iris": "Iris, R. A. Fisher (1988), UCI Machine Learning Repository, https://archive.ics.uci.edu/dataset/53/iris, "
            "doi:10.24432/C56C76, CC BY 4.0 (scikit-learn's copy: two values corrected to Fisher's 1936 paper)",
    "wine": "Wine, S. Aeberhard and M. Forina (1991), UCI Machine Learning Repository, "
            "https://archive.ics.uci.edu/dataset/109/wine, doi:10.24432/C5PC7J, CC BY 4.0",
}


class DatasetError(ValueError):
    """A dataset that cannot be used, with a message naming the source and the problem."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test points as (m, n_features) float arrays, labels as (m,) class codes 0 to
    n_classes - 1, and the names of the features and of the classes.

    Labels may be numbers or text.  Without ``class_names`` the classes are the distinct training
    labels, sorted (numbers numerically, text alphabetically): 0/1 labels stay 0 and 1, and
    {1, 2} become 0 and 1 named "1" and "2".  With ``class_names``, numeric labels are positions
    in it (codes) and text labels its names.  ``feature_names`` default to x1, x2, ...  Every
    rule is checked here, whatever the route in, and the arrays are kept as read-only copies.

    ``standardize`` is the data's own answer to whether a model should standardize its inputs
    when its settings leave it to the data (``Settings.standardize`` None): True for an analyst's
    table (``from_arrays``, ``from_frame``, the bundled real tables), False for the course's
    football field, the synthetic sets and files in the course's layout, so the course stays exact.

    ``notes`` say what reading did to a table (a column one-hot encoded, rows dropped, a test
    set held out), in sentences every surface shows as they are; they are not part of the data.
    """

    name: str
    train_X: np.ndarray
    train_Y: np.ndarray
    test_X: np.ndarray
    test_Y: np.ndarray
    feature_names: tuple[str, ...] | None = None
    class_names: tuple[str, ...] | None = None
    standardize: bool = False
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        if not isinstance(self.standardize, bool):
            raise DatasetError(f"{self.name}: standardize must be True or False, got {self.standardize!r}")
        if not isinstance(self.notes, (list, tuple)) or not all(isinstance(note, str) for note in self.notes):
            raise DatasetError(f"{self.name}: notes must be a list of sentences, got {self.notes!r}")
        object.__setattr__(self, "notes", tuple(self.notes))
        checked = _validated(str(self.name), self.train_X, self.train_Y, self.test_X, self.test_Y,
                             self.feature_names, self.class_names)
        for field, value in checked.items():
            object.__setattr__(self, field, value)

    @classmethod
    def from_arrays(cls, X, y, X_test=None, y_test=None, *, test_fraction: float = TEST_FRACTION,
                    seed: int = SPLIT_SEED, name: str = "arrays", feature_names=None,
                    class_names=None, standardize: bool = True) -> Dataset:
        """A dataset from points ``X`` (m, n_features) and their labels ``y`` (numbers or text).

        Without ``X_test`` and ``y_test``, a seeded, stratified ``test_fraction`` of the points is
        held out as the test set: the same share of each class, the same points for the same seed.
        """
        if (X_test is None) != (y_test is None):
            raise DatasetError(f"{name}: X_test and y_test go together; give both or neither")
        notes = ()
        if X_test is None:
            X, y, X_test, y_test = _held_out(name, X, y, test_fraction, seed)
            notes = (held_out_note(test_fraction, seed),)
        return cls(name, X, y, X_test, y_test, feature_names, class_names, standardize, notes)

    @classmethod
    def from_frame(cls, frame, label, split=None, *, test_fraction: float = TEST_FRACTION,
                   seed: int = SPLIT_SEED, name: str = "frame", standardize: bool = True,
                   drop_missing: bool = False) -> Dataset:
        """A dataset from a pandas DataFrame: the column ``label`` holds the labels (numbers or
        text), the column ``split`` (if given) says 'train' or 'test' for each row, and every other
        column is a feature, named after it.  Without ``split``, as ``from_arrays`` does.

        A text feature of at most ``MAX_CATEGORIES`` distinct values is one-hot encoded, into
        columns named ``column=value``; any other text feature is refused by name.  Rows with a
        missing value are refused, naming the columns, or with ``drop_missing`` dropped.  What was
        done is said in ``notes``."""
        if not isinstance(frame, pd.DataFrame):
            raise DatasetError(f"{name}: from_frame takes a pandas DataFrame, got {type(frame).__name__}")
        repeated = list(dict.fromkeys(frame.columns[frame.columns.duplicated()]))
        if repeated:
            raise DatasetError(f"{name}: column(s) {_names(repeated)} appear more than once")
        for role, column in (("label", label), ("split", split)):
            if (role == "label" or column is not None) and column not in frame.columns:
                raise DatasetError(f"{name}: no {role} column {column!r}; the columns are {_names(frame.columns)}")
        if split is not None and split == label:
            raise DatasetError(f"{name}: the label and split columns must differ, got {label!r} for both")
        features = [column for column in frame.columns if column not in (label, split)]
        if not features:
            raise DatasetError(f"{name}: no feature columns: every column but the label"
                               f"{' and the split' if split is not None else ''} is a feature, and there is none")
        used = frame[[*features, label] + ([split] if split is not None else [])]
        used, notes = _without_missing(name, used, drop_missing)
        feature_names, X, encoded = _encoded(name, used[features])
        notes += encoded
        y = used[label].to_numpy()
        if split is None:
            X, y, X_test, y_test = _held_out(name, X, y, test_fraction, seed)
            notes.append(held_out_note(test_fraction, seed))
        else:
            test = _split_mask(name, split, used[split])
            X, y, X_test, y_test = X[~test], y[~test], X[test], y[test]
        return cls(name, X, y, X_test, y_test, feature_names, standardize=standardize, notes=tuple(notes))

    @property
    def n_features(self) -> int:
        """How many numbers describe each point (the network's inputs)."""
        return self.train_X.shape[1]

    @property
    def n_classes(self) -> int:
        """How many classes the labels name (codes 0 to n_classes - 1)."""
        return len(self.class_names)

    @property
    def fingerprint(self) -> str:
        """A hash of the content only, so a renamed copy of the same data is the same dataset.
        Feature and class names count only where they differ from the defaults (x1, x2, ...;
        0, 1, ...), so that the same 0/1 points have one fingerprint however they were made."""
        digest = hashlib.sha256()
        for array in (self.train_X, self.train_Y, self.test_X, self.test_Y):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        if self.feature_names != _default_feature_names(self.n_features):
            digest.update(json.dumps(["feature_names", self.feature_names]).encode())
        if self.class_names != _default_class_names(self.n_classes):
            digest.update(json.dumps(["class_names", self.class_names]).encode())
        # The data's default decides how models train on it, so it tells cached results apart.
        if self.standardize:
            digest.update(b"standardize")
        return digest.hexdigest()[:16]

    def to_frame(self) -> pd.DataFrame:
        """One row per point: the features by name, the label (y) and the split ('train' or
        'test'); the CSV layout.  Labels are written by class name, as numbers when every name is
        one, so a 0/1 set's frame holds 0 and 1."""
        label = _free_column("y", self.feature_names)
        split = _free_column("split", self.feature_names)
        names = _label_values(self.class_names)
        parts = []
        for part, X, Y in (("train", self.train_X, self.train_Y), ("test", self.test_X, self.test_Y)):
            columns = {feature: X[:, j] for j, feature in enumerate(self.feature_names)}
            parts.append(pd.DataFrame({**columns, label: names[Y], split: part}))
        return pd.concat(parts, ignore_index=True)


def held_out_note(test_fraction: float, seed: int) -> str:
    """The note a dataset carries when a stratified ``test_fraction`` of its points was held out."""
    return f"a stratified {100 * test_fraction:g} % test split, seed {seed}, was held out"


def _held_out(source: str, X, y, test_fraction, seed):
    """Points and labels split into train and test parts by a seeded, stratified ``test_fraction``."""
    test_fraction = _checked(source, "test_fraction", test_fraction)
    seed = _checked(source, "data_seed", seed, "seed")
    X, y = _points(source, None, X, y)
    test = stratified_split(y, test_fraction, seed)
    return X[~test], y[~test], X[test], y[test]


def _without_missing(source: str, frame: pd.DataFrame, drop: bool) -> tuple[pd.DataFrame, list[str]]:
    """The rows without missing values, and a note when some were dropped; without ``drop``, a
    DatasetError naming the columns and counting the rows."""
    missing = frame.isna().to_numpy()
    rows = missing.any(axis=1)
    if not rows.any():
        return frame, []
    count, columns = int(rows.sum()), _names(frame.columns[missing.any(axis=0)])
    if not drop:
        raise DatasetError(f"{source}: {count:,} of {len(frame):,} row(s) have missing values, in column(s) "
                           f"{columns}; fill them in, or drop those rows (drop_missing)")
    return frame[~rows], [f"{plural(count, 'row')} with missing values {'was' if count == 1 else 'were'} "
                          f"dropped (in column(s) {columns})"]


def _encoded(source: str, features: pd.DataFrame) -> tuple[tuple[str, ...], np.ndarray, list[str]]:
    """The feature columns as names and an (m, n_features) float array, each text column of at
    most ``MAX_CATEGORIES`` values one-hot encoded in its place (``column=value``, values in
    sorted order) with a note saying so; a DatasetError names text columns of more values."""
    text = {column: features[column].map(str) for column in features.columns if not _numbers(features[column])}
    many = {column: cells.nunique() for column, cells in text.items() if cells.nunique() > MAX_CATEGORIES}
    if many:
        counts = ", ".join(f"{count:,}" for count in many.values())
        raise DatasetError(f"{source}: feature column(s) {_names(many)} hold text of more than {MAX_CATEGORIES} "
                           f"distinct values ({counts}); convert them to numbers or leave them out (text of at "
                           f"most {MAX_CATEGORIES} values is one-hot encoded)")
    names, columns, notes = [], [], []
    for column in features.columns:
        if column not in text:
            names.append(str(column))
            columns.append(features[column].to_numpy(dtype=np.float64))
            continue
        values = sorted(text[column].unique())
        encoded = [f"{column}={value}" for value in values]
        names += encoded
        columns += [(text[column] == value).to_numpy(dtype=np.float64) for value in values]
        shown = ", ".join(encoded[:3]) + (", ..." if len(encoded) > 3 else "")
        notes.append(f"{column} was one-hot encoded into {plural(len(values), 'column')} ({shown})")
    return tuple(names), np.column_stack(columns), notes


def _numbers(column: pd.Series) -> bool:
    # A column of Python numbers in an object column is numbers too, as an analyst would expect.
    return (pd.api.types.is_numeric_dtype(column)
            or pd.api.types.infer_dtype(column, skipna=True) in ("integer", "floating", "mixed-integer-float"))


def _default_feature_names(n: int) -> tuple[str, ...]:
    return tuple(f"x{j + 1}" for j in range(n))


def _default_class_names(n: int) -> tuple[str, ...]:
    return tuple(str(code) for code in range(n))


def _free_column(wanted: str, taken) -> str:
    # A feature may be called y or split; the label and split columns then take another name.
    while wanted in taken:
        wanted += "_"
    return wanted


def _label_values(class_names) -> np.ndarray:
    """The class names as a frame writes them: numbers when all are (whole ones as integers)."""
    values = pd.to_numeric(pd.Series(class_names, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        return np.array(class_names, dtype=object)
    whole = np.all(values == np.round(values)) and np.abs(values).max() < 2**53
    return values.astype(np.int64) if whole else values


def _names(columns) -> str:
    shown = [str(column) for column in list(columns)[:10]]
    return ", ".join(shown) + (", ..." if len(columns) > 10 else "")


def _checked(source: str, field: str, value, name: str | None = None):
    """``value`` checked against ``limits.RANGES[field]``, or a DatasetError naming ``source``."""
    try:
        return limits.check(field, value, name=name)
    except ValueError as error:
        raise DatasetError(f"{source}: {error}") from None


def _shown_label(value) -> str:
    """A label as a message names it: text quoted, numbers as written (1, not 1.0)."""
    return repr(str(value)) if isinstance(value, str) else limits.format_number(float(value))


def _shown_labels(values) -> str:
    values = list(values)
    more = ", ..." if len(values) > SHOWN_LABELS else ""
    return ", ".join(_shown_label(value) for value in values[:SHOWN_LABELS]) + more


def _labels(source: str, words: str, Y: np.ndarray) -> np.ndarray:
    """One split's labels as float64 numbers or as text (str), or a DatasetError: missing,
    infinite, empty, or a mix of numbers and text."""
    def fail(problem):
        raise DatasetError(f"{source}: {words}labels {problem}")

    if Y.dtype.kind == "O":
        missing = pd.isna(Y)
        if missing.any():
            fail(f"are missing for {int(missing.sum()):,} point(s)")
        is_text = np.array([isinstance(value, str) for value in Y], dtype=bool)
        if is_text.all():
            Y = Y.astype(str)
        elif is_text.any():
            fail("mix numbers and text; give one kind")
        else:
            odd = [value for value in Y if not isinstance(value, numbers.Real)]
            if odd:
                fail(f"must be numbers or text, found {type(odd[0]).__name__}")
            Y = Y.astype(np.float64)
    if Y.dtype.kind in "biuf":
        Y = Y.astype(np.float64)
        if not np.isfinite(Y).all():
            fail("contain NaN or infinite values")
        return Y
    if Y.dtype.kind in "US":
        Y = Y.astype(str)
        empty = np.char.strip(Y) == ""
        if empty.any():
            fail(f"are empty for {int(empty.sum()):,} point(s)")
        return Y
    fail(f"must be numbers or text, got {Y.dtype}")


def _points(source: str, split: str | None, X, Y) -> tuple[np.ndarray, np.ndarray]:
    """One split's points as a float64 (m, n) copy and its labels (see ``_labels``), or a
    DatasetError naming ``split`` ("training", "test"; None for a table not yet split)."""
    words = f"{split} " if split else ""

    def fail(problem):
        raise DatasetError(f"{source}: {problem}")

    X, Y = np.asarray(X), np.asarray(Y)
    if X.dtype.kind not in "biuf":
        fail(f"{words}points must be numbers")
    if X.ndim != 2:
        fail(f"{words}points must have shape (m, n_features), one row per point, got {X.shape}")
    if Y.ndim == 2 and 1 in Y.shape:
        Y = Y.reshape(-1)
    if Y.ndim != 1 or Y.shape[0] != X.shape[0]:
        fail(f"{words}labels must be one per point ({X.shape[0]}), got shape {Y.shape}")
    X = X.astype(np.float64)
    if not np.isfinite(X).all():
        fail(f"{words}points contain {int(np.sum(~np.isfinite(X)))} NaN or infinite value(s)")
    if np.abs(X).max(initial=0) > MAX_ABS_COORDINATE:
        fail(f"{words}points must lie within ±{MAX_ABS_COORDINATE:g}, got {np.abs(X).max():g}")
    if X.shape[0] < MIN_SPLIT_POINTS:
        where = f"the {split} set" if split else "the table"
        fail(f"{where} has {X.shape[0]} point(s); at least {MIN_SPLIT_POINTS} are needed")
    return X, _labels(source, words, Y)


def _names_given(source: str, what: str, given, count: int | None) -> tuple[str, ...]:
    """``given`` as a tuple of distinct, non-empty names (``count`` of them when known)."""
    def fail(problem):
        raise DatasetError(f"{source}: {what} {problem}")

    if isinstance(given, str) or not isinstance(given, (list, tuple, pd.Index, np.ndarray)):
        fail(f"must be a list of names, got {given!r}")
    # numpy's and pandas' strings as plain ones, as they are shown and hashed.
    names = tuple(str(name) if isinstance(name, str) else name for name in given)
    if count is not None and len(names) != count:
        fail(f"must name each of the {count} features, got {len(names)} name(s)")
    for name in names:
        if not isinstance(name, str) or not name.strip():
            fail(f"must be non-empty text, got {name!r}")
    repeated = [name for name in dict.fromkeys(names) if names.count(name) > 1]
    if repeated:
        fail(f"must be distinct, got {repeated[0]!r} more than once")
    return names


def _classes(source: str, train_labels, test_labels, class_names):
    """Both splits' labels as codes, and the class names; or a DatasetError naming the labels
    that cannot be used."""
    def fail(problem):
        raise DatasetError(f"{source}: {problem}")

    if class_names is None:
        values = np.unique(train_labels)
        names = tuple(values.tolist()) if values.dtype.kind == "U" else tuple(
            limits.format_number(float(value)) for value in values)
        if len(names) < 2:
            fail(f"the training labels are all {_shown_label(values[0])}: at least two classes are needed")

        def codes(labels, split):
            if (labels.dtype.kind == "U") != (values.dtype.kind == "U"):
                return np.full(len(labels), -1)
            found = np.minimum(np.searchsorted(values, labels), len(values) - 1)
            return np.where(values[found] == labels, found, -1)
    else:
        names = _names_given(source, "class_names", class_names, None)

        def codes(labels, split):
            if labels.dtype.kind == "U":
                position = {name: code for code, name in enumerate(names)}
                unknown = np.unique([label for label in labels if label not in position])
                if unknown.size:
                    fail(f"{split} label(s) {_shown_labels(unknown)} are not among class_names {names}")
                return np.array([position[label] for label in labels], dtype=np.int64)
            unknown = np.unique(labels[(labels != np.round(labels)) | (labels < 0) | (labels >= len(names))])
            if unknown.size:
                fail(f"{split} labels must be class codes 0 to {len(names) - 1} (positions in class_names), "
                     f"found {_shown_labels(unknown)}")
            return labels.astype(np.int64)
    _checked(source, "n_classes", len(names), "the number of classes")
    train_Y = codes(train_labels, "training")
    if np.unique(train_Y).size < 2:
        fail(f"the training labels are all {names[train_Y[0]]!r}: at least two classes are needed")
    test_Y = codes(test_labels, "test")
    unseen = (test_Y < 0) | ~np.isin(test_Y, train_Y)
    if unseen.any():
        shown = (np.unique(test_labels[unseen]) if class_names is None
                 else [names[code] for code in np.unique(test_Y[unseen])])
        fail(f"test label(s) {_shown_labels(shown)} never appear among the training labels; "
             "a model cannot learn a class it never saw")
    return train_Y.astype(np.int64), test_Y.astype(np.int64), names


def _validated(source: str, train_X, train_Y, test_X, test_Y, feature_names, class_names) -> dict:
    """Every rule checked on one dataset's arrays: the read-only arrays and names to keep, or a
    DatasetError naming ``source`` and the problem."""
    train_X, train_labels = _points(source, "training", train_X, train_Y)
    test_X, test_labels = _points(source, "test", test_X, test_Y)
    n_features = train_X.shape[1]
    _checked(source, "n_features", n_features, "the number of features")
    if test_X.shape[1] != n_features:
        raise DatasetError(f"{source}: the test points have {test_X.shape[1]} feature(s) and the training "
                           f"points {n_features}; both need the same")
    total = train_X.shape[0] + test_X.shape[0]
    if total > MAX_POINTS:
        raise DatasetError(f"{source}: {total:,} points is more than the limit of {MAX_POINTS:,}")
    feature_names = (_default_feature_names(n_features) if feature_names is None
                     else _names_given(source, "feature_names", feature_names, n_features))
    train_Y, test_Y, class_names = _classes(source, train_labels, test_labels, class_names)
    distinct = np.unique(train_X, axis=0).shape[0]
    if distinct < MIN_SPLIT_POINTS:
        raise DatasetError(f"{source}: the training set has only {distinct} distinct point(s); "
                           f"at least {MIN_SPLIT_POINTS} are needed")
    for array in (train_X, train_Y, test_X, test_Y):
        array.setflags(write=False)
    return {"train_X": train_X, "train_Y": train_Y, "test_X": test_X, "test_Y": test_Y,
            "feature_names": feature_names, "class_names": class_names}


def _split_mask(source: str, column, values) -> np.ndarray:
    """Which rows a split column puts in the test set; a DatasetError names any other value."""
    split = pd.Series(values, dtype=object).astype(str).str.strip().str.lower()
    unknown = sorted(set(split) - {"train", "test"})
    if unknown:
        raise DatasetError(f"{source}: column {column} must be 'train' or 'test', found {unknown[0]!r}")
    return (split == "test").to_numpy()


def stratified_split(y, test_fraction: float, seed: int):
    """Boolean test mask with the same share of each label in both parts (seeded)."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        chosen = rng.permutation(members)[: int(round(test_fraction * len(members)))]
        test[chosen] = True
    return test


def holdout_mask(y, dev_fraction: float, seed) -> np.ndarray:
    """Which of the training points labelled ``y`` to hold out as a dev set (True): a seeded,
    stratified ``dev_fraction`` of them, leaving enough points of both labels to train on."""
    mask = stratified_split(y, dev_fraction, seed)
    m = len(mask)
    for part, size in (("dev", int(mask.sum())), ("remaining training", m - int(mask.sum()))):
        if size < MIN_SPLIT_POINTS:
            raise ValueError(f"dev_fraction {dev_fraction:g} leaves {size} {part} point(s) of {m}; "
                             f"at least {MIN_SPLIT_POINTS} are needed")
    if np.unique(y[~mask]).size < 2:
        raise ValueError(f"dev_fraction {dev_fraction:g} leaves one class only in the remaining training points")
    return mask


def subsample_mask(y, train_fraction: float, seed) -> np.ndarray:
    """Which of the training points labelled ``y`` to train on (True): a seeded, stratified
    ``train_fraction`` of them, enough of both labels to learn from."""
    mask = stratified_split(y, train_fraction, seed)
    if mask.sum() < MIN_SPLIT_POINTS or np.unique(y[mask]).size < 2:
        raise ValueError(f"train_fraction {train_fraction:g} keeps {int(mask.sum())} of {len(mask)} training points"
                         f"{'' if np.unique(y[mask]).size >= 2 else ', one class only'}; at least "
                         f"{MIN_SPLIT_POINTS}, of both labels, are needed")
    return mask


def _csv_frame(source: str, content: bytes) -> pd.DataFrame:
    """A CSV file's table: its header row as column names, each column numbers (float, NaN where
    missing) or text (None where missing); or a DatasetError for a file that is none."""
    try:
        # utf-8-sig drops a byte-order mark.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError(f"{source}: not a text file (cannot be read as UTF-8)") from None
    sample = text[:SNIFF_CHARACTERS].rsplit("\n", 1)[0] if len(text) > SNIFF_CHARACTERS else text
    try:
        # Only these separators: any character would do for the sniffer, even a letter of a
        # one-column file's header.
        separator = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        separator = ","
    try:
        # The header is read as a row, so that repeated and empty names reach the checks as written.
        raw = pd.read_csv(io.StringIO(text), sep=separator, header=None, dtype=str, skipinitialspace=True,
                          keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, TypeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DatasetError(f"{source}: not a readable CSV file ({first})") from None
    header = [str(name).strip() for name in raw.iloc[0].fillna("")]
    rows = raw.iloc[1:].reset_index(drop=True)
    if rows.empty:
        raise DatasetError(f"{source}: the file has a header but no rows")
    columns = [_csv_column(source, name, rows.iloc[:, position]) for position, name in enumerate(header)]
    return pd.concat(columns, axis=1).set_axis(header, axis=1)


def _csv_column(source: str, name: str, cells: pd.Series) -> pd.Series:
    """One CSV column as numbers when its values are (a few text cells among them are named as a
    mistake), else as text."""
    text = cells.fillna("").str.strip()
    missing = text.str.lower().isin(MISSING_TEXT)
    number = pd.to_numeric(text.where(~missing), errors="coerce")
    odd = number.isna() & ~missing
    if not odd.any():
        return number.astype(np.float64)
    if odd.sum() < number.notna().sum():
        row = int(np.flatnonzero(odd.to_numpy())[0])
        raise DatasetError(f"{source}: column {name}, data row {row + 1}: {text.iloc[row]!r} is not a number")
    return text.astype(object).where(~missing, None)


def _parquet_frame(source: str, content: bytes) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(content))
    except Exception as error:  # pyarrow raises many types for corrupt files; all mean the same here.
        raise DatasetError(f"{source}: not a readable Parquet file ({type(error).__name__})") from None


def _table_frame(source: str, content: bytes, suffix: str) -> pd.DataFrame:
    """A CSV or Parquet file's table, or a DatasetError: unreadable, no rows, a column unnamed."""
    frame = _csv_frame(source, content) if suffix == ".csv" else _parquet_frame(source, content)
    unnamed = [position + 1 for position, name in enumerate(frame.columns) if not str(name).strip()]
    if unnamed:
        raise DatasetError(f"{source}: column {unnamed[0]} has no name; the header row names every column")
    if len(frame) == 0:
        raise DatasetError(f"{source}: the file has columns but no rows")
    return frame


def _course_columns(frame: pd.DataFrame, label, split):
    """A table in the course's layout (columns x1, x2, y and optionally split, in any case and
    order, the label y) as the course's columns in their order; any other table as it is."""
    named = {str(column).strip().lower(): column for column in frame.columns}
    course = ["x1", "x2", "y", *([SPLIT_COLUMN] if SPLIT_COLUMN in named else [])]
    if (len(named) != len(frame.columns) or sorted(named) != sorted(course)
            or (label is not None and str(label).lower() != "y")
            or (split is not None and str(split).lower() != SPLIT_COLUMN)):
        return frame, label, split
    frame = frame[[named[column] for column in course]].set_axis(course, axis=1)
    return frame, "y", SPLIT_COLUMN if SPLIT_COLUMN in named else None


def _table_dataset(source: str, frame: pd.DataFrame, label, split, test_fraction, seed,
                   drop_missing) -> Dataset:
    frame, label, split = _course_columns(frame, label, split)
    if label is None:
        label = default_label(frame.columns)
    if split == NO_SPLIT:
        split = None
    elif split is None and default_split(frame.columns) != label:
        split = default_split(frame.columns)
    dataset = Dataset.from_frame(frame, label, split, test_fraction=test_fraction, seed=seed, name=source,
                                 drop_missing=drop_missing)
    return _with_default_scaling(dataset)


def course_layout(dataset: Dataset) -> bool:
    """Whether data has the course's layout: features x1 and x2, labels 0 and 1 (the football field,
    the synthetic sets, the course's file), where the course's views, wording and defaults hold."""
    return dataset.feature_names == ("x1", "x2") and dataset.class_names == ("0", "1")


def _with_default_scaling(dataset: Dataset) -> Dataset:
    """A file's dataset with its default ``standardize``: off in the course's layout, so that the
    course's file gives the published numbers, and on for every other table."""
    wanted = not course_layout(dataset)
    return dataset if dataset.standardize == wanted else replace(dataset, standardize=wanted)


def _parse_arrays(source: str, arrays) -> Dataset:
    missing = [key for key in ("X", "y", "Xval", "yval") if key not in arrays]
    if missing:
        found = ", ".join(sorted(k for k in arrays if not k.startswith("__"))) or "none"
        raise DatasetError(f"{source}: missing key(s) {', '.join(missing)} (found: {found}); "
                           "expected X, y, Xval, yval as in the course's data.mat")
    return _with_default_scaling(Dataset(source, arrays["X"], arrays["y"], arrays["Xval"], arrays["yval"]))


def _parse_mat(source: str, content: bytes) -> Dataset:
    if content[:4] == b"\x89HDF" or b"MATLAB 7.3" in content[:128]:
        raise DatasetError(f"{source}: MATLAB v7.3 (HDF5) files are not supported; "
                           "save with save(..., '-v7') instead")
    # Imported here: only .mat files need it, and it would slow every page's first start.
    import scipy.io

    try:
        arrays = scipy.io.loadmat(io.BytesIO(content))
    except Exception as error:  # scipy raises many types for corrupt files; all mean the same here.
        raise DatasetError(f"{source}: not a readable MATLAB file ({type(error).__name__})") from None
    return _parse_arrays(source, arrays)


def _parse_npz(source: str, content: bytes) -> Dataset:
    try:
        with np.load(io.BytesIO(content), allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as error:
        if "pickle" in str(error):
            raise DatasetError(f"{source}: holds pickled Python objects, which are never loaded; "
                               "store plain numeric arrays") from None
        raise DatasetError(f"{source}: not a readable .npz file ({error})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise DatasetError(f"{source}: not a readable .npz file ({type(error).__name__})") from None
    return _parse_arrays(source, arrays)


_ARRAY_PARSERS = {".mat": _parse_mat, ".npz": _parse_npz}


def _checked_file(content: bytes, source: str, suffix: str) -> str:
    """The file's type (its suffix in lower case), or a DatasetError: a type not read, no bytes."""
    suffix = suffix.lower()
    if suffix not in FILE_TYPES:
        raise DatasetError(f"{source}: unsupported file type {suffix or '(none)'!r}; "
                           f"use one of {', '.join(FILE_TYPES)}")
    if not content:
        raise DatasetError(f"{source}: the file is empty")
    return suffix


def _parse(content: bytes, source: str, suffix: str, label=None, split=None, test_fraction=TEST_FRACTION,
           seed=SPLIT_SEED, drop_missing=False) -> Dataset:
    suffix = _checked_file(content, source, suffix)
    if suffix in TABLE_TYPES:
        return _table_dataset(source, _table_frame(source, content, suffix), label, split, test_fraction, seed,
                              drop_missing)
    _no_columns(source, f"a {suffix} file holds the arrays X, y, Xval and yval", label, split)
    return _ARRAY_PARSERS[suffix](source, content)


def _no_columns(source: str, holds: str, label, split) -> None:
    """A DatasetError when a label or split column is named for data that has no columns."""
    named = [f"{role} {column!r}" for role, column in (("label", label), ("split", split)) if column is not None]
    if named:
        raise DatasetError(f"{source}: {holds}, not named columns, so {' and '.join(named)} cannot be "
                           "chosen; columns are chosen in CSV and Parquet files")


def _upload_name(filename) -> str:
    return Path(str(filename)).name or "upload"


def read_dataset(content: bytes, filename: str, *, label: str | None = None, split: str | None = None,
                 test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED,
                 drop_missing: bool = False) -> Dataset:
    """A dataset from a file's bytes; ``filename`` only chooses the format and names it in messages.

    A .csv or .parquet file is a table with a header row, read by ``Dataset.from_frame``: the
    label column is ``label`` (by default ``default_label``'s), the split column ``split`` (by
    default a column named split, if any; ``NO_SPLIT`` for none); without one a seeded, stratified
    ``test_fraction`` is held out.  A .mat or .npz file holds the course's arrays X, y, Xval and yval.
    """
    source = _upload_name(filename)
    return _parse(content, source, Path(source).suffix, label, split, test_fraction, seed, drop_missing)


def table_columns(content: bytes, filename: str) -> list[str]:
    """A CSV or Parquet file's column names, as its header row writes them, to choose the label
    from; [] for a .mat or .npz file, which has none.  A DatasetError for a file that cannot be read."""
    source = _upload_name(filename)
    suffix = _checked_file(content, source, Path(source).suffix)
    if suffix not in TABLE_TYPES:
        return []
    return [str(column) for column in _table_frame(source, content, suffix).columns]


def default_split(columns) -> str | None:
    """The column that splits a table into train and test rows: one named split (in any case)."""
    return next((column for column in columns if str(column).strip().lower() == SPLIT_COLUMN), None)


def default_label(columns) -> str:
    """The label column of a table when none is named: the first of y, label, target and class
    found (in any case), else the last column that is not the split column."""
    columns = list(columns)
    for wanted in LABEL_COLUMNS:
        for column in columns:
            if str(column).strip().lower() == wanted:
                return column
    rest = [column for column in columns if column != default_split(columns)]
    if not rest:
        raise DatasetError(f"a table needs a column other than {SPLIT_COLUMN} for its labels; the columns are "
                           f"{_names(columns) or 'none'}")
    return rest[-1]


def table_source(name: str) -> str | None:
    """Where a bundled real table comes from and its licence, in one line; None for other data."""
    return TABLE_SOURCES.get(name)


def _data_files() -> dict[str, Path]:
    if not DATA_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(DATA_DIR.iterdir()) if p.suffix.lower() in FILE_TYPES}


def list_datasets() -> list[str]:
    """Names ``load_dataset`` accepts: the built-in, the synthetic generators, files in data/
    (the bundled real tables among them)."""
    names = [BUILTIN, *SYNTHETIC]
    return names + [name for name in _data_files() if name not in names]


def parse_synthetic(name: str) -> tuple[str, dict] | None:
    """A synthetic set's name read, as ``make_dataset`` writes it and every surface gives it:
    "spiral" or "spiral:n_points=400,noise=0.2,seed=1" → ("spiral", {"n_points": 400, "noise":
    0.2, "seed": 1}), the options given only; None for a name that is no generator's.  A
    DatasetError names an option that cannot be read."""
    kind, _, args = str(name).partition(":")
    if kind.strip() not in SYNTHETIC:
        return None
    options = {}
    for item in filter(None, (part.strip() for part in args.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in ("n_points", "noise", "seed"):
            raise DatasetError(f"{name}: options are n_points=, noise= and seed=, got {item!r}")
        try:
            options[key] = float(value) if key == "noise" else int(value)
        except ValueError:
            raise DatasetError(f"{name}: {key} must be a number, got {value.strip()!r}") from None
    return kind.strip(), options


def load_dataset(name_or_path, *, label: str | None = None, split: str | None = None,
                 test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED, drop_missing: bool = False) -> Dataset:
    """A dataset by name (see ``list_datasets``; synthetic ones take options, e.g.
    ``"moons:n_points=300,noise=0.2,seed=1"``) or by a path to a .csv, .parquet, .mat or .npz
    file; the options read a table as ``read_dataset`` does."""
    text = str(name_or_path)
    synthetic = parse_synthetic(text)
    if synthetic is not None or text == BUILTIN:
        _no_columns(text, "the built-in and generated sets are points", label, split)
    if synthetic is not None:
        kind, options = synthetic
        return make_dataset(kind, **options)
    files = _data_files()
    if text in files:
        path = files[text]
    elif text == BUILTIN:
        # An installed package has no data/ folder: the seeded generator makes the same points
        # (make-football writes data/football.csv from it, byte for byte).
        return make_football()
    else:
        path = Path(text)
        if not path.exists() and Path(text).name == text and Path(text).suffix == "":
            raise DatasetError(f"{text}: no such dataset; available: {', '.join(list_datasets())}")
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path}: is a folder, not a data file") from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot be read ({error.strerror})") from None
    source = path.stem if path.parent == DATA_DIR else str(path)
    return _parse(content, source, path.suffix, label, split, test_fraction, seed, drop_missing)


# ---------------------------------------------------------------------------------------------
# Generators


def _check_generator_options(kind: str, n_points, noise, seed) -> None:
    # The pages' limits (limits.RANGES), so that a set the command line makes opens on the page too.
    for field, name, value in (("n_points", "n_points", n_points), ("noise", "noise", noise), ("data_seed", "seed", seed)):
        _checked(kind, field, value, name)


def _circle(rng, n):
    # Label 1 inside radius 0.5, 0 in the ring out to 1: needs a closed, curved boundary.
    radius = np.where(np.arange(n) % 2 == 0, rng.uniform(0, 0.4, n), rng.uniform(0.6, 1.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return X, (radius < 0.5).astype(np.int64)


def _xor(rng, n):
    # Opposite quadrants share a label; the margin keeps points off the axes.
    y = np.arange(n) % 2
    sign1 = rng.choice([-1.0, 1.0], n)
    sign2 = np.where(y == 1, sign1, -sign1)
    X = rng.uniform(0.05, 1.0, (n, 2)) * np.column_stack([sign1, sign2])
    return X, y.astype(np.int64)


def _gaussian(rng, n):
    y = np.arange(n) % 2
    centers = np.where(y[:, None] == 1, [-0.4, 0.4], [0.4, -0.4])
    return centers + rng.normal(0, 0.25, (n, 2)), y.astype(np.int64)


def _spiral(rng, n):
    # Two interleaved arms; t is the position along an arm.
    y = np.arange(n) % 2
    t = rng.uniform(0, 1, n)
    angle = 1.75 * t * 2 * np.pi + np.pi * y
    X = np.column_stack([t * np.sin(angle), t * np.cos(angle)])
    return X, y.astype(np.int64)


def _moons(rng, n):
    y = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where(y[:, None] == 1, upper, lower)
    # Centre and scale to about [-1, 1] like every other field.
    return (X - [0.5, 0.25]) / 1.5, y.astype(np.int64)


_GENERATORS = {"circle": _circle, "xor": _xor, "gaussian": _gaussian, "spiral": _spiral, "moons": _moons}


def make_dataset(kind: str, n_points: int = 400, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A synthetic field in about [-1, 1]², like TensorFlow Playground's.

    ``n_points`` are split evenly (stratified) into train and test; ``noise`` is the standard
    deviation of Gaussian jitter added to every coordinate after labelling, so with more noise
    the classes overlap and there is more to overfit.
    """
    if kind not in _GENERATORS:
        raise DatasetError(f"{kind}: no such generator; choose one of {', '.join(SYNTHETIC)}")
    _check_generator_options(kind, n_points, noise, seed)
    rng = np.random.default_rng(seed)
    X, y = _GENERATORS[kind](rng, int(n_points))
    X = X + rng.normal(0, noise, X.shape)
    test = stratified_split(y, 0.5, seed)
    name = f"{kind}:n_points={int(n_points)},noise={float(noise):g},seed={int(seed)}"
    return Dataset(name, X[~test], y[~test], X[test], y[test])


# The built-in field: a header after the goalkeeper's kick, 1 = a French player won it.
FOOTBALL_SEED = 2112
FOOTBALL_TRAIN, FOOTBALL_TEST = 211, 200
# Tuned so the unregularized network overfits and both regularizers help (docs/data.md):
FOOTBALL_FUZZ = 0.04     # width of the contested band along the boundary
FOOTBALL_UPSETS = 0.09   # share of headers won against the odds, anywhere on the field
FOOTBALL_CURVE = 0.1     # how far the boundary bends away from a straight diagonal


def _football_points(rng, n):
    """Where headers land: a cloud around the penalty area, kept inside the field's box."""
    centre = np.array([-0.17, -0.08])
    low, high = np.array([-0.75, -0.8]), np.array([0.4, 0.65])
    points = np.empty((0, 2))
    while len(points) < n:
        draw = centre + rng.normal(0, 1, (n, 2)) @ np.array([[0.21, 0.0], [0.0, 0.30]])
        points = np.vstack([points, draw[np.all((draw > low) & (draw < high), axis=1)]])
    return points[:n]


def _football_boundary(X):
    """Signed distance-like score: > 0 on the French side (upper left), with a curve in it."""
    x1, x2 = X[:, 0], X[:, 1]
    return (x2 - 0.9 * x1 - 0.07) + FOOTBALL_CURVE * np.sin(5.0 * x1 + 1.0) * np.exp(-2.0 * x2**2)


def make_football(seed: int = FOOTBALL_SEED) -> Dataset:
    """The built-in dataset, regenerated byte-identically by ``python -m nnreg make-football``.

    Labels follow a curved diagonal boundary, with headers near it contested (a smooth chance
    of either side winning) and a few far from it won against the odds: the label noise that
    an unregularized network learns by heart and a regularized one ignores.
    """
    rng = np.random.default_rng(seed)
    n = FOOTBALL_TRAIN + FOOTBALL_TEST
    X = _football_points(rng, n)
    score = _football_boundary(X)
    # A logistic chance of a French win: sharp far from the boundary, a coin toss on it.
    p_french = 1 / (1 + np.exp(-score / FOOTBALL_FUZZ))
    y = (rng.uniform(0, 1, n) < p_french).astype(np.int64)
    upset = rng.uniform(0, 1, n) < FOOTBALL_UPSETS
    y = np.where(upset, 1 - y, y)
    X = np.round(X, 6)
    return Dataset(BUILTIN, X[:FOOTBALL_TRAIN], y[:FOOTBALL_TRAIN],
                   X[FOOTBALL_TRAIN:], y[FOOTBALL_TRAIN:])


def write_csv(dataset: Dataset, path) -> None:
    """Write the CSV layout (``Dataset.to_frame``) with fixed formatting, so output is byte-stable."""
    Path(path).write_bytes(csv_text(dataset.to_frame(), float_format="%.6f").encode())
