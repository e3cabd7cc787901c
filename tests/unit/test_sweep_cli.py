"""``python -m nnreg sweep``: the report, the results file, and bad arguments."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nnreg

from nnreg.cli import main
from nnreg.report.formatting import text_table
from nnreg.sweeps import curve_summary, curve_table, read_results

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--lambd", "0,0.7", "--keep-prob", "1,0.86", "--seeds", "2", "--num-iterations", "300"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sweep_prints_the_choice_and_writes_every_model(tmp_path, capsys, suffix):
    out = tmp_path / f"results{suffix}"
    assert main(["sweep", *TINY, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "211 training points (53 of them held out as dev, dev seed 0), 200 test points" in printed
    assert "among the settings none of whose runs diverged or collapsed: lambd=" in printed
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
    assert "none of whose runs diverged or collapsed: lambd=0, l1=0, keep_prob=1" in printed
    # One seed: its test accuracy has no spread over seeds, yet its interval counts the test points.
    final = next(line for line in printed.splitlines() if "1 seed(s): test accuracy" in line)
    assert "±" not in final.split("(")[0] and "95 % interval" in final


def test_the_default_report_has_an_l1_column_and_no_fractions(capsys):
    assert main(["sweep", *TINY]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("200 test points; 2 lambd x 1 l1 x 2 keep_prob x 2 seed(s), 300 iterations")
    assert lines[1].split()[:3] == ["lambd", "l1", "keep_prob"]
    assert [line.split()[1] for line in lines[2:6]] == ["0"] * 4


def test_l1_is_a_grid_axis(tmp_path, capsys):
    out = tmp_path / "results.csv"
    assert main(["sweep", "--lambd", "0", "--l1", "0, 0.01, 0.1", "--keep-prob", "1", "--seeds", "2",
                 "--num-iterations", "300", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 lambd x 3 l1 x 1 keep_prob x 2 seed(s)" in printed
    rows = read_results(out.read_bytes(), out.name)
    dev = rows[rows["phase"] == "dev"]
    assert dev["l1"].tolist() == [0.0, 0.0, 0.01, 0.01, 0.1, 0.1]
    chosen = rows[rows["phase"] == "final"].iloc[0]
    assert f"none of whose runs diverged or collapsed: lambd=0, l1={chosen['l1']:g}, keep_prob=1" in printed


def test_one_training_set_fraction_sweeps_on_that_share(capsys):
    assert main(["sweep", *TINY, "--train-fraction", "0.5"]) == 0
    printed = capsys.readouterr().out
    assert "training-set fractions 0.5; 2 lambd" in printed
    assert "retrained on 106 of the 211 training points, 2 seed(s)" in printed


def test_several_training_set_fractions_give_a_data_size_curve(tmp_path, capsys):
    out = tmp_path / "curve.parquet"
    assert main(["sweep", "--lambd", "0, 0.7", "--l1", "0, 0.01, 0.1", "--keep-prob", "1", "--seeds", "2",
                 "--num-iterations", "300", "--train-fraction", "1, 0.25", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "training-set fractions 0.25, 1; 2 lambd x 3 l1 x 1 keep_prob x 2 seed(s)" in lines[0]
    header = [cell.strip() for cell in lines[1].split("  ") if cell.strip()]
    assert header == ["fraction", "train points", "No regularization test %", "L2 test %", "lambd", "L1 test %", "l1"]
    assert lines[2].split()[:2] == ["0.25", "53"] and lines[3].split()[:2] == ["1", "211"]
    # The table is the results file's summary, read back.
    rows = read_results(out.read_bytes(), out.name)
    table = curve_table(curve_summary(rows))
    assert lines[1:4] == text_table(list(table.columns), table.values.tolist()).splitlines()
    assert lines[4].startswith("test %: mean ± std over 2 seed(s)")
    assert lines[5].startswith("At fraction 0.25 (53 training points), ") and lines[6].startswith("At fraction 1 ")
    assert lines[7] == "Dropout is left out: the grid has no keep_prob value other than 1."
    assert lines[8] == f"wrote {out} ({len(rows)} rows)"
    assert set(rows["family"]) == {"none", "l2", "l1"} and set(rows["train_fraction"]) == {0.25, 1.0}


def test_within_noise_is_said_in_the_report(capsys):
    assert main(["sweep", "--lambd", "0,0.01", "--keep-prob", "1", "--seeds", "3", "--num-iterations", "300"]) == 0
    printed = capsys.readouterr().out
    # λ = 0.01 barely changes a 300-iteration model: the two settings cannot be told apart.
    assert "within noise" in printed and "the data cannot tell them apart" in printed


@pytest.mark.parametrize("arguments, message", [
    (["--lambd", "-1"], "--lambd: each value must be a number from 0 to 1,000, got -1"),
    (["--lambd", "0,x"], "--lambd: each value must be a number from 0 to 1,000, got 'x'"),
    (["--lambd", ""], "--lambd needs at least one value"),
    (["--keep-prob", "0"], "--keep-prob: each value must be a number from 0.05 to 1, got 0"),
    (["--keep-prob", "1.1"], "--keep-prob: each value must be a number from 0.05 to 1, got 1.1"),
    (["--keep-prob", "1, 0.01"], "--keep-prob: each value must be a number from 0.05 to 1, got 0.01"),
    (["--seeds", "0"], "--seeds must be a whole number from 1 to 100, got 0"),
    (["--seeds", "two"], "--seeds must be a whole number from 1 to 100, got 'two'"),
    (["--seeds", "2.5"], "got '2.5'"),
    (["--seeds", "1001"], "from 1 to 100, got 1001"),
    (["--hidden", "20,0"], "--hidden: hidden layer sizes must be 1 to 10 layers of 1 to 500 units"),
    (["--hidden", "20 3 x"], "got '20 3 x'"),
    (["--learning-rate", "0"], "--learning-rate must be a number from 0.001 to 100, got 0"),
    (["--num-iterations", "0"], "--num-iterations must be a whole number from 100 to 100,000, got 0"),
    (["--dev-fraction", "1"], "--dev-fraction must be a number from 0.05 to 0.5, got 1"),
    (["--l1", "-1"], "--l1: each value must be a number from 0 to 1,000, got -1"),
    (["--l1", "0,x"], "--l1: each value must be a number from 0 to 1,000, got 'x'"),
    (["--train-fraction", "0.01"], "--train-fraction: each value must be a number from 0.05 to 1, got 0.01"),
    (["--train-fraction", "1.5, 1"], "--train-fraction: each value must be a number from 0.05 to 1, got 1.5"),
    (["--train-fraction", "0.5, x"], "--train-fraction: each value must be a number from 0.05 to 1, got 'x'"),
    (["--train-fraction", ""], "--train-fraction needs at least one value"),
    (["--train-fraction", "0.5,0.5"], "--train-fraction lists a value twice: 0.5, 0.5"),
    (["--train-fraction", "0.05, 1"], "--train-fraction: 0.05 of the 158 training points outside the dev set is "
                                      "too few to train on (at least 10, of both labels, are needed); 0.1 or more"),
    (["--train-fraction", "0.05"], "--train-fraction: 0.05 of the 158 training points outside the dev set"),
    (["--dev-fraction", "0.01"], "--dev-fraction must be a number from 0.05 to 0.5, got 0.01"),
    (["--data", "nowhere"], "no such dataset"),
    (["--local-cluster", "0"], "local_cluster must be a number of workers from 1"),
    (["--local-cluster", "2", "--scheduler", "tcp://127.0.0.1:1"], "not allowed with argument"),
    (["--out", "results.json"], "written as .csv or .parquet"),
    (["--bogus"], "unrecognized arguments"),
    (["--weight-decay", "0, -1"], "--weight-decay: each value must be a number from 0 to 10, got -1"),
    (["--weight-decay", "0,0"], "grid weight_decay lists a value twice"),
    (["--optimizer", "sgd"], "--optimizer must be one of gd, momentum, adam, got 'sgd'"),
    (["--activation", "Softplus"], "--activation must be one of relu, tanh, sigmoid, leaky_relu, got 'Softplus'"),
    (["--batch-size", "0"], "--batch-size must be "
     "full (every training point at each update) or a whole number from 1 to 100,000, got 0"),
    (["--batch-size", "32.5"], "--batch-size must be "
     "full (every training point at each update) or a whole number from 1 to 100,000, got '32.5'"),
    (["--weight-decay", "0, 0.01", "--train-fraction", "0.5, 1"],
     "--weight-decay: a data-size curve compares No regularization, L2, L1, Dropout and takes no weight decay, got "
     "0, 0.01; leave it 0 there, or give one training-set fraction to sweep it"),
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
    assert run.stderr == "nnreg: error: --keep-prob: each value must be a number from 0.05 to 1, got 0\n"


def test_the_report_says_which_settings_collapsed(capsys):
    assert main(["sweep", "--lambd", "0.7,50", "--keep-prob", "1", "--seeds", "2", "--num-iterations", "300"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[-4:] == ["failed", "runs", "vs", "chosen"]
    # The collapsed setting is no candidate: the count says why.
    assert lines[2].split()[-4:] == ["0", "of", "2", "chosen"]
    assert lines[3].split()[-7:] == ["2", "of", "2", "collapsed", "not", "a", "candidate"]


def test_every_range_the_help_states_is_the_one_the_flags_read(monkeypatch, capsys):
    from nnreg import limits
    from nnreg.cli import build_parser

    # A range changed in limits changes the help with it: no range is written out a second time.
    monkeypatch.setitem(limits.RANGES, "train_fraction", limits.Range(0.1, 1))
    monkeypatch.setitem(limits.RANGES, "keep_prob", limits.Range(0.2, 1))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sweep", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "each a number from 0.1 to 1: one value sweeps" in shown
    assert "dropout keep probabilities, each a number from 0.2 to 1," in shown
    assert "number of seeds N (seeds 0..N-1), a whole number from 1 to 100," in shown


def test_a_sweep_on_iris_chooses_among_three_classes_and_names_them(tmp_path, capsys):
    out = tmp_path / "iris.csv"
    assert main(["sweep", "--data", "iris", "--lambd", "0, 0.7", "--keep-prob", "1", "--seeds", "2",
                 "--num-iterations", "200", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # 105 training points, a stratified quarter of each class (9 of 35) held out as dev.
    assert lines[0].startswith("dataset iris: 105 training points (27 of them held out as dev, dev seed 0), 45 test points; "
                               "2 lambd x 1 l1 x 1 keep_prob x 2 seed(s), 200 iterations")
    assert lines[1] == ("4 features: sepal length (cm), sepal width (cm), petal length (cm), petal width (cm); "
                        "3 classes: setosa, versicolor, virginica")
    rows = read_results(out.read_bytes(), out.name)
    final = rows[rows["phase"] == "final"]
    assert len(rows) == 2 * 2 + 2 and set(rows["fingerprint"]) == {nnreg.load_dataset("iris").fingerprint}
    # 45 test points: every accuracy is a whole number of them.
    assert np.allclose(final["test_accuracy"] * 45, np.round(final["test_accuracy"] * 45))
    mean = 100 * final["test_accuracy"].mean()
    assert f"retrained on all 105 training points, 2 seed(s): test accuracy {mean:.1f} ±" in "\n".join(lines)


def test_a_data_size_curve_on_breast_cancer_takes_thirty_features(capsys):
    assert main(["sweep", "--data", "breast_cancer", "--lambd", "0, 0.7", "--keep-prob", "1", "--seeds", "1",
                 "--num-iterations", "200", "--train-fraction", "0.25, 1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # One L2 strength: nothing to choose, so no dev points are held out.
    assert lines[0].startswith("dataset breast_cancer: 398 training points (no dev phase: one value per regularizer, "
                               "nothing to choose), 171 test "
                               "points; training-set fractions 0.25, 1; ")
    assert lines[1].startswith("30 features: mean radius, mean texture, ") and lines[1].endswith(
        "(30 in all); 2 classes: benign, malignant")
    # Each strength chosen on dev, each model retrained on 0.25 of the 398 training points (per class), then all.
    assert lines[3].split()[:2] == ["0.25", "99"] and lines[4].split()[:2] == ["1", "398"]


# Folds, failed runs, test accuracy on request, interruptions and progress

SMALL = ["--lambd", "0,0.7", "--keep-prob", "1,0.86", "--seeds", "2", "--num-iterations", "200"]


def test_five_folds_are_said_and_written_in_every_row(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert main(["sweep", *SMALL, "--folds", "5", "--dev-seed", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "211 training points (5 stratified folds, each held out as dev in turn, dev seed 2)" in printed
    assert "accuracy on the dev points of its 5 folds (211 points a seed), mean over 2 seeds ± its standard error" in printed
    rows = read_results(out.read_bytes(), out.name)
    dev = rows[rows["phase"] == "dev"]
    assert sorted(dev["fold"].unique()) == [0, 1, 2, 3, 4] and (rows["dev_seed"] == 2).all()
    assert rows.loc[rows["phase"] == "final", "fold"].isna().all()


def test_test_accuracy_of_every_setting_only_on_request(capsys):
    assert main(["sweep", *SMALL]) == 0
    plain = capsys.readouterr().out.splitlines()
    assert "test %" not in plain[1] and sum("test accuracy" in line for line in plain) == 2
    assert main(["sweep", *SMALL, "--test-every-setting"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert "test %" in shown[1] and "test %: every setting's, to look at only" in "\n".join(shown)


def test_when_every_setting_fails_the_exit_code_is_1_with_the_cure(tmp_path, capsys):
    table = pd.read_csv(Path(nnreg.__file__).parents[1] / "data" / "breast_cancer.csv")
    path = tmp_path / "raw.csv"
    pd.DataFrame({"x1": table["mean area"], "x2": table["mean texture"],
                  "y": (table["diagnosis"] == "benign").astype(int), "split": table["split"]}).to_csv(path, index=False)
    out = tmp_path / "r.csv"
    assert main(["sweep", "--data", str(path), *SMALL[:4], "--seeds", "2", "--num-iterations", "2000",
                 "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        line for line in captured.err.splitlines() if line.startswith("trained ")] + [captured.err.splitlines()[-1]]
    assert captured.err.splitlines()[-1].startswith("nnreg: no setting can be chosen: every one had a dev run that "
                                                    "diverged or collapsed")
    assert captured.err.endswith("standardize the inputs first (--standardize on: a feature is far larger than 1), then, if it still fails, lower the learning rate (now 0.3)\n")
    assert "chosen by" not in captured.out and "test accuracy" not in captured.out
    assert all(line.endswith("not a candidate") for line in captured.out.splitlines()[2:6])
    assert len(read_results(out.read_bytes(), out.name)) == 8
    # The cure works: standardized, a setting is chosen.
    assert main(["sweep", "--data", str(path), *SMALL[:4], "--seeds", "2", "--num-iterations", "2000",
                 "--standardize", "on"]) == 0


@pytest.mark.parametrize("arguments, message", [
    (["--folds", "0"], "--folds must be a whole number from 1 to 20, got 0"),
    (["--folds", "2.5"], "--folds must be a whole number"),
    (["--dev-seed", "-1"], "--dev-seed must be a whole number from 0"),
    (["--standardize", "maybe"], "--standardize must be on or off, got 'maybe'"),
    (["--folds", "3", "--dev-fraction", "0.3"], "--dev-fraction sets the one dev split; with --folds 3 every training "
                                                "point is a dev point once"),
    (["--train-fraction", "0.5, 1", "--test-every-setting"], "--test-every-setting shows a sweep's settings"),
    (["--resume"], "--resume needs --out"),
])
def test_bad_fold_and_resume_options_are_named(arguments, message, capsys):
    assert main(["sweep", *SMALL, *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err


def test_too_many_folds_for_a_class_are_named(tmp_path, capsys):
    # 60 training points, 8 of them of class "rare": 10 folds cannot each hold one.
    path = tmp_path / "rare.csv"
    labels = ["common"] * 52 + ["rare"] * 8
    pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7, "kind": labels, "split": "train"}).pipe(
        lambda frame: pd.concat([frame, frame.assign(split="test")])).to_csv(path, index=False)
    assert main(["sweep", "--data", str(path), *SMALL, "--folds", "10"]) == 2
    assert capsys.readouterr().err == ("nnreg: error: --folds: 10 folds need at least 10 training points of every "
                                       "class; class rare has 8\n")


def test_resuming_a_missing_file_is_refused(tmp_path, capsys):
    assert main(["sweep", *SMALL, "--resume", "--out", str(tmp_path / "none.csv")]) == 2
    assert "none.csv does not exist; run without --resume to start" in capsys.readouterr().err


def _interrupt_after(count, monkeypatch, how=None):
    """Ctrl-C after the count-th model of the next run: raised where progress is reported, or
    (``how="signal"``) a real SIGINT, which the command takes at its next safe point."""
    call = nnreg.cli.sweep.Progress.__call__
    fired = []

    def progress(self, done, total):
        call(self, done, total)
        if done == count and not fired:
            fired.append(True)
            if how == "signal":
                os.kill(os.getpid(), signal.SIGINT)
            else:
                raise KeyboardInterrupt
    monkeypatch.setattr(nnreg.cli.sweep.Progress, "__call__", progress)


@pytest.mark.parametrize("curve", [False, True])
def test_an_interrupted_sweep_writes_its_rows_and_resume_finishes_it(tmp_path, capsys, monkeypatch, curve):
    monkeypatch.setattr("nnreg.sweeps.executors.IN_PROCESS_CHUNK_PER_CORE", 1)
    monkeypatch.setattr("nnreg.sweeps.executors.default_workers", lambda: 1)
    arguments = ["sweep", *SMALL, "--folds", "2", *(["--train-fraction", "0.5,1"] if curve else [])]
    out, whole = tmp_path / "r.csv", tmp_path / "whole.csv"
    assert main([*arguments, "--out", str(whole)]) == 0
    uninterrupted = capsys.readouterr().out
    _interrupt_after(5, monkeypatch)
    assert main([*arguments, "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1].startswith("nnreg: interrupted after 5 of ")
    assert captured.err.splitlines()[-1].endswith(f"wrote the 5 finished rows to {out}, marked partial: the same "
                                                  "command with --resume finishes it")
    partial = pd.read_csv(out)
    assert len(partial) == 5 and partial["partial"].all()
    assert main([*arguments, "--out", str(out), "--resume"]) == 0
    assert capsys.readouterr().out == uninterrupted.replace(str(whole), str(out))
    finished, expected = pd.read_csv(out), pd.read_csv(whole)
    assert "partial" not in finished.columns
    pd.testing.assert_frame_equal(finished.drop(columns="seconds"), expected.drop(columns="seconds"))


def test_an_interruption_before_any_model_or_without_out_writes_nothing(tmp_path, capsys, monkeypatch):
    _interrupt_after(1, monkeypatch)
    assert main(["sweep", *SMALL]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == \
        "nnreg: interrupted after 1 of 10 models; nothing written (no --out to write them to)"


def test_progress_off_a_terminal_is_a_line_every_few_seconds_with_the_time_left():
    import io

    from nnreg.cli.sweep import PROGRESS_SECONDS, Progress
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream, clock=lambda: now[0])
    # The first model took 30 s (compiling), then one model each 2 seconds.
    for done in range(1, 11):
        now[0] = 30.0 + 2.0 * (done - 1)
        progress(done, 12)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert PROGRESS_SECONDS == 5.0
    # The first at once (no pace yet), then every 6 s: the pace is 2 s a model after the first;
    # the run ended at 10 of 12 (nothing to retrain), and close shows that last count.
    assert lines == ["trained 1/12 models", "trained 4/12 models, about 16 s left",
                     "trained 7/12 models, about 10 s left", "trained 10/12 models, about 4 s left"]
    stream = io.StringIO()
    progress = Progress(stream, clock=lambda: now[0])
    progress(1, 12)
    progress(2, 12)
    progress.close()
    assert stream.getvalue().splitlines() == ["trained 1/12 models", "trained 2/12 models, about 0 s left"]


def test_sigterm_writes_the_finished_rows_as_ctrl_c_does(tmp_path):
    import signal
    import time
    out = tmp_path / "r.csv"
    process = subprocess.Popen([sys.executable, "-m", "nnreg", "sweep", "--lambd", "0,0.01,0.1,0.7,3", "--seeds", "8",
                                "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=Path(nnreg.__file__).parents[1])
    first = process.stderr.readline()
    assert first.startswith("trained 1/128 models")
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    rows = pd.read_csv(out)
    assert 1 <= len(rows) < 128 and rows["partial"].all()
    assert f"wrote the {len(rows)} finished rows to {out}, marked partial" in err


def test_a_real_ctrl_c_is_taken_at_a_safe_point_and_the_rows_written(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("nnreg.sweeps.executors.IN_PROCESS_CHUNK_PER_CORE", 1)
    monkeypatch.setattr("nnreg.sweeps.executors.default_workers", lambda: 1)
    out = tmp_path / "r.csv"
    _interrupt_after(3, monkeypatch, how="signal")
    assert main(["sweep", *SMALL, "--out", str(out)]) == 130
    rows = pd.read_csv(out)
    # The signal arrived after the third model; the next batch did not start.
    assert len(rows) == 3 and rows["partial"].all()
    # Its handler is gone once the command returns.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_resuming_with_another_standardization_or_split_is_refused_by_flag(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.csv"
    _interrupt_after(3, monkeypatch)
    assert main(["sweep", *SMALL, "--out", str(out)]) == 130
    capsys.readouterr()
    assert main(["sweep", *SMALL, "--standardize", "on", "--out", str(out), "--resume"]) == 2
    assert "another sweep's: --standardize (standardized) is False there, True here" in capsys.readouterr().err
    assert main(["sweep", *SMALL, "--data", "circle", "--out", str(out), "--resume"]) == 2
    assert capsys.readouterr().err.strip().endswith("another sweep's: the data or its split (--data, --label, --split, "
                                                    "--test-fraction, --drop-missing) differ")
    # The resumed run counts only what it trains.
    assert main(["sweep", *SMALL, "--out", str(out), "--resume"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"resumed 3 models from {out}; the progress counts the rest"
    assert err[1].startswith("trained 1/7 models") and err[-1] == "trained 7/7 models"


def test_a_curve_with_one_value_per_regularizer_says_it_had_no_dev_phase(capsys):
    assert main(["sweep", "--train-fraction", "0.5, 1", "--lambd", "0, 0.7", "--keep-prob", "1", "--seeds", "2",
                 "--num-iterations", "200"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "(no dev phase: one value per regularizer, nothing to choose)" in out[0]
    assert "one-standard-error" not in "\n".join(out)


def test_weight_decay_is_a_grid_axis_chosen_by_the_one_standard_error_rule(tmp_path, capsys):
    out = tmp_path / "results.csv"
    assert main(["sweep", "--lambd", "0", "--weight-decay", "0, 0.01, 0.03, 0.3", "--keep-prob", "1", "--seeds", "3",
                 "--num-iterations", "300", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith("1 lambd x 1 l1 x 4 weight_decay x 1 keep_prob x 3 seed(s), 300 iterations")
    assert printed[1].split()[:4] == ["lambd", "l1", "weight_decay", "keep_prob"]
    assert [line.split()[2] for line in printed[2:6]] == ["0", "0.01", "0.03", "0.3"]
    rows = read_results(out.read_bytes(), out.name)
    dev = rows[rows["phase"] == "dev"]
    assert dev["weight_decay"].tolist() == [0.0] * 3 + [0.01] * 3 + [0.03] * 3 + [0.3] * 3
    # Decoupled weight decay shrinks the weights; at 0.3 (9 % of each weight a step) it kills the model.
    norms = dev.groupby("weight_decay")["weight_norm"].mean()
    assert norms[0.03] < norms[0.01] < norms[0.0]
    candidates = dev.groupby("weight_decay")["outcome"].apply(lambda outcomes: (outcomes == "trained").all())
    assert candidates.tolist() == [True, True, True, False]
    # The rule, recomputed from the rows: of the settings whose dev score (mean over seeds) is within
    # one standard error of the best one's, the one with the smallest mean weight norm.  The
    # standard error: the Wilson half-width over z on a seed's dev points, and the seeds' spread,
    # in quadrature.
    per_seed = dev.pivot(index="seed", columns="weight_decay", values="dev_accuracy").loc[:, candidates]
    best = per_seed.mean().idxmax()
    n, p, z = dev["dev_size"].iloc[0], per_seed[best].mean(), 1.959963984540054
    wilson_half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    se = np.hypot(wilson_half / z, per_seed[best].std(ddof=1) / np.sqrt(3))
    within = [wd for wd in per_seed.columns if per_seed[wd].mean() >= p - se - 1e-12]
    expected = min(within, key=lambda wd: norms[wd])
    # Not the best dev score's own: the rule took a simpler setting within noise of it.
    assert expected != best
    final = rows[rows["phase"] == "final"]
    assert set(final["weight_decay"]) == {expected}
    assert (f"none of whose runs diverged or collapsed: lambd=0, l1=0, weight_decay={expected:g}, keep_prob=1"
            in "\n".join(printed))


def test_a_sweep_with_adam_on_mini_batches_says_its_epochs_and_writes_how_it_trained(tmp_path, capsys):
    out = tmp_path / "results.csv"
    assert main(["sweep", "--lambd", "0, 0.7", "--keep-prob", "1", "--seeds", "2", "--num-iterations", "300",
                 "--optimizer", "adam", "--learning-rate", "0.01", "--activation", "tanh", "--batch-size", "50",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    rows = read_results(out.read_bytes(), out.name)
    dev_points, all_points = 211 - 53, 211
    # An epoch is ceil(m / 50) updates: 4 of the 158 points a dev model fits, 5 of all 211.
    assert printed[1] == (f"training: optimizer adam, activation tanh, mini-batches of 50: 300 updates = "
                          f"{300 / 4:.0f} epochs of {dev_points} points or = {300 / 5:.0f} epochs of {all_points} points")
    assert set(rows["optimizer"]) == {"adam"} and set(rows["activation"]) == {"tanh"}
    assert set(rows["batch_size"]) == {50}
    final = rows[rows["phase"] == "final"].iloc[0]
    direct = nnreg.train(nnreg.load_dataset("football"), nnreg.Settings(
        lambd=final["lambd"], num_iterations=300, optimizer="adam", learning_rate=0.01, activation="tanh",
        batch_size=50, seed=int(final["seed"]), dropout_seed=int(final["seed"])))
    assert final["test_accuracy"] == direct.test_accuracy


def test_the_default_sweep_writes_the_courses_training(tmp_path, capsys):
    out = tmp_path / "results.parquet"
    assert main(["sweep", *SMALL, "--out", str(out)]) == 0
    assert not any(line.startswith("training:") for line in capsys.readouterr().out.splitlines())
    rows = read_results(out.read_bytes(), out.name)
    assert set(rows["optimizer"]) == {"gd"} and set(rows["activation"]) == {"relu"}
    assert rows["batch_size"].isna().all() and (rows["weight_decay"] == 0).all()


@pytest.mark.parametrize("flags, message", [
    (["--optimizer", "adam"], "another sweep's: --optimizer is gd there, adam here"),
    (["--activation", "tanh"], "another sweep's: --activation is relu there, tanh here"),
    (["--batch-size", "32"], "another sweep's: --batch-size is full there, 32 here"),
])
def test_resuming_with_another_optimizer_activation_or_batch_is_refused_by_flag(tmp_path, capsys, monkeypatch,
                                                                               flags, message):
    out = tmp_path / "r.csv"
    _interrupt_after(3, monkeypatch)
    assert main(["sweep", *SMALL, "--out", str(out)]) == 130
    capsys.readouterr()
    assert main(["sweep", *SMALL, *flags, "--out", str(out), "--resume"]) == 2
    assert message in capsys.readouterr().err


def test_a_file_from_before_the_training_columns_resumes_as_the_courses_training(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.csv"
    _interrupt_after(3, monkeypatch)
    assert main(["sweep", *SMALL, "--out", str(out)]) == 130
    capsys.readouterr()
    pd.read_csv(out).drop(columns=["weight_decay", "activation", "optimizer", "batch_size"]).to_csv(out, index=False)
    assert main(["sweep", *SMALL, "--optimizer", "momentum", "--out", str(out), "--resume"]) == 2
    assert "--optimizer is gd there, momentum here" in capsys.readouterr().err
    assert main(["sweep", *SMALL, "--out", str(out), "--resume"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"resumed 3 models from {out}; the progress counts the rest"
