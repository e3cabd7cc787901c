"""Datasets: the built-in football field, synthetic generators, validated file loaders, and
``Dataset.from_arrays`` and ``Dataset.from_frame`` for an analyst's own table.

A dataset is two labelled point sets (examples as rows) of any number of features and classes.
Every route in, the constructor included, runs the same checks and raises ``DatasetError``
naming the source and the problem; nothing is half-loaded.  Files are read from bytes in
memory, so an upload's name is only ever used for its extension and in messages, never as a
path; the file formats still take the course's layout only (``check_course_layout``).
"""

from __future__ import annotations

import hashlib
import io
import json
import numbers
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import limits
from .report.formatting import csv_text

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUILTIN = "football"
FILE_TYPES = (".csv", ".mat", ".npz")
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
    """

    name: str
    train_X: np.ndarray
    train_Y: np.ndarray
    test_X: np.ndarray
    test_Y: np.ndarray
    feature_names: tuple[str, ...] | None = None
    class_names: tuple[str, ...] | None = None

    def __post_init__(self):
        checked = _validated(str(self.name), self.train_X, self.train_Y, self.test_X, self.test_Y,
                             self.feature_names, self.class_names)
        for field, value in checked.items():
            object.__setattr__(self, field, value)

    @classmethod
    def from_arrays(cls, X, y, X_test=None, y_test=None, *, test_fraction: float = TEST_FRACTION,
                    seed: int = SPLIT_SEED, name: str = "arrays", feature_names=None,
                    class_names=None) -> Dataset:
        """A dataset from points ``X`` (m, n_features) and their labels ``y`` (numbers or text).

        Without ``X_test`` and ``y_test``, a seeded, stratified ``test_fraction`` of the points is
        held out as the test set: the same share of each class, the same points for the same seed.
        """
        if (X_test is None) != (y_test is None):
            raise DatasetError(f"{name}: X_test and y_test go together; give both or neither")
        if X_test is None:
            test_fraction = _checked(name, "test_fraction", test_fraction)
            seed = _checked(name, "data_seed", seed, "seed")
            X, y = _points(name, None, X, y)
            test = stratified_split(y, test_fraction, seed)
            X, y, X_test, y_test = X[~test], y[~test], X[test], y[test]
        return cls(name, X, y, X_test, y_test, feature_names, class_names)

    @classmethod
    def from_frame(cls, frame, label, split=None, *, test_fraction: float = TEST_FRACTION,
                   seed: int = SPLIT_SEED, name: str = "frame") -> Dataset:
        """A dataset from a pandas DataFrame: the column ``label`` holds the labels (numbers or
        text), the column ``split`` (if given) says 'train' or 'test' for each row, and every other
        column is a feature, named after it.  Without ``split``, as ``from_arrays`` does."""
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
        used = frame[[*features, label] + ([split] if split is not None else [])]
        missing = used.isna()
        if missing.to_numpy().any():
            rows = int(missing.any(axis=1).sum())
            raise DatasetError(f"{name}: {rows:,} row(s) have missing values, in column(s) "
                               f"{_names(used.columns[missing.any(axis=0)])}; drop or fill them first")
        text = [column for column in features if not pd.api.types.is_numeric_dtype(frame[column])]
        if text:
            raise DatasetError(f"{name}: feature column(s) {_names(text)} are not numbers; "
                               "convert them to numbers or leave them out")
        X = frame[features].to_numpy(dtype=np.float64)
        y = frame[label].to_numpy()
        feature_names = tuple(str(column) for column in features)
        if split is None:
            return cls.from_arrays(X, y, test_fraction=test_fraction, seed=seed, name=name,
                                   feature_names=feature_names)
        test = _split_mask(name, split, frame[split])
        return cls(name, X[~test], y[~test], X[test], y[test], feature_names)

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


def check_course_layout(source: str, X, Y, split: str = "training") -> None:
    """Refuse, in their own words, what the file formats (and so the page and the command line,
    which read them) do not take yet: points of other than two features, x1 and x2, and labels
    other than 0 and 1.  The one home of that rule; every other check is ``Dataset``'s."""
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 2 or X.shape[1] != 2:
        extra = " (the network takes exactly two features, x1 and x2)" if X.ndim == 2 and X.shape[1] > 2 else ""
        raise DatasetError(f"{source}: {split} points must have shape (m, 2), got {X.shape}{extra}")
    if Y.dtype.kind not in "biuf":
        raise DatasetError(f"{source}: {split} points and labels must be numbers")
    values = Y.astype(np.float64).reshape(-1)
    # NaN and infinite labels are left to Dataset, which names them as such.
    bad = np.unique(values[np.isfinite(values) & (values != 0) & (values != 1)])
    if bad.size:
        raise DatasetError(f"{source}: {split} labels must be 0 or 1, found {_shown_labels(bad)}")


def _course_file(source: str, train_X, train_Y, test_X, test_Y) -> Dataset:
    for split, X, Y in (("training", train_X, train_Y), ("test", test_X, test_Y)):
        check_course_layout(source, X, Y, split)
    return Dataset(source, train_X, train_Y, test_X, test_Y)


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


def _parse_csv(source: str, content: bytes) -> Dataset:
    try:
        # utf-8-sig drops a byte-order mark; the sniffing parser accepts ',' ';' or tab separators.
        frame = pd.read_csv(io.BytesIO(content), sep=None, engine="python", encoding="utf-8-sig",
                            dtype=str, skipinitialspace=True, keep_default_na=False)
    except UnicodeDecodeError:
        raise DatasetError(f"{source}: not a text file (cannot be read as UTF-8)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, TypeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DatasetError(f"{source}: not a readable CSV file ({first})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("x1", "x2", "y") if c not in frame.columns]
    if missing:
        found = ", ".join(frame.columns[:6]) or "none"
        raise DatasetError(f"{source}: missing column(s) {', '.join(missing)} (found: {found}); "
                           "expected x1, x2, y and optionally split")
    extra = [c for c in frame.columns if c not in ("x1", "x2", "y", "split")]
    if extra:
        raise DatasetError(f"{source}: unexpected column(s) {', '.join(extra[:5])}: the network takes "
                           "exactly two features, x1 and x2 (with y and optionally split)")
    values = {}
    for column in ("x1", "x2", "y"):
        text = frame[column].fillna("").str.strip()
        number = pd.to_numeric(text, errors="coerce")
        # "nan" parses as a number; it is rejected with the other non-finite values later.
        bad = number.isna() & ~text.str.lower().isin(["nan"])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            problem = "empty" if text.iloc[row] == "" else f"{text.iloc[row]!r} is not a number"
            raise DatasetError(f"{source}: column {column}, data row {row + 1}: {problem}")
        values[column] = number.to_numpy(dtype=np.float64)
    if len(frame) == 0:
        raise DatasetError(f"{source}: the file has a header but no rows")
    X = np.column_stack([values["x1"], values["x2"]])
    y = values["y"]
    if "split" in frame.columns:
        test = _split_mask(source, "split", frame["split"])
    else:
        test = stratified_split(y, TEST_FRACTION, SPLIT_SEED)
    return _course_file(source, X[~test], y[~test], X[test], y[test])


def _parse_arrays(source: str, arrays) -> Dataset:
    missing = [key for key in ("X", "y", "Xval", "yval") if key not in arrays]
    if missing:
        found = ", ".join(sorted(k for k in arrays if not k.startswith("__"))) or "none"
        raise DatasetError(f"{source}: missing key(s) {', '.join(missing)} (found: {found}); "
                           "expected X, y, Xval, yval as in the course's data.mat")
    return _course_file(source, arrays["X"], arrays["y"], arrays["Xval"], arrays["yval"])


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


_PARSERS = {".csv": _parse_csv, ".mat": _parse_mat, ".npz": _parse_npz}


def _parse(content: bytes, source: str, suffix: str) -> Dataset:
    suffix = suffix.lower()
    if suffix not in _PARSERS:
        raise DatasetError(f"{source}: unsupported file type {suffix or '(none)'!r}; "
                           f"use one of {', '.join(FILE_TYPES)}")
    if not content:
        raise DatasetError(f"{source}: the file is empty")
    return _PARSERS[suffix](source, content)


def read_dataset(content: bytes, filename: str) -> Dataset:
    """A dataset from a file's bytes; ``filename`` only chooses the format and names it in messages."""
    source = Path(str(filename)).name or "upload"
    return _parse(content, source, Path(source).suffix)


def _data_files() -> dict[str, Path]:
    if not DATA_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(DATA_DIR.iterdir()) if p.suffix.lower() in FILE_TYPES}


def list_datasets() -> list[str]:
    """Names ``load_dataset`` accepts: the built-in, the synthetic generators, files in data/."""
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


def load_dataset(name_or_path) -> Dataset:
    """A dataset by name (see ``list_datasets``; synthetic ones take options, e.g.
    ``"moons:n_points=300,noise=0.2,seed=1"``) or by a path to a .csv, .mat or .npz file."""
    text = str(name_or_path)
    synthetic = parse_synthetic(text)
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
    return _parse(content, source, path.suffix)


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
