import io
import zipfile

import numpy as np
import pytest
import scipy.io

import nnreg
from nnreg import data
from nnreg.data import DatasetError


def _course_like(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (m, 2))
    y = (X[:, 1] > X[:, 0]).astype(np.uint8).reshape(-1, 1)
    return {"X": X, "y": y, "Xval": X[: m // 2] + 0.01, "yval": y[: m // 2]}


def _mat_bytes(arrays):
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, arrays)
    return buffer.getvalue()


def _npz_bytes(arrays, **options):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **options)
    return buffer.getvalue()


def _csv(rows, header="x1,x2,y"):
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def _grid_rows(n=30, label=lambda i: i % 2, split=None):
    rows = []
    for i in range(n):
        row = f"{i / n:.3f},{(i * 7 % n) / n:.3f},{label(i)}"
        rows.append(row + (f",{split(i)}" if split else ""))
    return rows


def test_builtin_football_has_the_courses_shape_and_story(football):
    assert football.name == "football"
    assert football.train_X.shape == (211, 2) and football.test_X.shape == (200, 2)
    X = np.vstack([football.train_X, football.test_X])
    assert X[:, 0].min() > -0.76 and X[:, 0].max() < 0.41
    assert X[:, 1].min() > -0.81 and X[:, 1].max() < 0.66
    y = np.concatenate([football.train_Y, football.test_Y])
    assert 0.4 < y.mean() < 0.6
    # Label 1 (a French win) upper left of the diagonal, label 0 lower right.
    upper_left = X[:, 1] - X[:, 0] > 0.3
    lower_right = X[:, 1] - X[:, 0] < -0.3
    assert y[upper_left].mean() > 0.85 and y[lower_right].mean() < 0.15


def test_football_regenerates_byte_identically(tmp_path):
    out = tmp_path / "football.csv"
    data.write_csv(data.make_football(), out)
    assert out.read_bytes() == (data.DATA_DIR / "football.csv").read_bytes()


def test_course_mat_layout_loads_in_file_order(tmp_path):
    arrays = _course_like()
    path = tmp_path / "field.mat"
    path.write_bytes(_mat_bytes(arrays))
    dataset = nnreg.load_dataset(path)
    assert np.array_equal(dataset.train_X, arrays["X"])
    assert np.array_equal(dataset.train_Y, arrays["y"][:, 0])
    assert dataset.train_Y.dtype == np.int64 and dataset.test_X.shape == (20, 2)


def test_npz_and_csv_of_the_same_content_share_a_fingerprint(tmp_path):
    arrays = _course_like()
    from_npz = nnreg.read_dataset(_npz_bytes(arrays), "a.npz")
    frame = from_npz.to_frame()
    from_csv = nnreg.read_dataset(frame.to_csv(index=False).encode(), "b.csv")
    assert from_npz.fingerprint == from_csv.fingerprint
    assert nnreg.read_dataset(_mat_bytes(arrays), "c.mat").fingerprint == from_npz.fingerprint
    changed = dict(arrays, yval=1 - arrays["yval"])
    assert nnreg.read_dataset(_npz_bytes(changed), "a.npz").fingerprint != from_npz.fingerprint


def test_csv_without_split_is_split_stratified_and_seeded():
    content = _csv(_grid_rows(100, label=lambda i: int(i < 40)))
    first = nnreg.read_dataset(content, "f.csv")
    again = nnreg.read_dataset(content, "f.csv")
    assert first.fingerprint == again.fingerprint
    assert len(first.test_Y) == 30 and first.test_Y.sum() == 12  # 30 % of each class
    assert len(first.train_Y) == 70 and first.train_Y.sum() == 28


@pytest.mark.parametrize("content", [
    "\ufeffx1,x2,y\n" + "\n".join(_grid_rows(40)),                                 # byte-order mark
    "x1;x2;y\n" + "\n".join(r.replace(",", ";") for r in _grid_rows(40)),         # semicolons
    "x1,x2,y\n" + "\n".join('"' + r.replace(",", '","') + '"' for r in _grid_rows(40)),  # quoted
    " X1 , X2 , Y \n" + "\n".join(_grid_rows(40)),                                 # spaced, upper case
])
def test_csv_variants_with_a_reasonable_reading_are_accepted(content):
    dataset = nnreg.read_dataset(content.encode(), "v.csv")
    assert len(dataset.train_Y) + len(dataset.test_Y) == 40


def test_csv_with_split_column_keeps_it():
    rows = _grid_rows(40, split=lambda i: "test" if i % 4 == 0 else "train")
    dataset = nnreg.read_dataset(_csv(rows, "x1,x2,y,split"), "s.csv")
    assert len(dataset.test_Y) == 10 and len(dataset.train_Y) == 30


def _pickled_npz():
    arrays = _course_like()
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
    ("cols.csv", _csv(_grid_rows(), "a,b,c"), "missing column(s) x1, x2, y"),
    ("third.csv", _csv([r + ",0.5" for r in _grid_rows()], "x1,x2,y,x3"), "unexpected column(s) x3"),
    ("text.csv", _csv(_grid_rows() + ["0.1,abc,1"]), "column x2, data row 31: 'abc' is not a number"),
    ("empty.csv", _csv(_grid_rows() + ["0.1,,1"]), "column x2, data row 31: empty"),
    ("nan.csv", _csv(_grid_rows() + ["nan,0.2,1"]), "NaN or infinite"),
    ("inf.csv", _csv(_grid_rows() + ["inf,0.2,1"]), "NaN or infinite"),
    ("huge.csv", _csv(_grid_rows() + ["1e300,0.2,1"]), "within ±1e+06"),
    ("labels.csv", _csv(_grid_rows(label=lambda i: i % 3)), "labels must be 0 or 1, found 2"),
    ("oneclass.csv", _csv(_grid_rows(40, label=lambda i: 1)), "the training labels are all 1"),
    ("few.csv", _csv(_grid_rows(12)), "at least 10 are needed"),
    ("dupes.csv", _csv(["0.5,0.5,1", "0.5,0.5,0"] * 30), "only 1 distinct point"),
    ("header.csv", b"x1,x2,y\n", "header but no rows"),
    ("split.csv", _csv(_grid_rows(split=lambda i: "dev"), "x1,x2,y,split"), "split must be 'train' or 'test'"),
    ("keys.mat", _mat_bytes({"A": np.zeros((3, 2))}), "missing key(s) X, y, Xval, yval"),
    ("shape.mat", _mat_bytes(dict(_course_like(), X=np.zeros((40, 3)))), "exactly two features"),
    ("ylen.mat", _mat_bytes(dict(_course_like(), y=np.zeros((39, 1)))), "one per point (40)"),
    ("v73.mat", b"\x89HDF\r\n\x1a\n" + b"\x00" * 600, "MATLAB v7.3 (HDF5)"),
    ("pickle.npz", _pickled_npz(), "pickled Python objects"),
    ("big.npz", _npz_bytes(dict(_course_like(), X=np.random.default_rng(0).uniform(size=(100_001, 2)),
                                y=np.arange(100_001) % 2)), "more than the limit of 100,000"),
]


@pytest.mark.parametrize("filename, content, words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_raise_dataset_error_naming_file_and_problem(filename, content, words):
    with pytest.raises(DatasetError) as error:
        nnreg.read_dataset(content, filename)
    message = str(error.value)
    assert message.startswith(f"{filename}: ")
    assert words in message


def test_upload_names_are_never_paths():
    with pytest.raises(DatasetError) as error:
        nnreg.read_dataset(b"", "../../etc/passwd.csv")
    assert str(error.value).startswith("passwd.csv: ")


def test_missing_paths_and_names(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        nnreg.load_dataset(tmp_path / "absent.csv")
    with pytest.raises(DatasetError, match="no such dataset; available: football"):
        nnreg.load_dataset("stadium")
    with pytest.raises(DatasetError, match="is a folder"):
        nnreg.load_dataset(tmp_path)


def test_files_in_data_are_listed_and_loadable(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    (tmp_path / "football.csv").write_bytes((nnreg.data.Path(__file__).parent.parent / "data" / "football.csv").read_bytes())
    (tmp_path / "extra.npz").write_bytes(_npz_bytes(_course_like()))
    (tmp_path / "notes.txt").write_text("not data")
    assert nnreg.list_datasets() == ["football", "circle", "xor", "gaussian", "spiral", "moons", "extra"]
    assert nnreg.load_dataset("extra").name == "extra"
    assert len(nnreg.load_dataset("extra").train_Y) == 40


@pytest.mark.parametrize("kind", data.SYNTHETIC)
def test_generators_are_seeded_balanced_and_named(kind):
    a = nnreg.make_dataset(kind, n_points=200, noise=0.1, seed=5)
    assert a.fingerprint == nnreg.make_dataset(kind, n_points=200, noise=0.1, seed=5).fingerprint
    assert a.fingerprint != nnreg.make_dataset(kind, n_points=200, noise=0.1, seed=6).fingerprint
    assert len(a.train_Y) == len(a.test_Y) == 100
    assert a.train_Y.mean() == 0.5
    assert np.abs(a.train_X).max() < 2
    assert nnreg.load_dataset(a.name).fingerprint == a.fingerprint


def test_generator_noise_blurs_the_classes():
    # With no noise a circle's classes are separated by a ring; heavy noise moves points across it.
    clean = nnreg.make_dataset("circle", n_points=400, noise=0.0, seed=1)
    radius = np.linalg.norm(clean.train_X, axis=1)
    assert np.all((radius < 0.5) == (clean.train_Y == 1))
    noisy = nnreg.make_dataset("circle", n_points=400, noise=0.3, seed=1)
    radius = np.linalg.norm(noisy.train_X, axis=1)
    assert np.mean((radius < 0.5) != (noisy.train_Y == 1)) > 0.05


@pytest.mark.parametrize("spec, words", [
    ("spiral:n_points=10", "n_points must be a whole number from 40"),
    ("spiral:noise=2", "noise must be a number from 0 to 1"),
    ("spiral:seed=-1", "seed must be a whole number"),
    ("spiral:noise=loud", "noise must be a number, got 'loud'"),
    ("spiral:depth=3", "options are n_points=, noise= and seed="),
])
def test_bad_generator_options(spec, words):
    with pytest.raises(DatasetError, match=words.replace("(", r"\(")):
        nnreg.load_dataset(spec)
