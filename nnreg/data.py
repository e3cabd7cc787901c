"""Datasets: the built-in football field, synthetic generators, and validated file loaders.

Every dataset is two labelled point sets on a 2D field (examples as rows).  Files are read
from bytes in memory, so an upload's name is only ever used for its extension and in messages,
never as a path.  A bad file raises ``DatasetError`` naming the file and the problem; nothing
is half-loaded.
"""

from __future__ import annotations

import hashlib
import io
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
CSV_TEST_FRACTION = 0.3
CSV_SPLIT_SEED = 0


class DatasetError(ValueError):
    """A dataset that cannot be used, with a message naming the source and the problem."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test points (x1, x2) as (m, 2) float arrays and 0/1 labels as (m,) int arrays."""

    name: str
    train_X: np.ndarray
    train_Y: np.ndarray
    test_X: np.ndarray
    test_Y: np.ndarray

    @property
    def fingerprint(self) -> str:
        """A hash of the content only, so a renamed copy of the same data is the same dataset."""
        digest = hashlib.sha256()
        for array in (self.train_X, self.train_Y, self.test_X, self.test_Y):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]

    def to_frame(self) -> pd.DataFrame:
        """One row per point: x1, x2, y, split ('train' or 'test'); the CSV layout."""
        parts = []
        for split, X, Y in (("train", self.train_X, self.train_Y), ("test", self.test_X, self.test_Y)):
            parts.append(pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": Y, "split": split}))
        return pd.concat(parts, ignore_index=True)


def _validated(source: str, train_X, train_Y, test_X, test_Y) -> Dataset:
    """Check every rule on already-parsed arrays and build the dataset, or raise DatasetError."""
    def fail(problem):
        raise DatasetError(f"{source}: {problem}")

    arrays = {}
    for split, X, Y in (("training", train_X, train_Y), ("test", test_X, test_Y)):
        X, Y = np.asarray(X), np.asarray(Y)
        if X.dtype.kind not in "biuf" or Y.dtype.kind not in "biuf":
            fail(f"{split} points and labels must be numbers")
        if X.ndim != 2 or X.shape[1] != 2:
            extra = " (the network takes exactly two features, x1 and x2)" if X.ndim == 2 and X.shape[1] > 2 else ""
            fail(f"{split} points must have shape (m, 2), got {X.shape}{extra}")
        if Y.ndim == 2 and 1 in Y.shape:
            Y = Y.reshape(-1)
        if Y.ndim != 1 or Y.shape[0] != X.shape[0]:
            fail(f"{split} labels must be one per point ({X.shape[0]}), got shape {Y.shape}")
        X, Y = X.astype(np.float64), Y.astype(np.float64)
        if not np.isfinite(X).all():
            fail(f"{split} points contain {int(np.sum(~np.isfinite(X)))} NaN or infinite value(s)")
        if not np.isfinite(Y).all():
            fail(f"{split} labels contain NaN or infinite values")
        if np.abs(X).max(initial=0) > MAX_ABS_COORDINATE:
            fail(f"{split} points must lie within ±{MAX_ABS_COORDINATE:g}, got {np.abs(X).max():g}")
        bad = np.unique(Y[(Y != 0) & (Y != 1)])
        if bad.size:
            shown = ", ".join(f"{v:g}" for v in bad[:5])
            fail(f"{split} labels must be 0 or 1, found {shown}")
        if X.shape[0] < MIN_SPLIT_POINTS:
            fail(f"the {split} set has {X.shape[0]} point(s); at least {MIN_SPLIT_POINTS} are needed")
        arrays[split] = (X, Y.astype(np.int64))
    total = arrays["training"][0].shape[0] + arrays["test"][0].shape[0]
    if total > MAX_POINTS:
        fail(f"{total:,} points is more than the limit of {MAX_POINTS:,}")
    train_X, train_Y = arrays["training"]
    if np.unique(train_Y).size < 2:
        fail(f"the training labels are all {int(train_Y[0])}: both classes (0 and 1) are needed")
    distinct = np.unique(train_X, axis=0).shape[0]
    if distinct < MIN_SPLIT_POINTS:
        fail(f"the training set has only {distinct} distinct point(s); at least {MIN_SPLIT_POINTS} are needed")
    test_X, test_Y = arrays["test"]
    for array in (train_X, train_Y, test_X, test_Y):
        array.setflags(write=False)
    return Dataset(source, train_X, train_Y, test_X, test_Y)


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
                         f"{'' if np.unique(y[mask]).size == 2 else ', one class only'}; at least "
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
        split = frame["split"].fillna("").str.strip().str.lower()
        unknown = sorted(set(split) - {"train", "test"})
        if unknown:
            raise DatasetError(f"{source}: column split must be 'train' or 'test', found {unknown[0]!r}")
        test = (split == "test").to_numpy()
    else:
        if not np.isfinite(y).all() or not np.isin(y, (0, 1)).all():
            # Validate the labels before they are used to stratify.
            return _validated(source, X, y, X[:0], y[:0])
        test = stratified_split(y, CSV_TEST_FRACTION, CSV_SPLIT_SEED)
    return _validated(source, X[~test], y[~test], X[test], y[test])


def _parse_arrays(source: str, arrays) -> Dataset:
    missing = [key for key in ("X", "y", "Xval", "yval") if key not in arrays]
    if missing:
        found = ", ".join(sorted(k for k in arrays if not k.startswith("__"))) or "none"
        raise DatasetError(f"{source}: missing key(s) {', '.join(missing)} (found: {found}); "
                           "expected X, y, Xval, yval as in the course's data.mat")
    return _validated(source, arrays["X"], arrays["y"], arrays["Xval"], arrays["yval"])


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
        try:
            limits.check(field, value, name=name)
        except ValueError as error:
            raise DatasetError(f"{kind}: {error}") from None


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
    return _validated(name, X[~test], y[~test], X[test], y[test])


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
    return _validated(BUILTIN, X[:FOOTBALL_TRAIN], y[:FOOTBALL_TRAIN],
                      X[FOOTBALL_TRAIN:], y[FOOTBALL_TRAIN:])


def write_csv(dataset: Dataset, path) -> None:
    """Write the CSV layout (x1, x2, y, split) with fixed formatting, so output is byte-stable."""
    Path(path).write_bytes(csv_text(dataset.to_frame(), float_format="%.6f").encode())
