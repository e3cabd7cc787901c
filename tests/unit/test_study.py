"""The study: the course's models over seeds, summarized with an honest comparison."""

import dataclasses

import numpy as np
import pytest

import nnreg
from nnreg import STUDY
from nnreg.study import mask_runs, mask_summary, run_study, summary_table, versus_first


def test_study_over_seeds_summarizes_mean_and_spread(moons):
    base = {name: s.replace(num_iterations=300) for name, s in STUDY.items()}
    results = run_study(moons, seeds=3, base=base)
    assert [r.settings.seed for r in results["l2"]] == [0, 1, 2]
    assert [r.settings.dropout_seed for r in results["dropout"]] == [0, 1, 2]
    table = summary_table(results)
    row = table.set_index("name").loc["l2"]
    test = [r.test_accuracy for r in results["l2"]]
    assert row.test_accuracy == pytest.approx(np.mean(test))
    assert row.test_accuracy_std == pytest.approx(np.std(test, ddof=1))
    assert row.model == "L2" and row.lambd == 0.7 and row.runs == 3


def _runs(result, test_accuracies):
    return [dataclasses.replace(result, test_accuracy=value) for value in test_accuracies]


def test_a_difference_smaller_than_the_spread_is_within_noise(moons):
    one = run_study(moons, base={"none": STUDY["none"].replace(num_iterations=10)})["none"][0]
    baseline = _runs(one, [0.90, 0.92, 0.94])          # std 0.02
    assert versus_first("l2", _runs(one, [0.91, 0.93, 0.95]), baseline, "none") == "within noise"  # +0.01
    assert versus_first("l2", _runs(one, [0.95, 0.96, 0.97]), baseline, "none") == "better"        # +0.04
    assert versus_first("l2", _runs(one, [0.85, 0.86, 0.87]), baseline, "none") == "worse"
    # One seed has no spread to compare with, and the baseline is not compared with itself.
    assert versus_first("l2", _runs(one, [0.99]), _runs(one, [0.5]), "none") == ""
    assert versus_first("none", baseline, baseline, "none") == ""


def test_mask_runs_are_the_same_dropout_model_fixed_and_fresh_over_seeds():
    runs = mask_runs(STUDY["dropout"], seeds=4)
    assert list(runs) == ["fixed", "fresh"]
    for mask, settings in runs.items():
        assert [s.seed for s in settings] == [0, 1, 2, 3] == [s.dropout_seed for s in settings]
        assert {(s.dropout_mask, s.keep_prob, s.lambd) for s in settings} == {(mask, 0.86, 0.0)}


def test_the_mask_summary_places_the_single_run_among_the_others(moons):
    one = run_study(moons, base={"dropout": STUDY["dropout"].replace(num_iterations=10)})["dropout"][0]
    results = {"fixed": _runs(one, [0.90, 0.92, 0.94, 0.96]), "fresh": _runs(one, [0.90, 0.91, 0.92, 0.93])}
    single = dataclasses.replace(one, test_accuracy=0.95)
    summary = mask_summary(results, single)
    fresh = summary.loc["fresh"]
    assert fresh.test_accuracy == pytest.approx(0.915) and fresh.runs == 4
    assert (fresh.lowest, fresh.highest, fresh.reaching_single) == (0.90, 0.93, 0)
    assert fresh.single_in_std == pytest.approx((0.95 - 0.915) / np.std([0.90, 0.91, 0.92, 0.93], ddof=1))
    assert summary.loc["fixed"].reaching_single == 1


def test_on_the_course_file_the_published_95_is_one_lucky_run(course_data_path):
    # The notebook's single run with its fixed masks, against ten seeds each way (what the page's
    # "Dropout runs" trains there).
    dataset = nnreg.load_dataset(course_data_path)
    single = nnreg.train(dataset, STUDY["dropout"].replace(dropout_mask="fixed"))
    runs = mask_runs(STUDY["dropout"])
    results = {mask: nnreg.train_many(dataset, settings) for mask, settings in runs.items()}
    summary = mask_summary(results, single)
    assert single.test_accuracy == 0.95
    assert summary.loc["fixed"].reaching_single == 1 and summary.loc["fresh"].reaching_single == 0
    # How far above lies with the CPU: the compiled loop's sums follow its vector width, and two of
    # the ten long runs end a test point apart (2.26 standard deviations compiled for AVX2, 1.96 for
    # AVX-512; docs/data.md, Exact reproduction).
    assert summary.loc["fresh"].test_accuracy < 0.94 and summary.loc["fresh"].single_in_std > 1.5


def test_the_summary_names_how_runs_ended_and_compares_a_collapsed_model(football):
    # λ = 50 collapses on every seed (its weights go to 0): it learned nothing, and it is compared.
    base = {"none": nnreg.Settings(num_iterations=3000), "huge": nnreg.Settings(lambd=50.0, num_iterations=3000)}
    results = run_study(football, seeds=2, base=base)
    assert {run.outcome.kind for run in results["huge"]} == {nnreg.training.COLLAPSED}
    table = summary_table(results).set_index("name")
    assert list(table.outcome) == ["trained", "collapsed"]
    assert (table.loc["huge", "collapsed"], table.loc["huge", "diverged"]) == (2, 0)
    assert table.loc["huge", "test_vs_first"] == "worse"
    # A diverged run is no result: nothing is compared with it.
    diverged = nnreg.training.Outcome(nnreg.training.DIVERGED, "exploded", 100, 0.7, 2.5)
    results["huge"][1] = dataclasses.replace(results["huge"][1], outcome=diverged)
    table = summary_table(results).set_index("name")
    assert table.loc["huge", "outcome"] == "1 collapsed, 1 diverged" and table.loc["huge", "test_vs_first"] == ""
