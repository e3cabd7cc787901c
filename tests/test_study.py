"""The study: the course's models over seeds, summarized with an honest comparison."""

import dataclasses

import numpy as np
import pytest

from nnreg import STUDY
from nnreg.study import run_study, summary_table, versus_none


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
    assert versus_none("l2", _runs(one, [0.91, 0.93, 0.95]), baseline) == "within noise"  # +0.01
    assert versus_none("l2", _runs(one, [0.95, 0.96, 0.97]), baseline) == "better"        # +0.04
    assert versus_none("l2", _runs(one, [0.85, 0.86, 0.87]), baseline) == "worse"
    # One seed has no spread to compare with, and the baseline is not compared with itself.
    assert versus_none("l2", _runs(one, [0.99]), _runs(one, [0.5])) == ""
    assert versus_none("none", baseline, baseline) == ""
