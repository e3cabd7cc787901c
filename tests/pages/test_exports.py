"""Every CSV the page or the command line writes opens safely in a spreadsheet: a text cell that
starts like a formula (=, +, -, @, tab, carriage return; OWASP's list against CSV injection) is
written after a "'", and numbers, negative ones too, stay numbers."""

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg import dashboard, data
from nnreg.report.formatting import csv_text, spreadsheet_text
from nnreg.sweeps import read_results, results_bytes, write_results

ROOT = Path(__file__).resolve().parents[2]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_starting_like_a_formula_is_written_as_text(start):
    assert spreadsheet_text(f"{start}1+2") == f"'{start}1+2"


@pytest.mark.parametrize("value", ["No regularization", "L2 (λ = 0.7)", "'=already quoted", "−0.2 pts", "", "1-2"])
def test_other_text_is_written_as_it_is(value):
    assert spreadsheet_text(value) == value


@pytest.mark.parametrize("value", [-0.5, -3, 0.0, 2.5, None, True])
def test_numbers_and_other_values_are_untouched(value):
    assert spreadsheet_text(value) is value


def test_a_tables_text_cells_are_neutralized_and_its_numbers_stay_numbers():
    frame = pd.DataFrame({"Model": ["=1+2", "@SUM(A1)", "-cmd", "plain"], "Test change": [-0.021, 0.5, -3.0, 1.0],
                          "Seeds": [1, 2, 3, 4],
                          "Within noise": pd.array([True, None, False, True], dtype="boolean"),
                          "layers": pd.Series(["20, 3", "+5", "x", "y"], dtype="string")})
    rows = cells(csv_text(frame))
    assert rows[0] == list(frame.columns)
    assert [row[0] for row in rows[1:]] == ["'=1+2", "'@SUM(A1)", "'-cmd", "plain"]
    # Negative numbers are numbers: no quote, and they read back as numbers.
    assert [float(row[1]) for row in rows[1:]] == [-0.021, 0.5, -3.0, 1.0]
    assert [row[2] for row in rows[1:]] == ["1", "2", "3", "4"]
    assert [row[3] for row in rows[1:]] == ["True", "", "False", "True"]
    assert [row[4] for row in rows[1:]] == ["20, 3", "'+5", "x", "y"]
    # The frame itself is left as it was.
    assert frame.loc[0, "Model"] == "=1+2"


def test_the_accuracy_tables_csv_writes_a_formula_like_name_as_text(football):
    results = {name: [nnreg.train(football, nnreg.Settings(num_iterations=50, lambd=lambd))]
               for name, lambd in (("=1+2", 0.0), ("-5", 0.7))}
    rows = cells(dashboard.table_csv(dashboard.accuracy_table(results)))
    model = rows[0].index("Model")
    assert [row[model] for row in rows[1:]] == ["'=1+2", "'-5"]
    assert float(rows[2][rows[0].index("λ")]) == 0.7


def test_a_sweeps_results_file_writes_a_formula_like_dataset_name_as_text(football, tmp_path):
    # A dataset is named by its file: "=cmd.csv" names it "=cmd.csv" in every row.
    named = data.read_dataset((data.DATA_DIR / "football.csv").read_bytes(), "=cmd.csv")
    rows = nnreg.sweep(named, {"lambd": [0.0]}, 1, nnreg.Settings(num_iterations=50)).rows
    assert set(rows["dataset"]) == {"=cmd.csv"}
    content = results_bytes(rows, ".csv").decode()
    table = cells(content)
    dataset = table[0].index("dataset")
    assert {row[dataset] for row in table[1:]} == {"'=cmd.csv"}
    write_results(rows, tmp_path / "sweep.csv")
    assert (tmp_path / "sweep.csv").read_text() == content
    # Still a results file the page and the command line read, its numbers numbers.
    back = read_results(content.encode(), "sweep.csv")
    assert back["test_accuracy"].tolist() == pytest.approx(rows["test_accuracy"].tolist())


def test_a_written_dataset_keeps_its_numbers_negative_ones_included(tmp_path):
    dataset = data.make_football()
    data.write_csv(dataset, tmp_path / "football.csv")
    frame = pd.read_csv(tmp_path / "football.csv")
    assert (frame["x1"] < 0).any() and pd.api.types.is_float_dtype(frame["x1"])
    assert set(frame["split"]) == {"train", "test"}


def test_a_model_named_like_a_formula_in_a_link_downloads_as_text(downloads):
    page = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=120)
    # What ?model=none&model==1%2B2:lambd=0.7 gives the page.
    page.query_params.update({"num_iterations": "300", "model": ["none", "=1+2:lambd=0.7"]})
    page.run()
    assert not page.exception
    assert [h.value for h in page.subheader][:2] == ["No regularization", "=1+2"]
    content = downloads["nnreg-accuracy.csv"]
    rows = cells(content.decode() if isinstance(content, bytes) else content)
    model = rows[0].index("Model")
    assert [row[model] for row in rows[1:]] == ["No regularization", "'=1+2 (λ = 0.7)"]
    test = rows[0].index("Test accuracy")
    assert all(0 <= float(row[test]) <= 1 for row in rows[1:])
