import json

import numpy as np
import pytest

import nnreg
from nnreg import cli, network
from nnreg.cli import bench
from nnreg.engines import reference
from tools import baseline


@pytest.mark.slow
def test_the_bench_command_reports_every_figure_with_its_baseline(capsys):
    assert cli.main(["bench", "--quick", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["quick"] is True and report["all_passed"] is None
    assert report["num_iterations"] == bench.QUICK_ITERATIONS and report["cores"] >= 1
    figures = {f["figure"]: f for f in report["figures"]}
    expected = ["study: 3 models, wall", "study: 3 models one after another", "model 'none'", "model 'l2'",
                "model 'dropout'", "dropout (fresh masks) / plain", "batch: 4 models (2 lambd x 2 seeds)",
                "first JIT compile", "warm start", "importing nnreg.engines.compiled",
                *(f"table '{name}'" for name in bench.TABLES), "one core's matrix product"]
    for start in expected:
        assert any(start in name for name in figures), start
    for figure in report["figures"]:
        assert figure["value"] > 0 and figure["passed"] is None  # quick runs judge no target
        if figure["baseline"] is not None and figure["ratio"] is not None:
            assert figure["ratio"] == figure["baseline"] / figure["value"]
    warm = next(f for f in report["figures"] if f["figure"].startswith("warm start"))
    assert warm["target"] == "loaded from the disk cache"
    # Each table's three models, each judged against the course-style loop on the same points.
    tables = [f for f in report["figures"] if f["figure"].startswith("table '")]
    assert len(tables) == 3 * len(bench.TABLES)
    assert all(f["target"] == ">= 20x" and f["baseline_label"] == "course-style NumPy loop" for f in tables)


def test_the_table_says_pass_or_fail_per_target():
    report = {
        "date": "2026-11-25T12:00:00", "cores": 2, "load_average": [0.5, 0.4, 0.3],
        "dataset": "football: 211 training points", "num_iterations": 30000, "fast_repeats": 3, "quick": False,
        "figures": [
            bench._row("study", 0.5, "s", 10.0, "course-style", 20.0, "<= 1 s", True),
            bench._row("dropout / plain", 1.6, "x", 1.7, "course-style ratio", None, "<= 1.5", False),
            bench._row("import", 1.2, "s"),
        ],
    }
    lines = bench.format_report(report).splitlines()
    assert "load average at start 0.50 0.40 0.30" in lines[0] and "30,000 iterations" in lines[0]
    assert lines[2].startswith("study") and lines[2].endswith("PASS") and "20.0x" in lines[2]
    assert lines[3].endswith("FAIL") and "1.60x" in lines[3]
    assert lines[4].split() == ["import", "1.200", "s"]


def test_the_arithmetic_of_an_update_counted_by_hand():
    # 2-20-3-1 on 211 points: forward 2·20 + 20·3 + 3·1 products per point, backward dW for each
    # layer and W_lᵀ·dZ_l for layers 2 and 3: 2·(40·2 + 60·3 + 3·3)·211 operations.
    assert bench.flops_per_update((2, 20, 3, 1), 211) == 2 * (40 * 2 + 60 * 3 + 3 * 3) * 211


def test_the_baseline_takes_several_classes_as_the_reference_does():
    # Three classes of four features: the notebook's loop with a softmax makes the reference's updates.
    rng = np.random.default_rng(0)
    X, codes = rng.normal(size=(4, 90)), rng.integers(0, 3, 90)
    for lambd in (0.0, 0.7):
        settings = nnreg.Settings(num_iterations=200, lambd=lambd)
        start = network.initialize_parameters(network.layer_sizes(settings.layer_dims, 4, 3), settings.seed)
        course = baseline.course_style_loop(X, codes.reshape(1, -1).astype(float), dict(start), settings)
        expected = reference.numpy_loop(X, codes.reshape(1, -1).astype(float), start, settings).parameters
        for name in expected:
            np.testing.assert_allclose(course[name], expected[name], rtol=1e-10, atol=1e-12)


def test_the_baseline_is_the_courses_arithmetic(football):
    # Without dropout the notebook's loop and the reference loop make the same updates.
    for lambd in (0.0, 0.7):
        settings = nnreg.Settings(num_iterations=200, lambd=lambd)
        X, Y = football.train_X.T, football.train_Y.reshape(1, -1).astype(float)
        start = network.initialize_parameters(settings.layer_sizes, settings.seed)
        with np.errstate(divide="ignore", invalid="ignore"):
            course = baseline.course_style_loop(X, Y, dict(start), settings)
        expected = reference.numpy_loop(X, Y, start, settings).parameters
        for name in expected:
            np.testing.assert_allclose(course[name], expected[name], rtol=1e-10, atol=1e-12)


def test_the_dashboards_figures_are_judged_against_their_targets(monkeypatch):
    import tools.load
    from tools import browser

    page = {"server_start_to_health_s": 0.6, "request_new_connection_ms": 3.0, "request_kept_alive_ms": 44.0,
            "first_render_s": 4.0, "first_toggle_s": 0.6,
            "cached_rerun_click_to_idle_s": [0.2, 0.25, 0.3], "cached_rerun_median_s": 0.25,
            "cached_rerun_running_to_idle_median_s": 0.12, "reload_render_s": 1.6, "open_tab_s": 1.2,
            "scrub_s": 0.05, "scrub_script_runs": 1}
    load = {"sessions": 20, "sessions_held": 19, "peak_rss_mb": 700.0, "idle_rss_mb": 170.0,
            "tabs_opened": ["The network", "Training replay", "Hidden units"]}
    monkeypatch.setattr(browser, "measure_dashboard", lambda log, reruns: page)
    monkeypatch.setattr(tools.load, "measure_load", lambda log: load)
    kept_alive, first, rerun, from_start, tab, scrub, scrub_runs, memory, held = bench._dashboard_figures(bool)
    assert (kept_alive["value"], kept_alive["baseline"], kept_alive["target"], kept_alive["passed"]) == (
        44.0, 3.0, "<= 10 ms", False)
    assert (first["value"], first["baseline"], first["ratio"], first["passed"]) == (4.0, 1.6, 2.5, False)
    assert first["target"] == "<= 3 s"
    assert (rerun["value"], rerun["ratio"], rerun["passed"], rerun["target"]) == (0.25, 0.6 / 0.25, False, "<= 0.2 s")
    assert "median of 3" in rerun["figure"] and from_start["value"] == 0.12
    assert (tab["value"], tab["target"], tab["passed"]) == (1.2, "<= 1 s", False)
    assert scrub["value"] == 0.05
    assert (scrub_runs["value"], scrub_runs["target"], scrub_runs["passed"]) == (1, "0", False)
    assert (memory["value"], memory["baseline"]) == (700.0, 170.0)
    assert (memory["target"], memory["passed"]) == ("<= 690 MB", False)
    assert "20 sessions at once, each opening 3 tabs" in memory["figure"]
    assert (held["value"], held["target"], held["passed"]) == (19, "20", False)


def test_a_figure_that_could_not_be_measured_is_said_so():
    report = {"date": "2026-11-25T12:00:00", "cores": 2, "load_average": None, "dataset": "football",
              "num_iterations": 30000, "fast_repeats": 3, "quick": False, "figures": [],
              "not_measured": "the dashboard's figures, which need Chromium"}
    assert bench.format_report(report).splitlines()[-1] == (
        "NOT MEASURED: the dashboard's figures, which need Chromium")
