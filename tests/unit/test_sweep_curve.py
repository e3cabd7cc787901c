"""The data-size curve: families from the grid, the choice on dev per family and fraction, the
retrained models' test accuracy, the summary, its table and findings, and results files."""

import math

import numpy as np
import pandas as pd
import pytest

import nnreg
from nnreg.sweeps import (FAMILIES, check_results_path, curve_findings, curve_models, curve_summary, curve_table,
                          data_size_curve, dev_mask, is_curve, left_out_note, read_results, with_dev_as_test,
                          write_results)
from nnreg.sweeps.curve import family_of, family_settings, fraction_list

TINY = nnreg.Settings(num_iterations=300)
FRACTIONS = [0.5, 1.0]
# L2 and dropout have one strength each (nothing to choose: no dev phase); L1 two.
GRID = {"lambd": [0.0, 0.7], "l1": [0.01, 0.1], "keep_prob": [1.0, 0.86]}
SEEDS = 2


def _curve(dataset, **options):
    return data_size_curve(dataset, FRACTIONS, GRID, SEEDS, TINY, **options)


@pytest.fixture(scope="module")
def curve(moons):
    return _curve(moons)


def _with_test_labels_flipped(dataset):
    test_Y = 1 - dataset.test_Y
    test_Y.setflags(write=False)
    return nnreg.Dataset(dataset.name, dataset.train_X, dataset.train_Y, dataset.test_X, test_Y)


# Families


def test_each_family_is_one_regularizer_alone_at_the_grids_strengths():
    families = family_settings({"lambd": [0.0, 0.1, 0.7], "l1": [0.0, 0.01], "keep_prob": [1.0, 0.86, 0.7]})
    assert list(families) == ["none", "l2", "l1", "dropout"]
    assert families["none"] == [{"lambd": 0.0, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0}]
    assert families["l2"] == [{"lambd": 0.1, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0},
                              {"lambd": 0.7, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0}]
    assert families["l1"] == [{"lambd": 0.0, "l1": 0.01, "weight_decay": 0.0, "keep_prob": 1.0}]
    assert [s["keep_prob"] for s in families["dropout"]] == [0.86, 0.7]
    assert {family_of(s) for family, settings in families.items() for s in settings} == set(families)
    assert family_of({"lambd": 0.7, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 0.86}) is None


def test_a_family_without_strengths_in_the_grid_is_left_out_with_a_note(moons):
    result = data_size_curve(moons, FRACTIONS, {"lambd": [0.0, 0.7]}, SEEDS, TINY)
    assert result.left_out == ["l1", "dropout"]
    assert set(result.rows["family"]) == set(result.summary["family"]) == {"none", "l2"}
    assert left_out_note(result.left_out) == ("L1 is left out: the grid has no l1 value other than 0; "
                                              "Dropout is left out: the grid has no keep_prob value other than 1")


def test_fractions_are_checked_distinct_and_sorted():
    assert fraction_list([1, 0.25, 0.5]) == [0.25, 0.5, 1.0]
    with pytest.raises(ValueError, match="train_fraction lists a value twice: 0.5, 0.5"):
        fraction_list([0.5, 0.5])
    with pytest.raises(ValueError, match=r"train_fraction must be a number from 0.05 to 1, got 0.01"):
        fraction_list([0.01, 1])
    with pytest.raises(ValueError, match="needs at least one value"):
        fraction_list([])


# The curve's models


def test_one_row_per_model_and_the_dev_phase_only_where_there_is_a_choice(curve, moons):
    rows = curve.rows
    assert rows.columns[0] == "family" and not curve.stopped and curve.left_out == []
    dev, final = rows[rows["phase"] == "dev"], rows[rows["phase"] == "final"]
    # Only L1 has two strengths: 2 strengths x 2 fractions x 2 seeds on dev.
    assert set(dev["family"]) == {"l1"} and len(dev) == 2 * 2 * SEEDS
    assert len(final) == len(FAMILIES) * len(FRACTIONS) * SEEDS
    assert len(rows) == len(curve_models(GRID, FRACTIONS, SEEDS, TINY))
    for family, settings in family_settings(GRID).items():
        if len(settings) == 1:
            at = final[final["family"] == family]
            assert set(zip(at["lambd"], at["l1"], at["weight_decay"], at["keep_prob"])) == {tuple(settings[0].values())}


def test_train_size_is_the_fraction_of_the_training_points(curve, moons):
    rows = curve.rows
    final, dev = rows[rows["phase"] == "final"], rows[rows["phase"] == "dev"]
    outside_dev = len(moons.train_Y) - int(dev_mask(moons).sum())
    for fraction in FRACTIONS:
        expected = int(nnreg.data.subsample_mask(moons.train_Y, fraction, 0).sum())
        assert set(final.loc[final["train_fraction"] == fraction, "train_size"]) == {expected}
        at = dev.loc[dev["train_fraction"] == fraction, "train_size"]
        assert set(at) == {int(nnreg.data.subsample_mask(moons.train_Y[~dev_mask(moons)], fraction, 0).sum())}
    assert set(final.loc[final["train_fraction"] == 1.0, "train_size"]) == {len(moons.train_Y)}
    assert set(dev.loc[dev["train_fraction"] == 1.0, "train_size"]) == {outside_dev}
    summary = curve.summary.set_index(["train_fraction", "family"])
    assert summary.loc[(0.5, "none"), "train_size"] == len(moons.train_Y) // 2


def test_rows_match_models_trained_directly(curve, moons):
    rows = curve.rows
    final = rows[(rows["phase"] == "final") & (rows["family"] == "dropout") & (rows["train_fraction"] == 0.5)]
    row = final.iloc[1]
    direct = nnreg.train(moons, TINY.replace(keep_prob=0.86, train_fraction=0.5, seed=1, dropout_seed=1))
    assert (row["train_size"], row["train_accuracy"], row["test_accuracy"]) == (
        direct.train_size, direct.train_accuracy, direct.test_accuracy)
    dev_row = rows[(rows["phase"] == "dev") & (rows["l1"] == 0.1) & (rows["train_fraction"] == 0.5)].iloc[0]
    split = with_dev_as_test(moons, dev_mask(moons))
    on_split = nnreg.train(split, TINY.replace(l1=0.1, train_fraction=0.5, seed=0, dropout_seed=0))
    assert dev_row["dev_accuracy"] == on_split.test_accuracy


def _se(values, n) -> float:
    """An accuracy's standard error by hand: the Wilson half-width over z and the seeds' std/√seeds."""
    z, values = 1.959963984540054, np.asarray(values, dtype=float)
    p = values.mean()
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return math.hypot(half / z, values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0.0)


def test_the_strength_retrained_is_the_one_standard_error_choice_at_each_fraction(curve):
    rows = curve.rows
    dev = rows[rows["phase"] == "dev"]
    for fraction in FRACTIONS:
        at = dev[dev["train_fraction"] == fraction]
        scores = {l1: (group["dev_accuracy"].mean(), _se(group["dev_accuracy"], group["dev_size"].iloc[0]),
                       group["weight_norm"].mean()) for l1, group in at.groupby("l1", sort=False)}
        best = max(scores, key=lambda l1: scores[l1][0])
        within = [l1 for l1, (score, _, _) in scores.items() if score >= scores[best][0] - scores[best][1]]
        simplest = min(within, key=lambda l1: scores[l1][2])
        retrained = rows[(rows["phase"] == "final") & (rows["family"] == "l1") & (rows["train_fraction"] == fraction)]
        assert set(retrained["l1"]) == {simplest}


def test_the_choice_never_depends_on_test_labels(curve, moons):
    flipped = _curve(_with_test_labels_flipped(moons))
    settings = ["family", "phase", "lambd", "l1", "keep_prob", "seed", "train_fraction", "train_size"]
    pd.testing.assert_frame_equal(flipped.rows[settings], curve.rows[settings])
    pd.testing.assert_series_equal(flipped.summary["strength"], curve.summary["strength"])
    dev = curve.rows["phase"] == "dev"
    assert np.array_equal(flipped.rows.loc[dev, "dev_accuracy"], curve.rows.loc[dev, "dev_accuracy"])
    assert np.allclose(flipped.rows["test_accuracy"], 1 - curve.rows["test_accuracy"])


def test_progress_counts_every_model_and_a_stopped_curve_keeps_its_rows(moons):
    calls = []
    stopped = _curve(moons, progress=lambda done, total: calls.append((done, total)),
                     should_stop=lambda: bool(calls))
    total = len(curve_models(GRID, FRACTIONS, SEEDS, TINY))
    assert stopped.stopped and 0 < len(stopped.rows) == len(calls) < total
    assert calls == [(k, total) for k in range(1, len(calls) + 1)]
    # What was trained is kept, in the curve's order: the dev phase comes first.
    assert (stopped.rows["phase"] == "dev").all() and set(stopped.rows["family"]) == {"l1"}
    assert stopped.summary.empty


def test_a_fraction_too_small_to_train_on_is_named_before_training(moons):
    calls = []
    with pytest.raises(ValueError, match="train_fraction: 0.1 of the 60 training points is too few to train on "
                                         r"\(at least 10, of both labels, are needed\); 0.2 or more works here"):
        data_size_curve(moons, [0.1, 1], GRID, SEEDS, TINY, progress=lambda *a: calls.append(a))
    with pytest.raises(ValueError, match="outside the dev set is too few"):
        data_size_curve(moons, [0.2, 1], GRID, SEEDS, TINY, progress=lambda *a: calls.append(a))
    assert calls == []


@pytest.mark.parametrize("options, message", [
    ({"local_cluster": 0}, "from 1 to 64"), ({"dev_fraction": 0.0}, "dev_fraction must be a number from 0.05 to 0.5, got 0"),
])
def test_bad_options_are_named_before_training(moons, options, message):
    calls = []
    with pytest.raises(ValueError, match=message):
        _curve(moons, progress=lambda *a: calls.append(a), **options)
    assert calls == []


# The summary, its table and what it says


def test_summary_is_one_row_per_fraction_and_family_with_the_test_accuracy_over_seeds(curve):
    summary = curve.summary
    assert list(zip(summary["train_fraction"], summary["family"])) == [
        (fraction, family) for fraction in FRACTIONS for family in FAMILIES]
    assert (summary["seeds"] == SEEDS).all()
    final = curve.rows[curve.rows["phase"] == "final"]
    row = summary.iloc[5]
    values = final.loc[(final["family"] == row.family) & (final["train_fraction"] == row.train_fraction),
                       "test_accuracy"]
    assert (row.test_accuracy_mean, row.test_accuracy_std) == pytest.approx((values.mean(), values.std()))
    assert summary["candidates"].tolist() == [1, 1, 2, 1] * 2
    assert math.isnan(summary.loc[0, "strength"]) and summary.loc[1, "strength"] == 0.7
    assert summary.loc[3, "strength"] == 0.86


def _final_rows(tests: dict, test_size=200) -> pd.DataFrame:
    """Hand-made "final" rows: {(fraction, train_size): {(family, strength): [test accuracy per seed]}}."""
    rows = []
    for (fraction, size), models in tests.items():
        for (family, strength), values in models.items():
            setting = {"lambd": 0.0, "l1": 0.0, "keep_prob": 1.0}
            if FAMILIES[family] is not None:
                setting[FAMILIES[family]] = strength
            for seed, value in enumerate(values):
                rows.append({"family": family, "phase": "final", **setting, "seed": seed, "train_fraction": fraction,
                             "train_size": size, "train_accuracy": 0.9, "dev_accuracy": math.nan,
                             "test_accuracy": value, "test_size": test_size, "cost": 0.3, "weight_norm": 5.0})
    return pd.DataFrame(rows)


def test_table_and_findings_say_the_same_numbers():
    rows = _final_rows({(0.1, 21): {("none", None): [0.70, 0.72, 0.74], ("l2", 0.7): [0.85, 0.86, 0.87],
                                    ("dropout", 0.86): [0.71, 0.73, 0.75]},
                        (1.0, 211): {("none", None): [0.80, 0.82, 0.84], ("l2", 0.3): [0.85, 0.86, 0.87],
                                     ("dropout", 0.7): [0.81, 0.83, 0.85]}})
    summary = curve_summary(rows)
    table = curve_table(summary)
    assert list(table.columns) == ["fraction", "train points", "No regularization test %", "L2 test %", "lambd",
                                   "Dropout test %", "keep_prob"]
    assert table.values.tolist() == [
        ["0.1", "21", "72.0 ± 2.0", "86.0 ± 1.0", "0.7", "73.0 ± 2.0", "0.86"],
        ["1", "211", "82.0 ± 2.0", "86.0 ± 1.0", "0.3", "83.0 ± 2.0", "0.7"]]
    se = [100 * max(_se([0.85, 0.86, 0.87], 200), _se([0.71, 0.73, 0.75], 200)),
          100 * max(_se([0.85, 0.86, 0.87], 200), _se([0.81, 0.83, 0.85], 200))]
    assert curve_findings(rows, summary) == [
        "At fraction 0.1 (21 training points), L2 (lambd = 0.7) has the best test accuracy, 86.0 ± 1.0 %, 13.0 "
        "points above Dropout (keep_prob = 0.86) at 73.0 ± 2.0 %: beyond noise, more than the larger standard "
        f"error, {se[0]:.1f} points (seeds and test points together).",
        "At fraction 1 (211 training points), L2 (lambd = 0.3) has the best test accuracy, 86.0 ± 1.0 %, 3.0 "
        "points above Dropout (keep_prob = 0.7) at 83.0 ± 2.0 %: beyond noise, more than the larger standard "
        f"error, {se[1]:.1f} points (seeds and test points together)."]
    assert 0 < se[0] < 13 and 0 < se[1] < 3


def test_a_difference_within_the_standard_error_is_said_to_be_within_noise():
    rows = _final_rows({(0.1, 21): {("none", None): [0.80, 0.84, 0.88], ("l1", 0.1): [0.81, 0.85, 0.89]},
                        (1.0, 211): {("none", None): [0.80, 0.84, 0.88], ("l1", 0.1): [0.91, 0.95, 0.99]}})
    findings = curve_findings(rows, curve_summary(rows))
    se = 100 * _se([0.80, 0.84, 0.88], 200)
    assert 1.0 < se < 11.0
    assert findings[0] == ("At fraction 0.1 (21 training points), L1 (l1 = 0.1) has the best test accuracy, "
                           "85.0 ± 4.0 %, 1.0 points above No regularization at 84.0 ± 4.0 %: within noise, no more "
                           f"than the larger standard error, {se:.1f} points (seeds and test points together).")
    assert "11.0 points above No regularization at 84.0 ± 4.0 %: beyond noise" in findings[1]


def test_with_one_seed_the_test_points_alone_are_the_noise():
    # 85 % against 80 % of 200 test points: the Wilson half-width alone is about 5 points, se 2.5.
    rows = _final_rows({(0.1, 21): {("none", None): [0.80], ("l2", 0.7): [0.85]}})
    findings = curve_findings(rows, curve_summary(rows))
    se = 100 * _se([0.80], 200)
    assert len(findings) == 1 and findings[0].endswith(
        f"beyond noise, more than the larger standard error, {se:.1f} points (seeds and test points together).")
    # Results written before rows counted their test points, with one seed: nothing to measure the noise by.
    old = curve_summary(rows.drop(columns="test_size"))
    assert curve_findings(rows, old)[0].endswith("one seed and no count of the test points: the noise is unknown.")


# Results files


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_curves_results_round_trip(curve, tmp_path, suffix):
    path = check_results_path(tmp_path / f"curve{suffix}")
    write_results(curve.rows, path)
    back = read_results(path.read_bytes(), path.name)
    assert is_curve(back) and not is_curve(curve.rows.drop(columns="family"))
    pd.testing.assert_frame_equal(curve_summary(back), curve.summary, check_dtype=False)


@pytest.mark.parametrize("change, message", [
    (lambda rows: rows.assign(family="l3"), "column family must be one of none, l2, l1, dropout, found 'l3'"),
    (lambda rows: rows.drop(columns="train_size"), "needs column(s) train_size"),
    (lambda rows: rows[rows["phase"] == "dev"], "there are no final rows"),
])
def test_a_bad_curve_file_is_named(curve, change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_results(change(curve.rows).to_csv(index=False).encode(), "curve.csv")


def test_the_gap_as_shown_reads_larger_than_the_standard_error_as_shown():
    # Means 85.53 % and 84.78 %, the larger standard error 0.70 points (std 1.21 over 3 seeds, a
    # million test points): 0.75 apart, beyond noise; at one decimal "85.5" − "84.8" = 0.7 would
    # read equal to "0.7", so two decimals tell them apart.
    rows = _final_rows({(1.0, 211): {("l1", 0.1): [0.8432, 0.8553, 0.8674], ("l2", 0.7): [0.8478] * 3}},
                       test_size=10**6)
    se = 100 * _se([0.8432, 0.8553, 0.8674], 10**6)
    assert f"{se:.1f}" == "0.7" and f"{se:.2f}" == "0.70"
    finding = curve_findings(rows, curve_summary(rows))[0]
    assert ("85.53 ± 1.21 %, 0.75 points above L2 (lambd = 0.7) at 84.78 ± 0.00 %: beyond noise, more than the "
            "larger standard error, 0.70 points") in finding


def test_the_table_says_where_a_family_collapsed(moons):
    # λ/m grows as the points shrink; λ = 50 underfits into one label at every fraction here.
    result = data_size_curve(moons, FRACTIONS, {"lambd": [0.0, 50.0]}, SEEDS, TINY)
    final = result.rows[result.rows["phase"] == "final"]
    assert set(final.loc[final["family"] == "l2", "outcome"]) == {"collapsed"}
    assert set(final.loc[final["family"] == "none", "outcome"]) == {"trained"}
    table = curve_table(result.summary)
    assert all(cell.endswith(" (collapsed)") for cell in table["L2 test %"])
    assert not any("(" in cell for cell in table["No regularization test %"])
