"""``python -m nnreg sweep``: the report, the results file, and bad arguments."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nnreg.cli import main
from nnreg.sweeps import read_results

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--lambd", "0,0.7", "--keep-prob", "1,0.86", "--seeds", "2", "--num-iterations", "300"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sweep_prints_the_choice_and_writes_every_model(tmp_path, capsys, suffix):
    out = tmp_path / f"results{suffix}"
    assert main(["sweep", *TINY, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "211 training points (53 of them held out as dev), 200 test points" in printed
    assert "chosen on dev accuracy: lambd=" in printed
    assert "retrained on all 211 training points, 2 seed(s): test accuracy" in printed
    rows = read_results(out.read_bytes(), out.name)
    assert len(rows) == 2 * 2 * 2 + 2
    assert list(rows["phase"].unique()) == ["dev", "final"]
    assert f"wrote {out} (10 rows)" in printed


def test_sweep_reads_a_data_file_and_network_options(tmp_path, capsys):
    path = tmp_path / "field.csv"
    pd.DataFrame({"x1": [i / 40 for i in range(80)], "x2": [(i % 7) / 7 for i in range(80)],
                  "y": [i % 2 for i in range(80)]}).to_csv(path, index=False)
    assert main(["sweep", "--data", str(path), "--lambd", "0", "--keep-prob", "1", "--seeds", "1",
                 "--hidden", "5", "--learning-rate", "0.1", "--num-iterations", "200",
                 "--dev-fraction", "0.3", "--out", str(tmp_path / "r.csv")]) == 0
    rows = pd.read_csv(tmp_path / "r.csv")
    assert rows["layer_dims"].astype(str).unique().tolist() == ["5"]
    assert rows["learning_rate"].unique().tolist() == [0.1] and rows["dev_fraction"].unique().tolist() == [0.3]
    printed = capsys.readouterr().out
    assert "chosen on dev accuracy: lambd=0, keep_prob=1" in printed
    assert "1 seed(s): test accuracy" in printed and "±" not in printed


def test_within_noise_is_said_in_the_report(capsys):
    assert main(["sweep", "--lambd", "0,0.01", "--keep-prob", "1", "--seeds", "3", "--num-iterations", "300"]) == 0
    printed = capsys.readouterr().out
    # λ = 0.01 barely changes a 300-iteration model: the two settings cannot be told apart.
    assert "within noise" in printed and "the data cannot tell them apart" in printed


@pytest.mark.parametrize("arguments, message", [
    (["--lambd", "-1"], "lambd must be in [0, 1000], got -1"),
    (["--lambd", "0,x"], "--lambd: 'x' is not a number"),
    (["--lambd", ""], "--lambd needs at least one value"),
    (["--keep-prob", "0"], "keep_prob must be in (0, 1], got 0"),
    (["--keep-prob", "1.1"], "keep_prob must be in (0, 1], got 1.1"),
    (["--seeds", "0"], "--seeds must be a whole number from 1 to 100, got 0"),
    (["--seeds", "two"], "--seeds must be a whole number from 1 to 100, got 'two'"),
    (["--seeds", "2.5"], "got '2.5'"),
    (["--seeds", "1001"], "from 1 to 100, got 1001"),
    (["--hidden", "20,0"], "--hidden: hidden layer sizes must be 1 to 10 layers of 1 to 500 units"),
    (["--hidden", "20 3 x"], "got '20 3 x'"),
    (["--learning-rate", "0"], "--learning-rate must be a number from 0.001 to 100, got 0"),
    (["--num-iterations", "0"], "--num-iterations must be a whole number from 100 to 100,000, got 0"),
    (["--dev-fraction", "1"], "dev_fraction must be a number between 0 and 1"),
    (["--dev-fraction", "0.01"], "leaves 2 dev point(s)"),
    (["--data", "nowhere"], "no such dataset"),
    (["--local-cluster", "0"], "local_cluster must be a number of workers from 1"),
    (["--local-cluster", "2", "--scheduler", "tcp://127.0.0.1:1"], "not allowed with argument"),
    (["--out", "results.json"], "written as .csv or .parquet"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, arguments, message):
    out = tmp_path / "results.csv"
    arguments = [a if a != "results.json" else str(tmp_path / a) for a in arguments]
    out_arguments = [] if "--out" in arguments else ["--out", str(out)]
    assert main(["sweep", "--num-iterations", "100", *arguments, *out_arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert list(tmp_path.iterdir()) == []


def test_missing_dask_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    out = tmp_path / "results.csv"
    assert main(["sweep", *TINY, "--local-cluster", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'dask[distributed]'" in err
    assert not out.exists()


def test_module_entry_point_exits_2_without_traceback():
    run = subprocess.run([sys.executable, "-m", "nnreg", "sweep", "--keep-prob", "0"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == "nnreg: error: keep_prob must be in (0, 1], got 0\n"
