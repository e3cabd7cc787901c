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
                *(f"table '{name}'" for name in bench.TABLES), "one core's matrix product",
                *(f"{label}: course network" for label in bench.VARIANTS),
                "share of one core's FMA peak", "its rate: 113,518 flop an update x 300 updates",
                "one core's matrix product's share of the same peak"]
    for start in expected:
        assert any(start in name for name in figures), start
    peak = report["fma_peak"]
    assert {"cores", "clock_ghz", "fma_units", "simd_doubles", "peak_gflops", "unknown", "formula",
            "update_formula"} <= set(peak)
    assert peak["update_formula"].endswith("= 113,518")
    for figure in report["figures"]:
        # A share of the peak is unknown, and said so, on a machine whose clock cannot be read.
        assert (figure["value"] is None and peak["unknown"]) or figure["value"] > 0
        assert figure["passed"] is None  # quick runs judge no target
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


CPUINFO = """processor\t: 0
model name\t: Intel(R) Xeon(R) Processor
cpu MHz\t\t: 2299.998
flags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512dq
processor\t: 1
cpu MHz\t\t: 1200.000
flags\t\t: fpu sse sse2
"""


def test_the_fma_peak_counted_by_hand():
    # The first core's: 1 core x 2.299998 GHz x 2 FMA units x 8 doubles (AVX-512) x 2 = 73.599936 GFLOP/s.
    peak = bench.fma_peak(CPUINFO)
    assert (peak["clock_ghz"], peak["fma_units"], peak["simd_doubles"], peak["vector_flag"]) == (
        2.299998, 2, 8, "avx512f")
    assert peak["peak_gflops"] == pytest.approx(73.599936) and peak["unknown"] is None
    assert peak["formula"].endswith("x 2.300 GHz (/proc/cpuinfo's 'cpu MHz', the clock when read; a virtual machine "
                                    "reports its nominal one, and turbo would lower the share) x 2 (two FMA units a "
                                    "core, assumed from the flag fma) x 8 (avx512f) x 2 = 73.6 GFLOP/s")
    # cpufreq's highest clock (kHz) wins over the clock when read: 3.5 x 2 x 8 x 2.
    assert bench.fma_peak(CPUINFO, "3500000")["peak_gflops"] == pytest.approx(112.0)
    avx2 = bench.fma_peak(CPUINFO.replace(" avx512f avx512dq", ""))
    assert (avx2["simd_doubles"], avx2["peak_gflops"]) == (4, pytest.approx(2.299998 * 2 * 4 * 2))


def test_a_peak_with_a_factor_it_cannot_read_is_unknown_not_guessed():
    no_clock = bench.fma_peak(CPUINFO.replace("cpu MHz\t\t: 2299.998\n", "").replace("cpu MHz\t\t: 1200.000\n", ""))
    assert no_clock["peak_gflops"] is None and no_clock["unknown"] == "the clock cannot be read"
    assert no_clock["formula"].endswith("= 1 x ? (not in /proc/cpuinfo nor cpufreq) x 2 "
                                        "(two FMA units a core, assumed from the flag fma) x 8 (avx512f) x 2 = "
                                        "unknown: the clock cannot be read")
    arm = bench.fma_peak("processor\t: 0\nFeatures\t: fp asimd\n")
    assert arm["peak_gflops"] is None and arm["unknown"] == (
        "the clock cannot be read; the CPU reports no FMA instructions (flag fma); the CPU reports no vector flag "
        "(avx512f, avx2, avx, sse2)")


def test_the_kernels_share_of_the_peak_by_hand(monkeypatch, football):
    # 2-20-3-1 on 211 points: 113,518 flop an update; 30,000 updates in 0.175 s make
    # 3,405,540,000 / 0.175 = 19.46 GFLOP/s, 26.44 % of 73.6 GFLOP/s; a 76 GFLOP/s matrix product is 103.26 % of it.
    monkeypatch.setattr(bench, "_best", lambda repeats, run: 0.175)
    share, rate, product = bench._peak_figures(football, nnreg.Settings(), 3, bench.fma_peak(CPUINFO), 76e9)
    assert share["value"] == pytest.approx(26.44, abs=0.01) and share["unit"] == "%"
    assert rate["value"] == pytest.approx(19.46, abs=0.01) and rate["unit"] == "GFLOP/s"
    assert rate["figure"] == "  its rate: 113,518 flop an update x 30,000 updates / 0.175 s"
    assert product["value"] == pytest.approx(103.26, abs=0.01)
    unknown = bench._peak_figures(football, nnreg.Settings(), 3, bench.fma_peak(""), 76e9)
    assert [row["value"] for row in unknown] == [None, pytest.approx(19.46, abs=0.01), None]


def test_the_report_prints_the_peaks_formula_and_an_unknown_share():
    report = {"date": "2026-12-06T18:00:00", "cores": 2, "load_average": None, "dataset": "football",
              "num_iterations": 30000, "fast_repeats": 3, "quick": False,
              "figures": [bench._row("share of one core's FMA peak", None, "%"),
                          bench._row("  its rate", 19.46, "GFLOP/s")],
              "fma_peak": {**bench.fma_peak(""), "update_formula": bench.update_formula((2, 20, 3, 1), 211)},
              "not_measured": None}
    lines = bench.format_report(report).splitlines()
    assert lines[2].split() == ["share", "of", "one", "core's", "FMA", "peak", "unknown"]
    assert lines[3].split()[-2:] == ["19.5", "GFLOP/s"]
    assert lines[4].startswith("FMA peak = cores used x clock x FMA units x doubles a vector x 2 flop an FMA = 1 x ?")
    assert lines[5] == ("flop an update = 2 x m x sum over layers of n_l·n_(l-1)·(3, or 2 for layer 1) = "
                        "2 x 211 x (20·2·2 + 3·20·3 + 1·3·3) = 113,518")


@pytest.mark.parametrize("changes", [
    {"optimizer": "adam", "learning_rate": 0.01},
    {"batch_size": 32, "learning_rate": 0.01},
    {"batch_size": 32, "optimizer": "adam", "learning_rate": 0.01, "lambd": 0.7},
    {"optimizer": "momentum", "lambd": 0.7},
])
def test_the_baseline_makes_the_references_adam_and_mini_batch_updates(football, changes):
    # 211 points in batches of 32: six of 32 and a last one of 19 each epoch, 200 updates over 29 epochs.
    settings = nnreg.Settings(num_iterations=200, **changes)
    X, Y = football.train_X.T, football.train_Y.reshape(1, -1).astype(float)
    start = network.initialize_parameters(settings.layer_sizes, settings.seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        course = baseline.course_style_loop(X, Y, dict(start), settings, baseline.epoch_orders(X.shape[1], settings))
        drawn_inside = baseline.course_style_loop(X, Y, dict(start), settings)
    expected = reference.numpy_loop(X, Y, start, settings).parameters
    for name in expected:
        np.testing.assert_allclose(course[name], expected[name], rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(drawn_inside[name], course[name])
    assert not np.allclose(course["W1"], start["W1"])


def test_the_baseline_draws_the_shuffles_for_every_update():
    # 200 updates of 7 batches an epoch need 29 epochs, each the engines' own shuffle.
    settings = nnreg.Settings(num_iterations=200, batch_size=32)
    orders = baseline.epoch_orders(211, settings)
    assert len(orders) == 29
    np.testing.assert_array_equal(orders[28], network.batch_order(211, settings.seed, 28))
    # The full batch is not shuffled, whether batch_size is None or covers every point.
    assert baseline.epoch_orders(211, settings.replace(batch_size=None)) == []
    assert baseline.epoch_orders(211, settings.replace(batch_size=211)) == []


def test_the_baseline_refuses_what_it_does_not_model():
    with pytest.raises(ValueError, match="the course-style loop has no l1, weight_decay, activation: it trains "
                                         "the course's ReLU network"):
        baseline.course_style_loop(np.zeros((2, 4)), np.zeros((1, 4)), {}, nnreg.Settings(
            l1=0.1, weight_decay=0.1, activation="tanh"))


def test_the_variants_are_timed_against_the_course_style_loop(monkeypatch, football):
    seconds = iter([0.5, 12.0, 0.4, 6.0])  # Adam: compiled, course-style; then mini-batches
    timed = []
    monkeypatch.setattr(bench, "_best", lambda repeats, run: next(seconds))
    monkeypatch.setattr(bench, "_course_seconds", lambda dataset, settings: timed.append(settings) or next(seconds))
    monkeypatch.setattr(bench.training, "train", lambda dataset, settings, engine: None)
    adam, batches = bench._variant_figures(football, 30000, 3, bool)
    assert [(s.optimizer, s.batch_size, s.learning_rate, s.num_iterations) for s in timed] == [
        ("adam", None, 0.01, 30000), ("gd", 32, 0.01, 30000)]
    assert adam["figure"] == "Adam: course network, learning_rate 0.01"
    assert (adam["value"], adam["baseline"], adam["ratio"], adam["target"], adam["passed"]) == (
        0.5, 12.0, 24.0, ">= 20x", True)
    assert adam["baseline_label"] == "course-style NumPy loop, the same updates"
    assert batches["figure"].startswith("mini-batches of 32")
    assert (batches["ratio"], batches["passed"]) == (15.0, False)


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
