"""The command line as users run it: a real subprocess, exit codes, stdout and stderr."""

import json
import math
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import nnreg
import nnreg.dashboard
from nnreg import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "nnreg", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


# Short training keeps in-process command tests fast; the subprocess tests use the real settings.
QUICK = ["--num-iterations", "200"]


@pytest.mark.slow
@pytest.mark.parametrize("args, words", [
    (["reproduce", "--data", "stadium"], "nnreg: error: stadium: no such dataset"),
    (["reproduce", "--data", "missing.csv"], "nnreg: error: missing.csv: no such file"),
    (["reproduce", "--seeds", "0"], "argument --seeds: the number of seeds must be a whole number from 1 to 100, got 0"),
    (["reproduce", "--seeds", "many"], "argument --seeds: the number of seeds must be a whole number from 1 to 100, got 'many'"),
    (["reproduce", "--seeds", "100000000"], "from 1 to 100, got 100000000"),
    (["reproduce", "--dropout-mask", "sometimes"], "invalid choice: 'sometimes'"),
    (["reproduce", "--data", "moons:noise=9"], "noise must be a number from 0 to 1"),
    (["reproduce", "--lambd", "-1"], "argument --lambd: --lambd must be a number from 0 to 1,000, got -1"),
    (["reproduce", "--l1", "x"], "argument --l1: --l1 must be a number from 0 to 1,000, got 'x'"),
    (["reproduce", "--keep-prob", "0"], "argument --keep-prob: --keep-prob must be a number from 0.05 to 1, got 0"),
    (["reproduce", "--train-fraction", "1.5"], "--train-fraction must be a number from 0.05 to 1, got 1.5"),
    (["reproduce", "--dev-fraction", "0.9"], "--dev-fraction must be a number from 0.05 to 0.5, got 0.9"),
    (["reproduce", "--hidden", "20 0"], "argument --hidden: hidden layer sizes must be 1 to 10 layers"),
    (["reproduce", "--learning-rate", "1e9"], "--learning-rate must be a number from 0.001 to 100"),
    (["reproduce", "--num-iterations", "2.5"], "--num-iterations must be a whole number from 100 to 100,000"),
    (["reproduce", "--data", "moons:n_points=40", "--train-fraction", "0.1"], "train_fraction 0.1 keeps 2 of 20"),
    (["compare", "--model", "a:foo=1"], "nnreg: error: model 'a:foo=1': unknown key 'foo'; the keys are lambd"),
    (["compare", "--model", "a:lambd=-2"], "model 'a:lambd=-2': lambd must be a number from 0 to 1,000, got -2"),
    (["compare", "--model", "a", "--model", "A"], "two models are named 'a' and 'A'"),
    (["compare", *[arg for i in range(7) for arg in ("--model", f"m{i}")]], "compare 1 to 6 models, got 7"),
    (["compare", "--model", ":lambd=1"], "has no name"),
    (["compare", "--seeds", "0"], "argument --seeds: the number of seeds must be a whole number from 1 to 100"),
    (["compare", "--seeds", "2", "--folds", "0"], "argument --folds: --folds must be a whole number from 1 to 20, got 0"),
    (["compare", "--seeds", "2", "--folds", "2.5"], "argument --folds: --folds must be a whole number from 1 to 20"),
    (["compare", "--seeds", "2", "--dev-seed", "-1"], "argument --dev-seed: --dev-seed must be a whole number from 0"),
    (["compare", "--seeds", "2", "--dev-seed", "x"], "argument --dev-seed: --dev-seed must be a whole number"),
    (["compare", "--folds", "5"], "--folds and --dev-seed set the dev set that ranks the models, which needs --seeds N"),
    (["compare", "--seeds", "1", "--dev-seed", "3"], "which needs --seeds N with N at least 2"),
    (["compare", "--data", "iris", "--seeds", "2", "--folds", "20"],
     "--folds: 20 folds of the 105 training points leave 5 dev points in a fold; at least 10 are needed"),
    (["fly"], "invalid choice: 'fly'"),
    ([], "the following arguments are required: command"),
])
def test_bad_input_exits_2_with_one_line(args, words):
    completed = run(*args)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0]
    assert "Traceback" not in completed.stderr


def test_bad_file_exits_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,y\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(39)) + "1,,1\n")
    completed = run("reproduce", "--data", str(bad))
    assert completed.returncode == 2
    assert completed.stderr == (f"nnreg: error: {bad}: 1 of 40 row(s) have missing values, in column(s) x2; fill "
                                "them in, or drop those rows (drop_missing)\n")


def test_reproduce_table(monkeypatch, capsys):
    assert cli.main(["reproduce", "--data", "moons", *QUICK]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("dataset moons:n_points=400,noise=0.1,seed=0: 200 train, 200 test points")
    # The page's table, as compare prints it.
    assert out[1].split()[:3] == ["Model", "λ", "keep_prob"] and "Test accuracy" in out[1]
    assert [line.split()[0] for line in out[2:5]] == ["No", "L2", "Dropout"]
    # The * marks the best test accuracy, and says that it is no way to choose a model.
    assert out[5] == ("* the best test accuracy, for looking, not for choosing: a model chosen by its test accuracy "
                      "overfits the test set ('nnreg sweep' chooses on a dev set)")


def test_reproduce_json_matches_train(monkeypatch, capsys):
    assert cli.main(["reproduce", "--data", "football", "--json", *QUICK]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [m["name"] for m in report["models"]] == ["none", "l2", "dropout"]
    football = nnreg.load_dataset("football")
    for model in report["models"]:
        settings = nnreg.Settings.from_dict(model["settings"])
        result = nnreg.train(football, settings)
        assert model["train_accuracy"] == result.train_accuracy
        assert model["test_accuracy"] == result.test_accuracy
        assert model["train_correct"] == result.train_correct and model["test_size"] == 200
    assert report["models"][1]["settings"]["lambd"] == 0.7
    assert report["models"][2]["settings"]["keep_prob"] == 0.86


def test_reproduce_trains_the_models_its_flags_ask_for(capsys):
    args = ["reproduce", "--data", "football", "--json", "--num-iterations", "600", "--lambd", "2", "--keep-prob",
            "0.7", "--l1", "0.05", "--early-stopping", "--dev-fraction", "0.3", "--train-fraction", "0.6",
            "--hidden", "8 4", "--learning-rate", "0.2"]
    assert cli.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    models = {model["name"]: model for model in report["models"]}
    assert list(models) == ["none", "l2", "l1", "dropout", "early_stopping"]
    football = nnreg.load_dataset("football")
    expected = nnreg.Settings(layer_dims=(8, 4), learning_rate=0.2, num_iterations=600, train_fraction=0.6,
                              dev_fraction=0.3)
    assert nnreg.Settings.from_dict(models["l2"]["settings"]) == expected.replace(lambd=2.0)
    assert nnreg.Settings.from_dict(models["l1"]["settings"]) == expected.replace(l1=0.05)
    assert nnreg.Settings.from_dict(models["dropout"]["settings"]) == expected.replace(keep_prob=0.7)
    stopped = nnreg.train(football, expected.replace(early_stopping=True))
    assert models["early_stopping"]["best_iteration"] == stopped.best_iteration
    assert models["early_stopping"]["dev_accuracy"] == stopped.dev_accuracy
    assert models["early_stopping"]["test_accuracy"] == stopped.test_accuracy
    # A stratified 0.6 of the 211 training points (rounded per label); the early-stopping model
    # holds a stratified 0.3 of those out.
    assert models["none"]["train_size"] == 126 and models["early_stopping"]["train_size"] == stopped.train_size == 88
    assert "best_iteration" not in models["none"] and "zero_weights" not in models["none"]
    l1 = nnreg.train(football, expected.replace(l1=0.05))
    assert (models["l1"]["zero_weights"], models["l1"]["weights"]) == l1.zero_weights()


def test_reproduce_says_where_early_stopping_stopped_and_what_l1_zeroed(capsys):
    assert cli.main(["reproduce", "--data", "football", "--early-stopping", "--l1", "0.2", "--train-fraction", "0.6",
                     *QUICK]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("dataset football: 211 train, 200 test points (126 fitted: train_fraction 0.6)")
    assert [line.split()[0] for line in out[2:7]] == ["No", "L2", "L1", "Dropout", "Early"]
    football = nnreg.load_dataset("football")
    shared = nnreg.Settings(train_fraction=0.6, num_iterations=200)
    zeros, total = nnreg.train(football, shared.replace(l1=0.2)).zero_weights()
    stopped = nnreg.train(football, shared.replace(early_stopping=True))
    # The baseline as the page gives it, recomputed: the largest training class's share of the test points.
    largest = np.argmax(np.bincount(football.train_Y))
    assert out[8] == (f"Majority-class baseline: always answering label {largest} (the largest class "
                      f"of the training points) scores {np.mean(football.test_Y == largest):.1%} test accuracy, and "
                      "50.0% balanced test accuracy (each class's share of test points labelled right, averaged over "
                      "the 2 classes).")
    del out[8]
    assert out[7].startswith("* the best test accuracy, for looking, not for choosing")
    assert out[8:] == [f"L1 set {zeros} of {total} weights to exactly 0",
                       f"Early stopping kept iteration {stopped.best_iteration} of 200 (dev accuracy "
                       f"{stopped.dev_accuracy:.1%} on {len(stopped.dev_index)} dev points)"]
    assert cli.main(["reproduce", "--data", "football", "--l1", "0.2", "--seeds", "2", *QUICK]) == 0
    counts = [nnreg.train(football, nnreg.Settings(l1=0.2, seed=s, dropout_seed=s, num_iterations=200)).zero_weights()[0]
              for s in (0, 1)]
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"L1 set {np.mean(counts):.1f} of 103 weights to exactly 0 on average ({min(counts)} to {max(counts)} over "
        "2 seeds)")


def test_reproduce_over_seeds_reports_mean_and_std(monkeypatch, capsys):
    assert cli.main(["reproduce", "--data", "moons", "--seeds", "3", "--json", *QUICK]) == 0
    report = json.loads(capsys.readouterr().out)
    l2 = report["models"][1]
    tests = [run_["test_accuracy"] for run_ in l2["runs"]]
    assert [run_["seed"] for run_ in l2["runs"]] == [0, 1, 2] and l2["seeds"] == [0, 1, 2]
    assert l2["test_accuracy"] == pytest.approx(np.mean(tests))
    assert l2["test_accuracy_std"] == pytest.approx(np.std(tests, ddof=1))
    # Each run's ‖W‖ per layer, the Frobenius norms of its final weights.
    moons = nnreg.load_dataset("moons")
    first = nnreg.train(moons, nnreg.Settings(lambd=0.7, seed=0, dropout_seed=0, num_iterations=int(QUICK[-1])))
    assert l2["runs"][0]["weight_norms"] == pytest.approx(
        {name: float(np.linalg.norm(value)) for name, value in first.parameters.items() if name.startswith("W")})
    assert l2["test_vs_none"] in ("within noise", "better", "worse")
    assert cli.main(["reproduce", "--data", "moons", "--seeds", "3", *QUICK]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Test std" in out[1] and out[1].split()[-6:] == ["change", "Within", "noise", "Seeds", "Training", "seconds"]
    assert out[3].split()[-3] == ("yes" if l2["test_vs_none"] == "within noise" else "no")


def test_datasets_lists_every_name_with_its_shape_and_the_tables_sources():
    completed = run("datasets")
    assert completed.returncode == 0
    lines = completed.stdout.splitlines()
    names = nnreg.list_datasets()
    assert lines[0].split() == ["dataset", "train", "test", "features", "classes", "class", "names"]
    assert [line.split()[0] for line in lines[1:len(names) + 1]] == names
    rows = {line.split()[0]: line.split(maxsplit=5)[1:] for line in lines[1:len(names) + 1]}
    for name in names:
        dataset = nnreg.load_dataset(name)
        assert rows[name] == [str(len(dataset.train_Y)), str(len(dataset.test_Y)), str(dataset.n_features),
                              str(dataset.n_classes), ", ".join(dataset.class_names)]
    assert rows["iris"][2:4] == ["4", "3"] and rows["breast_cancer"][2:] == ["30", "2", "benign, malignant"]
    assert lines[len(names) + 1:] == ["sources:", *(f"  {name}: {nnreg.data.table_source(name)}"
                                                   for name in ("breast_cancer", "iris", "wine"))]


def test_make_football_writes_the_builtin_file(tmp_path):
    out = tmp_path / "f.csv"
    completed = run("make-football", "--out", str(out))
    assert completed.returncode == 0
    assert out.read_bytes() == (ROOT / "data" / "football.csv").read_bytes()


def test_reproduce_gives_the_courses_numbers(course_data_path):
    completed = run("reproduce", "--data", str(course_data_path), "--dropout-mask", "fixed", "--json")
    assert completed.returncode == 0, completed.stderr
    models = {m["name"]: m for m in json.loads(completed.stdout)["models"]}
    assert (models["none"]["train_correct"], models["none"]["test_accuracy"]) == (200, 0.915)
    assert (models["l2"]["train_correct"], models["l2"]["test_accuracy"]) == (198, 0.93)
    assert (models["dropout"]["train_correct"], models["dropout"]["test_accuracy"]) == (196, 0.95)
    assert all(m["train_size"] == 211 for m in models.values())


@pytest.mark.slow
def test_ctrl_c_ends_a_command_with_one_line_and_exit_130():
    # Enough seeds to still be training two seconds in.
    process = subprocess.Popen([sys.executable, "-m", "nnreg", "reproduce", "--seeds", "100"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr.strip() == "nnreg: interrupted"
    assert time.monotonic() - start < 5


@pytest.mark.slow
def test_a_reader_that_closes_the_pipe_ends_the_command_quietly():
    # As `| head` does, but surely before the command writes: the reader is gone from the start.
    process = subprocess.Popen([sys.executable, "-m", "nnreg", "reproduce", "--json"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == cli.EXIT_BROKEN_PIPE
    assert stderr == ""


def test_bench_exits_1_when_a_figure_fails(monkeypatch, capsys):
    from nnreg.cli import bench

    report = {"figures": [], "all_passed": False, "quick": False}
    monkeypatch.setattr(bench, "run_bench", lambda **options: report)
    monkeypatch.setattr(bench, "format_report", lambda report: "figure  FAIL")
    assert cli.main(["bench"]) == 1
    report["all_passed"] = True
    assert cli.main(["bench"]) == 0


def test_datasets_lists_the_good_files_and_names_each_unreadable_one(monkeypatch, tmp_path, capsys):
    (tmp_path / "football.csv").write_bytes((nnreg.data.DATA_DIR / "football.csv").read_bytes())
    (tmp_path / "empty.csv").write_bytes(b"")
    monkeypatch.setattr(nnreg.data, "DATA_DIR", tmp_path)
    assert cli.main(["datasets"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[:3] == ["football", "211", "200"] for line in lines)
    assert "empty unreadable: empty: the file is empty" in lines
    assert any(line.startswith("moons") for line in lines)
    assert "sources:" not in lines


def test_compare_prints_the_pages_table_for_any_models(capsys, football):
    specs = ["none", "L2 small:lambd=0.1", "wide:layers=8 4,keep_prob=0.8", "es:early_stopping=true"]
    assert cli.main(["compare", "--data", "football", "--seeds", "2", *QUICK,
                     *[arg for spec in specs for arg in ("--model", spec)]]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("dataset football: 211 train, 200 test points; fresh dropout masks; init seeds 0..1, mean ± std; "
                      "inputs not standardized")
    # Over seeds the models are ranked by dev score first (tested below); the page's table follows.
    out = out[out.index("test accuracy, the final report: each model trained again on all 211 training points, over "
                        "the same seeds; reported, not chosen on"):]
    # The final report gives no verdict of its own on test: the ranking above is on dev.
    assert out[1].split()[:3] == ["Model", "λ", "keep_prob"] and "Stopped at" in out[1]
    assert "Test change" not in out[1] and "Within noise" not in out[1]
    assert [line.split("  ")[0].removesuffix(" *") for line in out[2:6]] == [
        "No regularization", "L2 small (λ = 0.1)", "wide (keep_prob = 0.8, layers 8, 4)", "es (early stopping)"]
    # The page's table, row by row.
    models = nnreg.dashboard.model_settings(nnreg.specs.parse_specs(specs),
                                            dict(nnreg.dashboard.default_values(), num_iterations=200))
    results = {name: [nnreg.train(football, run) for run in nnreg.dashboard.seed_runs(settings, 2)]
               for name, settings in models.items()}
    page = nnreg.dashboard.shown_table(nnreg.dashboard.accuracy_table(results))
    for line, name in zip(out[2:6], models):
        assert f"{page.loc[name, 'Train accuracy']} " in line and f"{page.loc[name, 'Test accuracy']} " in line
    assert out[6] == "* the best dev score (ranked above), not the best test accuracy"
    assert out[7].startswith("Majority-class baseline: always answering ")
    assert out[8].startswith("es kept iterations")


def test_compare_json_gives_each_models_spec_and_runs(capsys, football):
    assert cli.main(["compare", "--data", "football", "--json", *QUICK, "--model", "L2 big:lambd=3",
                     "--model", "plain"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(m["name"], m["spec"]) for m in report["models"]] == [("L2 big", "L2 big:lambd=3"), ("plain", "plain")]
    result = nnreg.train(football, nnreg.Settings(lambd=3.0, num_iterations=200))
    assert report["models"][0]["test_accuracy"] == result.test_accuracy
    assert nnreg.Settings.from_dict(report["models"][0]["settings"]) == result.settings
    assert cli.main(["compare", "--data", "football", "--json", "--seeds", "2", *QUICK]) == 0
    models = json.loads(capsys.readouterr().out)["models"]
    assert [m["name"] for m in models] == ["No regularization", "L2", "Dropout"]
    assert models[1]["test_vs_first"] in ("within noise", "better", "worse") and len(models[1]["runs"]) == 2


# The normal quantile of a 95 % interval, from the standard library rather than the package's Z.
Z95 = statistics.NormalDist().inv_cdf(0.975)


def _cells(line):
    """A line of a text table, cell by cell (cells are two or more spaces apart)."""
    return re.split(r"\s{2,}", line.strip())


def _dev_score_by_hand(rows):
    """A model's dev score from its dev rows, by hand: each seed's correct dev points counted over
    its folds and divided by their number, the mean over seeds; the standard error and the 95 %
    interval from the Wilson interval over one seed's points, widened in quadrature by the seeds'
    spread of that mean; and how many of its runs diverged and collapsed."""
    correct = (rows["dev_accuracy"] * rows["dev_size"]).astype(float)
    assert np.allclose(correct, correct.round())
    per_seed = correct.round().groupby(rows["seed"]).sum() / rows["dev_size"].groupby(rows["seed"]).sum()
    n = float(rows["dev_size"].groupby(rows["seed"]).sum().iloc[0])
    p, seeds = per_seed.mean(), len(per_seed)
    center = (p + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / (1 + Z95 ** 2 / n)
    spread = per_seed.std(ddof=1) / math.sqrt(seeds)
    return {"score": p, "se": math.sqrt((half / Z95) ** 2 + spread ** 2),
            "ci": [max(0.0, p - math.sqrt((p - center + half) ** 2 + (Z95 * spread) ** 2)),
                   min(1.0, p + math.sqrt((center + half - p) ** 2 + (Z95 * spread) ** 2))],
            "runs": len(rows), "diverged": int((rows["outcome"] == "diverged").sum()),
            "collapsed": int((rows["outcome"] == "collapsed").sum())}


def _scores_by_hand(dataset, models, seeds, **split):
    """Each model's dev score by hand from its own ``dev_rows``, and its verdict: the best score
    among the models none of whose runs diverged or collapsed, those within its standard error of
    it, the others worse, and a model with a failed run no candidate."""
    scores = {name: _dev_score_by_hand(nnreg.sweeps.dev_rows(
        dataset, [nnreg.Settings(num_iterations=200, **changes).for_seed(seed) for seed in range(seeds)], **split))
        for name, changes in models.items()}
    candidates = {name: s for name, s in scores.items() if not s["diverged"] and not s["collapsed"]}
    best = max(candidates, key=lambda name: candidates[name]["score"])
    for name, s in scores.items():
        s["verdict"] = ("not a candidate" if name not in candidates else "best dev score" if name == best else
                        "within noise" if s["score"] >= scores[best]["score"] - scores[best]["se"] else "more than 1 SE below")
    return scores


def test_compare_over_seeds_ranks_by_dev_score_and_reports_test_accuracy_after(capsys, football):
    assert cli.main(["compare", "--data", "football", "--seeds", "3", *QUICK, "--model", "none",
                     "--model", "L2:lambd=0.7", "--model", "hot:learning_rate=50"]) == 0
    out = capsys.readouterr().out.splitlines()
    scores = _scores_by_hand(football, {"none": {}, "L2": {"lambd": 0.7}, "hot": {"learning_rate": 50.0}}, 3)
    dev_points = int(nnreg.sweeps.dev_mask(football).sum())
    assert out[1] == (f"ranked by dev score: each model trained again without a stratified dev set of {dev_points} "
                      "of the 211 training points (dev seed 0) and scored on it; dev %: mean over the seeds ± its "
                      "standard error (seeds and points together)")
    assert _cells(out[2]) == ["Model", "dev % ± SE", "dev 95 % interval", "failed runs", "verdict"]
    titles = {"none": "No regularization", "L2": "L2 (λ = 0.7)", "hot": "hot (α = 50)"}
    # Candidates by score, then the diverged learning rate: never first, never best.
    order = sorted(scores, key=lambda name: (scores[name]["verdict"] == "not a candidate", -scores[name]["score"]))
    assert order[-1] == "hot" and scores["hot"]["diverged"] == 3
    for line, name in zip(out[3:6], order):
        s = scores[name]
        assert _cells(line) == [
            titles[name], f"{100 * s['score']:.1f} ± {100 * s['se']:.1f}",
            f"{100 * s['ci'][0]:.1f} to {100 * s['ci'][1]:.1f}", f"{s['diverged']} of 3" + (" diverged" if s["diverged"] else ""), s["verdict"]]
    assert out[6] == ("95 % interval: Wilson over the points, widened by the spread over seeds; within noise: within "
                      "one standard error of the best dev score; not a candidate: a run diverged or collapsed, never "
                      "ranked best")
    assert out[7] == ("test accuracy, the final report: each model trained again on all 211 training points, over the "
                      "same seeds; reported, not chosen on")
    # The test table marks the best dev score's model, and no test accuracy.
    best = next(name for name in scores if scores[name]["verdict"] == "best dev score")
    rows = {_cells(line)[0].removesuffix(" *"): line for line in out[9:12]}
    assert rows.keys() == set(titles.values())
    assert [title for title, line in rows.items() if "*" in line] == [titles[best]]
    assert rows[titles[best]].startswith(f"{titles[best]} *  ")
    assert out[12] == "* the best dev score (ranked above), not the best test accuracy"


def test_compare_json_gives_each_models_dev_score_over_folds(capsys, football):
    models = {"none": {}, "slow": {"learning_rate": 0.05}, "fast": {"learning_rate": 0.1}, "one": {"layers": (1,)},
              "hot": {"learning_rate": 50.0}}
    specs = ["none", "slow:learning_rate=0.05", "fast:learning_rate=0.1", "one:layers=1", "hot:learning_rate=50"]
    assert cli.main(["compare", "--data", "football", "--json", "--seeds", "3", "--folds", "3", "--dev-seed", "2",
                     *QUICK, *[arg for spec in specs for arg in ("--model", spec)]]) == 0
    report = json.loads(capsys.readouterr().out)
    scores = _scores_by_hand(football, {name: {("layer_dims" if key == "layers" else key): value
                                               for key, value in changes.items()} for name, changes in models.items()},
                             3, folds=3, dev_seed=2)
    assert report["ranking"] == {"by": "dev score", "folds": 3, "dev_fraction": 0.25, "dev_seed": 2,
                                 "interval": "95 % interval: Wilson over the points, widened by the spread over seeds"}
    for model in report["models"]:
        expected = scores[model["name"]]
        assert model["dev"] == {**expected, "score": pytest.approx(expected["score"]),
                                "se": pytest.approx(expected["se"]), "ci": pytest.approx(expected["ci"])}
        # Each seed's model trained on every fold: 3 seeds x 3 folds.
        assert model["dev"]["runs"] == 9 and "test_accuracy" in model
    # These five models give every verdict (at 200 iterations on football).
    assert sorted(s["verdict"] for s in scores.values()) == ["best dev score", "more than 1 SE below",
                                                             "not a candidate", "not a candidate", "within noise"]


def test_a_model_with_a_failed_dev_run_is_never_ranked_best_however_it_scores(football):
    from nnreg.cli.compare import ranking
    runs = [nnreg.Settings(num_iterations=200, lambd=lambd).for_seed(seed) for lambd in (0.0, 0.7) for seed in (0, 1)]
    rows = nnreg.sweeps.dev_rows(football, runs).assign(name=["plain", "plain", "L2", "L2"])
    # "L2" scores far best on dev, but one of its runs diverged: the rule, not the score, decides.
    rows.loc[rows["name"] == "L2", "dev_accuracy"] = 1.0
    rows.loc[rows.index[-1], "outcome"] = "diverged"
    ranked = ranking(rows)
    assert list(zip(ranked["name"], ranked["verdict"])) == [("plain", "best dev score"), ("L2", "not a candidate")]
    assert ranked["score"].iloc[1] == 1.0 > ranked["score"].iloc[0]


def test_compare_with_every_model_failing_on_dev_names_the_cure_and_exits_1(capsys):
    args = ["compare", "--data", "football", "--seeds", "2", *QUICK, "--learning-rate", "50"]
    assert cli.main(args) == 1
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert [line.split()[-3:] for line in out[3:6]] == [["not", "a", "candidate"]] * 3
    assert [_cells(line)[-2] for line in out[3:6]] == ["2 of 2 diverged"] * 3
    # No best, and no test table: nothing was ranked first to report on.
    assert "best dev score" not in captured.out.replace("within one standard error of the best dev score", "")
    assert "Test accuracy" not in captured.out and "*" not in captured.out
    # Football's features are already of size 1: the learning rate is the cure.
    assert captured.err == ("nnreg: no model can be chosen: every one had a dev run that diverged or collapsed "
                            "(6 diverged of 6 runs); lower the learning rate (now 50)\n")
    assert cli.main([*args, "--json"]) == 1
    captured_json = capsys.readouterr()
    report = json.loads(captured_json.out)
    assert captured_json.err == captured.err and report["problem"] == captured.err.removeprefix("nnreg: ").strip()
    assert [(m["dev"]["verdict"], m["dev"]["diverged"], "test_accuracy" in m) for m in report["models"]] == [
        ("not a candidate", 2, False)] * 3


def test_compare_with_one_run_per_model_marks_the_best_test_accuracy_for_looking_only(capsys):
    for seeds in ([], ["--seeds", "1"]):
        assert cli.main(["compare", "--data", "football", *QUICK, *seeds, "--model", "none", "--model", "L2"]) == 0
        out = capsys.readouterr().out
        assert "ranked by dev score" not in out
        assert ("* the best test accuracy, for looking, not for choosing: a model chosen by its test accuracy overfits "
                "the test set ('nnreg sweep' chooses on a dev set)\n") in out


@pytest.mark.slow
def test_compare_calls_a_penalty_too_strong_collapsed_not_diverged(capsys):
    # The models, at learning rate 0.01 too: λ = 50 underfits, it does not diverge.
    for rate in ("0.3", "0.01"):
        assert cli.main(["compare", "--data", "football", "--learning-rate", rate, "--model", "none",
                         "--model", "L2:lambd=0.7", "--model", "L2 huge:lambd=50"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[1].split()[-3:] == ["Outcome", "Training", "seconds"]
        assert [line.split()[-2] for line in out[2:5]] == ["trained", "trained", "collapsed"]
        assert "diverged" not in "\n".join(out).lower()
        assert out[-1].startswith("L2 huge: Collapsed: the penalty is too strong and the model underfits")
        assert out[-1].endswith("Lower λ (now 50).")


def test_compare_and_reproduce_say_a_learning_rate_too_large_diverged(capsys):
    assert cli.main(["compare", "--data", "football", "--learning-rate", "50", *QUICK, "--model", "none"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].split()[-2] == "diverged"
    assert out[-1].startswith("No regularization: Training diverged at iteration 100 (its cost rose from ")
    assert cli.main(["reproduce", "--data", "football", "--learning-rate", "50", *QUICK, "--json"]) == 0
    models = json.loads(capsys.readouterr().out)["models"]
    assert {(m["outcome"], m["diverged_at"]) for m in models} == {("diverged", 100)}
    assert cli.main(["reproduce", "--data", "football", "--lambd", "50", "--seeds", "2", *QUICK]) == 0
    out = capsys.readouterr().out.splitlines()
    # The table's Outcome column, as compare prints it.
    assert out[3].split()[0] == "L2" and "collapsed" in out[3].split()
    assert out[-1].startswith("L2, init seed 0: Collapsed: the penalty is too strong")


def test_the_command_line_loads_no_dashboard_and_the_package_no_tools():
    # From the checkout, where tools/ could be imported: the command line needs neither the page's
    # code nor Altair, and no module of the package imports the checkout's tools (bench loads them
    # only when it runs).
    probe = ("import importlib, pkgutil, sys\n"
             "import nnreg.cli\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('altair', 'streamlit', 'tools')\n"
             "             or m.startswith('nnreg.dashboard') or m.startswith('nnreg.charts')))\n"
             "for module in pkgutil.walk_packages(nnreg.__path__, 'nnreg.'):\n"
             "    if not module.name.endswith('__main__'):\n"
             "        importlib.import_module(module.name)\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'tools'))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    command_line, tools = done.stdout.splitlines()
    assert command_line == "[]" and tools == "[]"


# Tables on the command line (issue 23): the bundled ones by name, an analyst's file by path.

def test_reproduce_on_iris_names_its_features_and_three_classes(capsys):
    assert cli.main(["reproduce", "--data", "iris", *QUICK]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("dataset iris: 105 train, 45 test points; fresh dropout masks; course seeds")
    assert out[1] == ("4 features: sepal length (cm), sepal width (cm), petal length (cm), petal width (cm); "
                      "3 classes: setosa, versicolor, virginica")
    assert [line.split()[0] for line in out[3:6]] == ["No", "L2", "Dropout"]
    assert cli.main(["reproduce", "--data", "iris", "--json", *QUICK]) == 0
    report = json.loads(capsys.readouterr().out)
    iris = nnreg.load_dataset("iris")
    assert report["classes"] == ["setosa", "versicolor", "virginica"] and report["features"] == list(iris.feature_names)
    assert report["fingerprint"] == iris.fingerprint and report["notes"] == []
    for model in report["models"]:
        result = nnreg.train(iris, nnreg.Settings.from_dict(model["settings"]))
        assert (model["train_correct"], model["test_correct"]) == (result.train_correct, result.test_correct)
        assert model["test_size"] == 45


def test_compare_on_breast_cancer_names_thirty_features_in_short(capsys):
    assert cli.main(["compare", "--data", "breast_cancer", *QUICK, "--model", "none", "--model", "L1:l1=0.1",
                     "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    cancer = nnreg.load_dataset("breast_cancer")
    assert len(report["features"]) == 30 and report["classes"] == ["benign", "malignant"]
    l1 = nnreg.train(cancer, nnreg.Settings(l1=0.1, num_iterations=200))
    assert report["models"][1]["test_accuracy"] == l1.test_accuracy
    assert (report["models"][1]["zero_weights"], report["models"][1]["weights"]) == l1.zero_weights()
    assert cli.main(["compare", "--data", "breast_cancer", *QUICK, "--model", "none"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("dataset breast_cancer: 398 train, 171 test points; ")
    assert out[1] == ("30 features: mean radius, mean texture, mean perimeter, mean area, mean smoothness, "
                      "mean compactness, mean concavity, mean concave points, ... (30 in all); 2 classes: benign, "
                      "malignant")


def _analysts_file(tmp_path):
    """A CSV as an analyst has it: named measurements, a text category, a text label, one row missing a value."""
    rng = np.random.default_rng(1)
    species = np.array(["oak", "elm", "ash"])[np.arange(90) % 3]
    rows = [f"{h:.3f},{w:.2f},{soil},{kind}" for h, w, soil, kind in
            zip(rng.uniform(1, 2, 90) + (species == "oak"), rng.uniform(50, 90, 90),
                np.array(["sand", "clay"])[np.arange(90) % 2], species)]
    cells = rows[5].split(",")
    rows[5] = ",".join([*cells[:2], "", cells[3]])
    path = tmp_path / "trees.csv"
    path.write_text("height,weight,soil,species\n" + "\n".join(rows) + "\n")
    return path


def test_an_analysts_csv_with_its_label_its_test_share_and_missing_rows_dropped(tmp_path, capsys):
    path = _analysts_file(tmp_path)
    args = ["reproduce", "--data", str(path), "--label", "species", "--test-fraction", "0.4", *QUICK]
    assert cli.main(args) == 2
    assert capsys.readouterr().err == (f"nnreg: error: {path}: 1 of 90 row(s) have missing values, in column(s) "
                                       "soil; fill them in, or drop those rows (drop_missing)\n")
    assert cli.main([*args, "--drop-missing"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = nnreg.load_dataset(path, label="species", test_fraction=0.4, drop_missing=True)
    assert len(expected.test_Y) == 36 and len(expected.train_Y) == 53
    assert out[0].startswith(f"dataset {path}: 53 train, 36 test points; ")
    assert out[1:5] == ["4 features: height, weight, soil=clay, soil=sand; 3 classes: ash, elm, oak",
                        "note: 1 row with missing values was dropped (in column(s) soil)",
                        "note: soil was one-hot encoded into 2 columns (soil=clay, soil=sand)",
                        "note: a stratified 40 % test split, seed 0, was held out"]
    assert cli.main([*args, "--drop-missing", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["notes"] == list(expected.notes) and report["fingerprint"] == expected.fingerprint
    assert cli.main(["datasets", "--data", str(path), "--drop-missing", "--label", "species"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[1:5] == ["62", "27", "4", "3"] and out[1].endswith("ash, elm, oak")
    assert out[-1] == "note: a stratified 30 % test split, seed 0, was held out"


@pytest.mark.parametrize("args, words", [
    (["--data", "football", "--test-fraction", "0.2"], "football: --test-fraction 0.2 cannot apply: the data "
                                                       "comes with its own test set"),
    (["--data", "moons", "--test-fraction", "0.2"], "moons: --test-fraction 0.2 cannot apply"),
    (["--data", "iris", "--test-fraction", "0.5"], "iris: --test-fraction 0.5 cannot apply"),
    (["--data", "football", "--label", "y"], "football: the built-in and generated sets are points, not named "
                                             "columns, so label 'y' cannot be chosen"),
    (["--data", "iris", "--label", "kind"], "iris: no label column 'kind'; the columns are sepal length (cm)"),
    (["--data", "iris", "--test-fraction", "0.99"], "--test-fraction must be a number from 0.05 to 0.95, got 0.99"),
])
def test_table_flags_that_cannot_apply_exit_2_with_one_line(capsys, args, words):
    for command in ("reproduce", "compare", "sweep", "datasets"):
        assert cli.main([command, *args]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.count("\n") == 1 and words in captured.err, (command, captured.err)


def test_a_split_column_of_any_name_sets_the_test_points(tmp_path, capsys):
    path = tmp_path / "parts.csv"
    rows = [f"{i / 40:.3f},{(i * 7 % 40) / 40:.3f},{'test' if i % 4 == 0 else 'train'},{'ab'[i % 2]}" for i in range(40)]
    path.write_text("a,b,part,kind\n" + "\n".join(rows) + "\n")
    assert cli.main(["datasets", "--data", str(path), "--split", "part"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[1:5] == ["30", "10", "2", "2"] and out[2:] == ["2 features: a, b; 2 classes: a, b"]


@pytest.mark.parametrize("args, words", [
    (["reproduce", "--optimizer", "sgd"], "argument --optimizer: invalid choice: 'sgd' (choose from 'gd', 'momentum', 'adam')"),
    (["compare", "--activation", "softplus"], "argument --activation: invalid choice: 'softplus'"),
    (["reproduce", "--batch-size", "0"], "argument --batch-size: --batch-size must be full (every training point at "
                                         "each update) or a whole number from 1 to 100,000, got 0"),
    (["compare", "--batch-size", "12.5"], "argument --batch-size: --batch-size must be full (every training point at "
                                          "each update) or a whole number"),
    (["reproduce", "--weight-decay", "-1"], "argument --weight-decay: --weight-decay must be a number from 0 to 10, "
                                            "got -1"),
    (["reproduce", "--weight-decay", "x"], "--weight-decay must be a number from 0 to 10, got 'x'"),
    # Weight decay regularizes one model, so compare sets it in a model's spec, never for all.
    (["compare", "--weight-decay", "0.1"], "unrecognized arguments: --weight-decay 0.1"),
])
def test_the_training_flags_refuse_a_bad_value_naming_the_flag(args, words, capsys):
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0]


def test_reproduce_with_adam_and_weight_decay_trains_and_says_so(capsys, football):
    args = ["reproduce", "--data", "football", "--optimizer", "adam", "--learning-rate", "0.01", "--activation",
            "tanh", "--weight-decay", "0.002", "--num-iterations", "300"]
    assert cli.main([*args, "--json"]) == 0
    models = {model["name"]: model for model in json.loads(capsys.readouterr().out)["models"]}
    assert list(models) == ["none", "l2", "weight_decay", "dropout"]
    shared = nnreg.Settings(optimizer="adam", learning_rate=0.01, activation="tanh", num_iterations=300)
    assert nnreg.Settings.from_dict(models["weight_decay"]["settings"]) == shared.replace(weight_decay=0.002)
    assert nnreg.Settings.from_dict(models["l2"]["settings"]) == shared.replace(lambd=0.7)
    assert models["weight_decay"]["test_accuracy"] == nnreg.train(football, shared.replace(weight_decay=0.002)).test_accuracy
    assert cli.main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "training: optimizer adam, activation tanh"
    header = out[2].split()
    assert header[:4] == ["Model", "λ", "weight_decay", "keep_prob"]
    row = next(line for line in out if line.startswith("Weight decay"))
    assert row.split()[2:5] == ["0", "0.002", "1"]


def test_compare_on_mini_batches_says_how_many_epochs_its_updates_are(capsys, football):
    assert cli.main(["compare", "--data", "football", "--optimizer", "adam", "--learning-rate", "0.01",
                     "--batch-size", "40", "--num-iterations", "200", "--train-fraction", "0.5",
                     "--model", "none", "--model", "L2:lambd=0.7"]) == 0
    out = capsys.readouterr().out.splitlines()
    fitted = nnreg.train(football, nnreg.Settings(train_fraction=0.5, num_iterations=100)).train_size
    # An epoch is one pass over the fitted points: ceil(m / 40) updates, its last batch smaller.
    epochs = 200 / -(-fitted // 40)
    assert not epochs.is_integer()
    assert out[1] == f"training: optimizer adam, mini-batches of 40: 200 updates ≈ {epochs:.1f} epochs of {fitted} points"
    assert [line.split()[0] for line in out[3:5]] == ["No", "L2"]


def test_the_course_settings_print_no_training_line(capsys):
    assert cli.main(["compare", "--data", "football", *QUICK, "--model", "none"]) == 0
    assert not any(line.startswith("training:") for line in capsys.readouterr().out.splitlines())


def test_a_model_that_trains_otherwise_than_the_shared_settings_says_how(football):
    from nnreg.cli.compare import model_notes

    shared = nnreg.Settings(num_iterations=200, optimizer="adam", learning_rate=0.01, batch_size=40)
    results = {"same": [nnreg.train(football, shared)],
               "tanh": [nnreg.train(football, shared.replace(activation="tanh", batch_size=None))],
               "course": [nnreg.train(football, shared.replace(optimizer="gd", batch_size=None))]}
    assert model_notes(results, shared) == ["tanh trains with optimizer adam, activation tanh",
                                            "course trains as the course: gradient descent, relu, the full batch"]
    # Without shared settings (reproduce: every model shares them), nothing is said.
    assert model_notes(results) == []


def test_the_training_line_counts_epochs_as_passes_over_the_points_fitted():
    from nnreg.report.titles import training_text

    assert training_text(nnreg.Settings(), 211) == ""
    batches = nnreg.Settings(batch_size=32, num_iterations=300)
    # 26 points are one batch, 1 update an epoch; 211 are 7 batches (the last of 19 points).
    assert training_text(batches, [211, 26]) == ("mini-batches of 32: 300 updates = 300 epochs of 26 points or "
                                                 f"≈ {300 / 7:.1f} epochs of 211 points")
    assert training_text(batches, [26, 53, 211]) == ("mini-batches of 32: 300 updates = 300 epochs of 26 points to "
                                                     f"≈ {300 / 7:.1f} epochs of 211 points")
    assert training_text(batches.replace(optimizer="momentum", num_iterations=100_000), 64) == (
        "optimizer momentum, mini-batches of 32: 100,000 updates = 50,000 epochs of 64 points")
