"""The catalog of malformed inputs: files (CSV, Parquet, .mat, .npz and others), settings and link
values that nnreg must refuse clearly.

Shared by the tests of the loaders (tests/unit/test_data.py) and of every surface that takes input
(tests/pages/test_bad_input.py: the library, the command line and the dashboard).
"""

import io
import zipfile

import numpy as np
import pandas as pd
import scipy.io


def course_like(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (m, 2))
    y = (X[:, 1] > X[:, 0]).astype(np.uint8).reshape(-1, 1)
    return {"X": X, "y": y, "Xval": X[: m // 2] + 0.01, "yval": y[: m // 2]}


def mat_bytes(arrays):
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, arrays)
    return buffer.getvalue()


def npz_bytes(arrays, **options):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **options)
    return buffer.getvalue()


def parquet_bytes(frame):
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def named_table(m=60, seed=0, **columns):
    """A table of named columns as an analyst has it: two measurements, any ``columns`` (or
    replacements of those two), and last its text label, kind."""
    rng = np.random.default_rng(seed)
    features = {"height": rng.uniform(1, 2, m), "weight": rng.uniform(50, 90, m), **columns}
    return pd.DataFrame({**features, "kind": np.array(["oak", "elm", "ash"])[np.arange(m) % 3]})


def csv_bytes(rows, header="x1,x2,y"):
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def grid_rows(n=30, label=lambda i: i % 2, split=None):
    rows = []
    for i in range(n):
        row = f"{i / n:.3f},{(i * 7 % n) / n:.3f},{label(i)}"
        rows.append(row + (f",{split(i)}" if split else ""))
    return rows


def _pickled_npz():
    arrays = course_like()
    arrays["X"] = np.array([object()] * 3, dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _zip_without_arrays():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("X.npy", b"not an array")
    return buffer.getvalue()


BAD_FILES = [
    ("nothing.csv", b"", "the file is empty"),
    ("junk.csv", bytes(range(256)) * 4, "not a text file"),
    ("junk.mat", b"\x00\x01garbage" * 50, "not a readable MATLAB file"),
    ("junk.npz", b"PK\x03\x04broken", "not a readable .npz file"),
    ("bad.npz", _zip_without_arrays(), "missing key(s) y, Xval, yval (found: X)"),
    ("field.txt", b"x1,x2,y\n1,2,0\n", "unsupported file type '.txt'"),
    ("noext", b"x1,x2,y\n", "unsupported file type '(none)'"),
    ("text.csv", csv_bytes(grid_rows() + ["0.1,abc,1"]), "column x2, data row 31: 'abc' is not a number"),
    ("empty.csv", csv_bytes(grid_rows() + ["0.1,,1"]), "1 of 31 row(s) have missing values, in column(s) x2"),
    ("nan.csv", csv_bytes(grid_rows() + ["nan,0.2,1", "NA,0.3,0"]),
     "2 of 32 row(s) have missing values, in column(s) x1"),
    ("inf.csv", csv_bytes(grid_rows() + ["inf,0.2,1"]), "NaN or infinite"),
    ("huge.csv", csv_bytes(grid_rows() + ["1e300,0.2,1"]), "within ±1e+06"),
    ("names.csv", named_table(name=[f"tree {i}" for i in range(60)]).to_csv(index=False).encode(),
     "feature column(s) name hold text of more than 20 distinct values (60)"),
    ("classes.csv", csv_bytes(grid_rows(63, label=lambda i: i % 21)),
     "the number of classes must be a whole number from 2 to 20, got 21"),
    ("repeated.csv", csv_bytes(grid_rows(), "x1,x1,y"), "column(s) x1 appear more than once"),
    ("unnamed.csv", csv_bytes(grid_rows(), "x1,,y"), "column 2 has no name"),
    ("label.csv", csv_bytes([str(i % 2) for i in range(30)], "y"), "no feature columns"),
    ("ragged.csv", csv_bytes(grid_rows() + ["0.1,0.2,1,7"]), "not a readable CSV file"),
    ("oneclass.csv", csv_bytes(grid_rows(40, label=lambda i: 1)), "the training labels are all 1"),
    ("few.csv", csv_bytes(grid_rows(12)), "at least 10 are needed"),
    ("dupes.csv", csv_bytes(["0.5,0.5,1", "0.5,0.5,0"] * 30), "only 1 distinct point"),
    ("header.csv", b"x1,x2,y\n", "header but no rows"),
    ("split.csv", csv_bytes(grid_rows(split=lambda i: "dev"), "x1,x2,y,split"), "split must be 'train' or 'test'"),
    ("junk.parquet", b"PAR1" + b"\x00garbage" * 50 + b"PAR1", "not a readable Parquet file"),
    ("csv.parquet", csv_bytes(grid_rows()), "not a readable Parquet file"),
    ("missing.parquet", parquet_bytes(named_table(weight=np.where(np.arange(60) % 20 == 3, np.nan, 70.0))),
     "3 of 60 row(s) have missing values, in column(s) weight"),
    ("names.parquet", parquet_bytes(named_table(name=[f"tree {i}" for i in range(60)])),
     "feature column(s) name hold text of more than 20 distinct values (60)"),
    ("rows.parquet", parquet_bytes(named_table().iloc[:0]), "the file has columns but no rows"),
    ("label.parquet", parquet_bytes(named_table().assign(species="oak")),
     "the training labels are all 'oak'"),
    ("keys.mat", mat_bytes({"A": np.zeros((3, 2))}), "missing key(s) X, y, Xval, yval"),
    ("shape.mat", mat_bytes(dict(course_like(), X=np.zeros((40, 3)))),
     "the test points have 2 feature(s) and the training points 3"),
    ("ylen.mat", mat_bytes(dict(course_like(), y=np.zeros((39, 1)))), "one per point (40)"),
    ("v73.mat", b"\x89HDF\r\n\x1a\n" + b"\x00" * 600, "MATLAB v7.3 (HDF5)"),
    ("pickle.npz", _pickled_npz(), "pickled Python objects"),
    ("text.npz", npz_bytes(dict(course_like(), Xval=course_like()["Xval"].astype(str))), "test points must be numbers"),
    ("classes.npz", npz_bytes(dict(course_like(), yval=course_like()["yval"] + 2)),
     "test label(s) 2, 3 never appear among the training labels"),
    ("big.npz", npz_bytes(dict(course_like(), X=np.random.default_rng(0).uniform(size=(100_001, 2)),
                                y=np.arange(100_001) % 2)), "more than the limit of 100,000"),
]




# Settings a user can type: (field, value for nnreg.Settings, the same as text for the command
# line and the link, words the message must contain).  The command line takes them through
# `sweep` (the command with a flag for each), the dashboard through its link.
BAD_SETTINGS = [
    ("keep_prob", 0.0, "0", "keep_prob must be a number from 0.05 to 1, got 0"),
    ("keep_prob", 0.01, "0.01", "keep_prob must be a number from 0.05 to 1, got 0.01"),
    ("keep_prob", -0.5, "-0.5", "keep_prob must be a number from 0.05 to 1, got -0.5"),
    ("keep_prob", 1.5, "1.5", "keep_prob must be a number from 0.05 to 1, got 1.5"),
    ("keep_prob", float("nan"), "nan", "keep_prob must be a number from 0.05 to 1, got nan"),
    ("lambd", -1.0, "-1", "lambd must be a number from 0 to 1,000, got -1"),
    ("lambd", float("nan"), "nan", "lambd must be a number from 0 to 1,000, got nan"),
    ("lambd", float("inf"), "inf", "lambd must be a number from 0 to 1,000, got inf"),
    ("learning_rate", 0.0, "0", "learning_rate must be a number from 0.001 to 100, got 0"),
    ("learning_rate", -0.1, "-0.1", "learning_rate must be a number from 0.001 to 100, got -0.1"),
    ("learning_rate", 1e9, "1e9", "learning_rate must be a number from 0.001 to 100, got 1000000000"),
    ("num_iterations", 0, "0", "num_iterations must be a whole number from 1 to 100,000, got 0"),
    ("num_iterations", 10**7, "10000000", "num_iterations must be a whole number from 1 to 100,000, got 10000000"),
    ("layer_dims", (0,), "0", "layer_dims must be a whole number from 1 to 500, got 0"),
    ("layer_dims", (-3,), "-3", "layer_dims must be a whole number from 1 to 500, got -3"),
    ("layer_dims", (), "", "layer"),
    ("layer_dims", (10**6,), "1000000", "layer_dims must be a whole number from 1 to 500, got 1000000"),
    ("layer_dims", (20, 3.5), "20,3.5", "layer"),
    ("l1", -0.5, "-0.5", "l1 must be a number from 0 to 1,000, got -0.5"),
    ("l1", float("inf"), "inf", "l1 must be a number from 0 to 1,000, got inf"),
    ("train_fraction", 0.0, "0", "train_fraction must be a number from 0.05 to 1, got 0"),
    ("train_fraction", 1.5, "1.5", "train_fraction must be a number from 0.05 to 1, got 1.5"),
]

# Link values only the dashboard reads: (query parameter, value).
BAD_LINKS = [
    ("lambd", "garbage"),
    ("keep_prob", "5"),
    ("learning_rate", "1" * 5000),
    ("n_seeds", "1e400"),
    ("data", "<script>alert('x')</script>"),
    ("data", "../../../../etc/passwd"),
    ("layers", "<img src=x onerror=alert(1)>"),
    ("dropout_mask", "<b>bold</b>"),
    ("seed", "-5"),
    ("l1", "-1"),
    ("train_fraction", "0"),
    ("dev_fraction", "0.9"),
    ("stop_early", "maybe"),
    ("l1_model", "1"),
]
