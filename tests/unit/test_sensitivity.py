"""nnreg.sensitivity: a model trained again from its start nudged by one part in 10^12, compared
with itself; the view's sentence and table (nnreg.dashboard.sensitivity_captions) and its chart."""

import math
import re

import numpy as np
import pytest

import nnreg
from nnreg import STUDY, Settings, charts, sensitivity, training
from nnreg.dashboard import ModelCache
from nnreg.dashboard import sensitivity_captions as captions
from nnreg.sensitivity import CHAOTIC, NUDGE, SENSITIVE, STABLE

SHORT = Settings(num_iterations=300)


def relative_changes(parameters, other):
    """Each layer's ‖W' − W‖_F / ‖W‖_F, computed here apart from nnreg.sensitivity."""
    return {name: np.linalg.norm(other[name] - value) / np.linalg.norm(value)
            for name, value in parameters.items() if name.startswith("W")}


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_the_nudged_start_is_the_start_moved_by_one_part_in_10_to_the_12(football, engine):
    settings = STUDY["dropout"].replace(num_iterations=10)
    plain = training.train(football, settings, engine=engine)
    nudged = training.train(football, settings, engine=engine, nudge=NUDGE)
    start, moved = plain.checkpoints[0], nudged.checkpoints[0]
    for name, value in start.items():
        if name.startswith("W"):
            ratio = moved[name] / value
            # Every weight moved by exactly the nudge, up or down, and both directions drawn.
            assert np.allclose(np.abs(ratio - 1), NUDGE, rtol=1e-3, atol=0)
            assert (ratio > 1).any() and (ratio < 1).any()
        else:
            # The course's biases start at 0, which a relative nudge leaves at 0.
            assert not value.any() and not moved[name].any()
    assert not np.array_equal(plain.parameters["W1"], nudged.parameters["W1"])


def test_the_nudge_is_seeded_and_no_nudge_is_the_model_itself(football):
    settings = SHORT.replace(seed=5)
    start = nnreg.network.initialize_parameters(training.layer_sizes(settings, football), 5)
    first, again = training.nudged(start, NUDGE, 5), training.nudged(start, NUDGE, 5)
    assert all(np.array_equal(first[name], again[name]) for name in start)
    other = training.nudged(start, NUDGE, 6)
    assert not np.array_equal(first["W1"], other["W1"])
    plain, unnudged = training.train(football, settings), training.train(football, settings, nudge=0.0)
    assert all(np.array_equal(plain.parameters[name], unnudged.parameters[name]) for name in plain.parameters)


@pytest.mark.parametrize("nudge", [-1e-12, 1.0, math.nan, math.inf, "1e-12", True])
def test_a_nudge_that_is_no_small_share_is_refused_by_name(football, nudge):
    with pytest.raises(ValueError, match=r"nudge must be a number from 0 to below 1"):
        training.train(football, SHORT, nudge=nudge)
    with pytest.raises(ValueError, match=r"nudge must be a number from 0 to below 1"):
        training.train_many(football, [SHORT], nudge=nudge)


def test_both_engines_start_from_the_same_nudged_parameters(football):
    settings = SHORT.replace(num_iterations=1)
    runs = [training.train(football, settings, engine=engine, nudge=NUDGE) for engine in ("numpy", "numba")]
    assert all(np.array_equal(runs[0].checkpoints[0][name], runs[1].checkpoints[0][name])
               for name in runs[0].checkpoints[0])


def test_weight_changes_per_layer_and_over_the_network():
    parameters = {"W1": np.array([[3.0, 4.0]]), "b1": np.zeros((1, 1)), "W2": np.array([[1.0]]), "b2": np.ones((1, 1))}
    other = {"W1": np.array([[3.0, 4.5]]), "b1": np.ones((1, 1)), "W2": np.array([[1.0]]), "b2": np.zeros((1, 1))}
    layers, whole = sensitivity.weight_changes(parameters, other)
    # Biases are not weights: b1 and b2 moved and count for nothing.
    assert layers == {"W1": pytest.approx(0.5 / 5), "W2": 0.0}
    assert whole == pytest.approx(0.5 / math.sqrt(26))
    zeros = {**parameters, "W2": np.zeros((1, 1))}
    assert sensitivity.weight_changes(zeros, zeros)[0]["W2"] == 0.0
    assert sensitivity.weight_changes(zeros, parameters)[0]["W2"] == math.inf


@pytest.mark.parametrize("change, flipped, expected", [
    (1e-12, 0, STABLE), (9.9e-7, 0, STABLE), (1e-6, 0, SENSITIVE), (9.9e-3, 0, SENSITIVE), (1e-2, 0, CHAOTIC),
    (1e-12, 1, CHAOTIC), (5e-4, 3, CHAOTIC), (math.inf, 0, CHAOTIC), (math.nan, 0, CHAOTIC)])
def test_the_verdict_reads_the_largest_change_and_the_labels(change, flipped, expected):
    assert sensitivity.verdict(change, flipped) == expected


def test_l2_is_stable_and_no_regularization_chaotic_on_a_seed_of_ten(football):
    # Measured on seeds 0 to 9: L2's largest change 1.3·10^-13 at seed 0, 3.8·10^-13 at 4 and 4.6·10^-13
    # at 9; without regularization 6 of the 10 seeds chaotic.
    l2 = [STUDY["l2"].replace(seed=seed) for seed in (0, 4, 9)]
    results = training.train_many(football, l2)
    for found in sensitivity.sensitivities(football, results):
        assert found.verdict == STABLE and found.flipped == 0
        # The nudge may grow for a while (to 1.4·10^-9 at seed 0) before L2's pull brings the runs back together.
        assert found.largest_change < 1e-11 and max(found.changes) < 1e-6
    for seed in range(10):
        result = training.train(football, STUDY["none"].replace(seed=seed))
        found = sensitivity.sensitivities(football, [result])[0]
        if found.verdict == CHAOTIC:
            break
    else:
        pytest.fail("no regularization was not chaotic on any of the init seeds 0 to 9")
    # It grew from the nudge to a percent or to other labels, ten orders of magnitude or more.
    assert found.changes[0] == pytest.approx(NUDGE, rel=1e-3)
    assert found.largest_change >= 1e-2 or found.flipped
    assert found.largest_change > 1e8 * NUDGE


def test_compare_counts_the_labels_that_changed_and_both_runs_accuracies(football):
    settings = STUDY["none"].replace(seed=8)
    result, nudged = (training.train(football, settings, nudge=nudge) for nudge in (0.0, NUDGE))
    found = sensitivity.compare(result, nudged, football)
    train_changed = int(np.sum(result.predict(football.train_X) != nudged.predict(football.train_X)))
    test_changed = int(np.sum(result.predict(football.test_X) != nudged.predict(football.test_X)))
    assert (found.train_flipped, found.test_flipped) == (train_changed, test_changed)
    assert (found.train_size, found.test_size) == (211, 200)
    assert found.train_accuracy == result.train_accuracy and found.nudged_test_accuracy == nudged.test_accuracy
    layers = relative_changes(result.parameters, nudged.parameters)
    assert found.layer_changes == pytest.approx(layers, rel=1e-9)
    assert found.iterations[0] == 0 and found.iterations[-1] == settings.num_iterations
    assert found.changes[-1] == pytest.approx(max(layers.values()), rel=1e-9)


def test_the_model_cache_with_a_nudge_trains_and_keeps_the_nudged_runs(football):
    cache, settings = ModelCache(nudge=NUDGE), SHORT.replace(seed=2)
    nudged = cache.results(football, [settings])[0]
    plain = training.train(football, settings)
    assert max(relative_changes(plain.checkpoints[0], nudged.checkpoints[0]).values()) == pytest.approx(NUDGE, rel=1e-3)
    assert cache.results(football, [settings])[0] is nudged


# --- The view's sentence and table ---------------------------------------------------------------

SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def shown_numbers(text):
    """The numbers a sentence writes as "4·10⁻⁴" or "10⁻¹²", as floats."""
    found = re.findall(r"(?:(\d(?:\.\d+)?)·)?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text)
    return [float(mantissa or 1) * 10 ** int(exponent.translate(SUPERSCRIPT)) for mantissa, exponent in found]


@pytest.fixture(scope="module")
def course_pairs(football):
    """The course's three models at init seed 8 and their nudged runs: chaotic, stable and more."""
    models = {"No regularization": STUDY["none"], "L2": STUDY["l2"], "Dropout": STUDY["dropout"]}
    runs = [settings.replace(seed=8) for settings in models.values()]
    return dict(zip(models, zip(training.train_many(football, runs), training.train_many(football, runs, nudge=NUDGE))))


def test_the_notice_says_each_model_s_change_labels_and_verdict_from_the_runs(football, course_pairs):
    found = {name: sensitivity.compare(result, nudged, football) for name, (result, nudged) in course_pairs.items()}
    notice = captions.sensitivity_notice(found)
    clauses = notice.split(": ", 1)[1].rstrip(".").split("; ")
    assert shown_numbers(notice.split(": ", 1)[0]) == [1e12, NUDGE]
    for clause, (name, (result, nudged)) in zip(clauses, course_pairs.items(), strict=True):
        largest = max(relative_changes(result.parameters, nudged.parameters).values())
        changed = (int(np.sum(result.predict(football.train_X) != nudged.predict(football.train_X))),
                   int(np.sum(result.predict(football.test_X) != nudged.predict(football.test_X))))
        expected = CHAOTIC if largest >= 1e-2 or any(changed) else STABLE if largest < 1e-6 else SENSITIVE
        assert clause.startswith(f"{name}'s") and clause.endswith(f": {expected}")
        assert shown_numbers(clause) == [pytest.approx(float(f"{largest:.0e}"))]
        counts = [int(count) for count in re.findall(r"(\d+) (?:training|test) points?", clause)]
        assert counts == [count for count in changed if count]
    # Seed 8 has each kind: the labels of 10 training and 14 test points changed without regularization.
    assert [clause.rsplit(": ", 1)[1] for clause in clauses] == [CHAOTIC, STABLE, STABLE]


def test_the_table_shows_both_runs_accuracies_and_the_labels_changed(football, course_pairs):
    found = {name: sensitivity.compare(result, nudged, football) for name, (result, nudged) in course_pairs.items()}
    table = captions.sensitivity_table(found)
    for (_, row), (name, (result, nudged)) in zip(table.iterrows(), course_pairs.items(), strict=True):
        assert row["Model"] == name
        assert row["Train accuracy"] == f"{result.train_accuracy:.1%}\u00a0→\u00a0{nudged.train_accuracy:.1%}"
        assert row["Test accuracy"] == f"{result.test_accuracy:.1%}\u00a0→\u00a0{nudged.test_accuracy:.1%}"
        changed = int(np.sum(result.predict(football.test_X) != nudged.predict(football.test_X)))
        assert row["Labels changed (test)"] == f"{changed} of 200"
        whole = sensitivity.weight_changes(result.parameters, nudged.parameters)[1]
        assert shown_numbers(row["Whole network"]) == [pytest.approx(float(f"{whole:.0e}"))]


@pytest.mark.parametrize("value, text", [
    (1e-12, "10⁻¹²"), (3.4e-2, "3·10⁻²"), (9.96e-3, "9.96·10⁻³"), (9.7e-7, "9.7·10⁻⁷"),
    (1.04e-6, "10⁻⁶"), (0.0, "0"), (math.inf, "∞")])
def test_a_change_reads_on_its_side_of_each_threshold(value, text):
    assert captions.change_text(value) == text
    if 0 < value < math.inf:
        # 9.96·10^-3 as 10⁻² would read chaotic, and 9.7·10^-7 as 10⁻⁶ sensitive.
        assert sensitivity.verdict(shown_numbers(text)[0], 0) == sensitivity.verdict(value, 0)


def test_the_drift_chart_draws_each_model_in_its_colour_on_a_log_scale(football, course_pairs):
    found = {name: sensitivity.compare(result, nudged, football) for name, (result, nudged) in course_pairs.items()}
    results = {name: result for name, (result, _) in course_pairs.items()}
    spec = charts.drift(results, found).to_dict()
    lines = spec["layer"][2]
    assert lines["encoding"]["y"]["scale"]["type"] == "log"
    assert lines["encoding"]["color"]["scale"]["range"] == list(charts.model_colors(results).values())
    frame = charts.drift_frame(found)
    assert list(frame["model"].unique()) == list(found)
    assert (frame["change"] > 0).all()
    thresholds = spec["layer"][0]
    assert [row["change"] for row in spec["datasets"][thresholds["data"]["name"]]] == [1e-6, 1e-2]
