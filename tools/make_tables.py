"""Write the bundled real tables in data/ from scikit-learn's copies: ``python -m tools.make_tables``.

Each table keeps the original feature names, names its classes in text and has a split column
holding out a seeded, stratified 30 % as the test set (``nnreg.data.stratified_split``, as a
table without a split column would be split), so that every surface tests on the same points.
Where each table comes from and its licence: ``nnreg.data.TABLE_SOURCES``.  scikit-learn is needed
here and in the tests that check these files, never by the package.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets

from nnreg import data
from nnreg.report.formatting import csv_text

# name: (scikit-learn's loader, the label column, the class names by scikit-learn's codes)
TABLES = {
    "breast_cancer": (datasets.load_breast_cancer, "diagnosis", ("malignant", "benign")),
    "iris": (datasets.load_iris, "species", ("setosa", "versicolor", "virginica")),
    # UCI numbers the three cultivars 1 to 3; scikit-learn names them class_0 to class_2.
    "wine": (datasets.load_wine, "cultivar", ("cultivar 1", "cultivar 2", "cultivar 3")),
}


def table(name: str) -> pd.DataFrame:
    """One bundled table as written: the features by their original names, the label in text, the split."""
    load, label, class_names = TABLES[name]
    bunch = load()
    labels = np.array(class_names)[bunch.target]
    test = data.stratified_split(labels, data.TEST_FRACTION, data.SPLIT_SEED)
    frame = pd.DataFrame(bunch.data, columns=list(bunch.feature_names))
    return frame.assign(**{label: labels, data.SPLIT_COLUMN: np.where(test, "test", "train")})


def write_tables(folder: Path) -> list[Path]:
    written = []
    for name in TABLES:
        path = folder / f"{name}.csv"
        # Python's shortest repr of each float: the file reads back to scikit-learn's values exactly.
        path.write_bytes(csv_text(table(name)).encode())
        written.append(path)
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Write the bundled real tables from scikit-learn's copies.")
    parser.add_argument("--out", type=Path, default=data.DATA_DIR, help="the folder to write them to")
    for path in write_tables(parser.parse_args(argv).out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
