"""Sweeps: the dev split, choice on dev only, rows per model, statistics and results files."""

import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nnreg
from nnreg.sweeps import (Z, NoCandidate, accuracy_interval, fold_masks, is_partial, partial_rows, wilson, check_results_path, choose, comparison, data_size_curve, dev_mask, grid_settings, interval,
                          read_results, results_bytes, stopped_curve, stopped_sweep, summarize, with_dev_as_test,
                          within_noise, write_results)

from nnreg.training import train_many

TINY = nnreg.Settings(num_iterations=300)
GRID = {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}


@pytest.fixture(scope="module")
def result(football):
    return nnreg.sweep(football, GRID, 2, TINY)


def _rows(dev: dict, test: dict | None = None, seeds=(0, 1, 2)) -> pd.DataFrame:
    """Hand-made "dev" rows: {(lambd, l1, keep_prob): [dev accuracy per seed]}."""
    rows = []
    for (lambd, l1, keep_prob), values in dev.items():
        tests = (test or {}).get((lambd, l1, keep_prob), values)
        for seed, value, test_value in zip(seeds, values, tests):
            rows.append({"phase": "dev", "lambd": lambd, "l1": l1, "keep_prob": keep_prob, "seed": seed,
                         "train_accuracy": 1.0, "dev_accuracy": value, "test_accuracy": test_value,
                         "cost": 0.1, "weight_norm": 5.0})
    return pd.DataFrame(rows)


def _with_test_labels_flipped(dataset):
    test_Y = 1 - dataset.test_Y
    test_Y.setflags(write=False)
    return nnreg.Dataset(dataset.name, dataset.train_X, dataset.train_Y, dataset.test_X, test_Y)


# The dev split


def test_dev_set_is_drawn_from_training_points_only(football):
    far_test_X = football.test_X + 100.0
    far_test_X.setflags(write=False)
    dataset = nnreg.Dataset("far", football.train_X, football.train_Y, far_test_X, football.test_Y)
    split = with_dev_as_test(dataset, dev_mask(dataset, 0.25))
    assert np.abs(split.test_X).max() < 50 and np.abs(split.train_X).max() < 50
    together = np.vstack([split.train_X, split.test_X])
    assert len(together) == len(football.train_X)
    assert np.array_equal(np.unique(together, axis=0), np.unique(football.train_X, axis=0))


def test_dev_split_is_stratified_seeded_and_sized(football):
    mask = dev_mask(football, 0.25)
    y = football.train_Y
    for label in (0, 1):
        assert mask[y == label].sum() == round(0.25 * (y == label).sum())
    assert np.array_equal(mask, dev_mask(football, 0.25))
    assert not np.array_equal(mask, dev_mask(football, 0.25, seed=1))


@pytest.mark.parametrize("fraction, message", [
    (0.0, "got 0"), (1.0, "got 1"), (math.nan, "got nan"), ("0.2", "got '0.2'"), (0.01, "got 0.01"), (0.97, "got 0.97"),
])
def test_bad_dev_fraction_is_named(football, fraction, message):
    # The range of every surface (nnreg.limits.RANGES).
    with pytest.raises(ValueError, match=f"dev_fraction must be a number from 0.05 to 0.5, {message}"):
        dev_mask(football, fraction)


# The choice


def test_choice_never_depends_on_test_labels(football, result):
    flipped = nnreg.sweep(_with_test_labels_flipped(football), GRID, 2, TINY)
    assert flipped.chosen == result.chosen
    columns = ["phase", "lambd", "l1", "keep_prob", "seed", "train_accuracy", "dev_accuracy", "cost", "weight_norm"]
    pd.testing.assert_frame_equal(flipped.rows[columns], result.rows[columns])
    assert np.allclose(flipped.rows["test_accuracy"], 1 - result.rows["test_accuracy"])


def test_choice_follows_mean_dev_accuracy_not_test_accuracy():
    rows = _rows({(0.0, 0.0, 1.0): [0.80, 0.82, 0.84], (0.7, 0.0, 1.0): [0.90, 0.90, 0.93]},
                 test={(0.0, 0.0, 1.0): [0.99, 0.99, 0.99], (0.7, 0.0, 1.0): [0.50, 0.50, 0.50]})
    assert choose(rows) == {"lambd": 0.7, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0}
    final = rows.iloc[:1].assign(phase="final", lambd=0.0, dev_accuracy=1.0)
    assert choose(pd.concat([rows, final])) == {"lambd": 0.7, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0}


def test_a_tie_goes_to_the_setting_listed_first():
    rows = _rows({(0.7, 0.0, 1.0): [0.9, 0.8, 0.7], (0.0, 0.0, 1.0): [0.7, 0.9, 0.8]})
    assert choose(rows) == {"lambd": 0.7, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0}


def test_choosing_needs_dev_rows():
    with pytest.raises(ValueError, match="no dev rows"):
        choose(_rows({(0.0, 0.0, 1.0): [0.9]}).assign(phase="final"))


# The sweep's rows


def test_one_row_per_model_and_the_chosen_setting_retrained(football, result):
    rows = result.rows
    dev, final = rows[rows["phase"] == "dev"], rows[rows["phase"] == "final"]
    assert len(dev) == 2 * 2 * 2 and len(final) == 2
    assert list(final["seed"]) == [0, 1] and final["dev_accuracy"].isna().all()
    assert dev["dev_accuracy"].notna().all()
    assert set(zip(final["lambd"], final["l1"], final["weight_decay"], final["keep_prob"])) == {tuple(result.chosen.values())}
    assert (rows["l1"] == 0.0).all() and (rows["train_fraction"] == 1.0).all()
    assert (dev["train_size"] == 211 - 53).all() and (final["train_size"] == 211).all()
    assert choose(rows) == result.chosen and not result.stopped
    norms = np.sqrt(rows["norm_W1"] ** 2 + rows["norm_W2"] ** 2 + rows["norm_W3"] ** 2)
    assert np.allclose(rows["weight_norm"], norms)
    assert (rows["seconds"] > 0).all() and (rows["layer_dims"] == "20, 3").all()
    assert (rows["dev_fraction"] == 0.25).all() and (rows["dataset"] == "football").all()


def test_rows_match_models_trained_directly(football, result):
    rows = result.rows
    dev_row = rows[(rows["phase"] == "dev") & (rows["lambd"] == 0.7) & (rows["keep_prob"] == 0.86)].iloc[1]
    settings = TINY.replace(lambd=0.7, keep_prob=0.86, seed=1, dropout_seed=1)
    on_split = nnreg.train(with_dev_as_test(football, dev_mask(football)), settings)
    assert dev_row["train_accuracy"] == on_split.train_accuracy
    assert dev_row["dev_accuracy"] == on_split.test_accuracy
    assert dev_row["test_accuracy"] == np.mean(on_split.predict(football.test_X) == football.test_Y)
    final_row = rows[rows["phase"] == "final"].iloc[0]
    full = nnreg.train(football, TINY.replace(lambd=final_row["lambd"], keep_prob=final_row["keep_prob"],
                                              seed=0, dropout_seed=0))
    assert (final_row["train_accuracy"], final_row["test_accuracy"]) == (full.train_accuracy, full.test_accuracy)
    assert final_row["weight_norm"] == pytest.approx(math.sqrt(sum(v**2 for v in full.weight_norms().values())))


def test_progress_counts_every_model(football):
    calls = []
    nnreg.sweep(football, {"lambd": [0.0, 0.1]}, 2, TINY.replace(num_iterations=50),
                progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k, 6) for k in range(1, 7)]


def test_a_stopped_sweep_keeps_its_rows_and_chooses_nothing(football):
    calls = []
    grid = {"lambd": [0.0, 0.1, 0.7, 3.0], "keep_prob": [1.0, 0.86, 0.7]}
    models = grid_settings(grid, 3, TINY.replace(num_iterations=50))
    stopped = nnreg.sweep(football, grid, 3, TINY.replace(num_iterations=50),
                          progress=lambda done, total: calls.append(done), should_stop=lambda: bool(calls))
    assert stopped.stopped and stopped.chosen is None
    # The first batch is kept whole, in grid order; nothing after it was trained.
    assert 0 < len(stopped.rows) == len(calls) < len(models)
    kept = list(zip(stopped.rows["lambd"], stopped.rows["keep_prob"], stopped.rows["seed"]))
    assert kept == [(s.lambd, s.keep_prob, s.seed) for s in models[:len(kept)]]


class _Interrupted(Exception):
    """What a page's run raises when Stop ends it (Streamlit's own is a BaseException)."""


def _interrupted_after(count):
    """A progress callback that ends the run after ``count`` models, as Streamlit ends a page's."""
    def progress(done, total):
        if done == count:
            raise _Interrupted
    return progress


def test_every_row_reaches_on_row_before_progress(football):
    events = []
    result = nnreg.sweep(football, {"lambd": [0.0, 0.1]}, 2, TINY.replace(num_iterations=50),
                         on_row=lambda row: events.append(("row", row["phase"], row["lambd"], row["seed"])),
                         progress=lambda done, total: events.append(("progress", done)))
    rows = [event for event in events if event[0] == "row"]
    assert rows == [("row", phase, lambd, seed) for phase, lambd, seed in
                    zip(result.rows["phase"], result.rows["lambd"], result.rows["seed"])]
    assert [event[0] for event in events] == ["row", "progress"] * 6


@pytest.mark.parametrize("count, dev_done", [(3, False), (8, True)])
def test_an_interrupted_sweep_keeps_what_finished_and_chooses_only_after_dev(football, count, dev_done,
                                                                             monkeypatch):
    # One model per batch, so that the run can end after any of them.
    monkeypatch.setattr("nnreg.sweeps.executors.IN_PROCESS_CHUNK_PER_CORE", 1)
    monkeypatch.setattr("nnreg.sweeps.executors.default_workers", lambda: 1)
    grid, base = {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}, TINY.replace(num_iterations=50)
    finished = []
    with pytest.raises(_Interrupted):
        nnreg.sweep(football, grid, 2, base, on_row=finished.append, progress=_interrupted_after(count))
    stopped = stopped_sweep(finished, grid, 2, base, dev_fraction=0.25)
    assert stopped.stopped and len(stopped.rows) == count
    full = nnreg.sweep(football, grid, 2, base)
    pd.testing.assert_frame_equal(stopped.rows.drop(columns="seconds"),
                                  full.rows.iloc[:count].drop(columns="seconds"))
    assert stopped.chosen == (full.chosen if dev_done else None)


def test_an_interrupted_curve_keeps_its_retrained_points(football, monkeypatch):
    monkeypatch.setattr("nnreg.sweeps.executors.IN_PROCESS_CHUNK_PER_CORE", 1)
    monkeypatch.setattr("nnreg.sweeps.executors.default_workers", lambda: 1)
    grid, base = {"lambd": [0.0, 0.1, 0.7]}, TINY.replace(num_iterations=50)
    # 2 fractions x 2 L2 strengths x 2 seeds on dev, then 2 fractions x 2 families x 2 seeds retrained:
    # ended after the dev phase and three retrained models.
    finished = []
    with pytest.raises(_Interrupted):
        data_size_curve(football, [0.5, 1.0], grid, 2, base, on_row=finished.append,
                        progress=_interrupted_after(11))
    stopped = stopped_curve(finished, grid, dev_fraction=0.25)
    full = data_size_curve(football, [0.5, 1.0], grid, 2, base)
    assert stopped.stopped and len(stopped.rows) == 11 and stopped.left_out == ["l1", "dropout"]
    pd.testing.assert_frame_equal(stopped.rows.drop(columns="seconds"), full.rows.iloc[:11].drop(columns="seconds"))
    # At fraction 0.5: no regularization over both seeds, L2 over one.
    assert stopped.summary[["train_fraction", "family", "seeds"]].values.tolist() == [[0.5, "none", 2], [0.5, "l2", 1]]
    nothing_retrained = stopped_curve(finished[:8], grid, dev_fraction=0.25)
    assert nothing_retrained.summary.empty and len(nothing_retrained.rows) == 8


# The l1 axis


L1_GRID = {"lambd": [0.0, 0.7], "l1": [0.0, 0.1]}


@pytest.fixture(scope="module")
def l1_result(football):
    return nnreg.sweep(football, L1_GRID, 2, TINY)


def test_grid_varies_l1_between_lambd_and_keep_prob():
    models = grid_settings({"lambd": [0.0, 0.7], "l1": [0.0, 0.1], "keep_prob": [1.0, 0.86]}, 2, TINY)
    assert [(s.lambd, s.l1, s.keep_prob, s.seed) for s in models[:5]] == [
        (0.0, 0.0, 1.0, 0), (0.0, 0.0, 1.0, 1), (0.0, 0.0, 0.86, 0), (0.0, 0.0, 0.86, 1), (0.0, 0.1, 1.0, 0)]
    assert len(models) == 2 * 2 * 2 * 2
    # Left out, l1 is 0: the grids of before.
    assert {s.l1 for s in grid_settings({"lambd": [0.0, 0.7]}, 2, TINY)} == {0.0}


def test_l1_models_are_rows_chosen_and_retrained_like_the_others(football, l1_result):
    rows = l1_result.rows
    assert list(rows.columns[:5]) == ["phase", "lambd", "l1", "weight_decay", "keep_prob"]
    dev, final = rows[rows["phase"] == "dev"], rows[rows["phase"] == "final"]
    assert sorted(set(zip(dev["lambd"], dev["l1"]))) == [(0.0, 0.0), (0.0, 0.1), (0.7, 0.0), (0.7, 0.1)]
    assert set(l1_result.chosen) == {"lambd", "l1", "weight_decay", "keep_prob"} and choose(rows) == l1_result.chosen
    assert set(zip(final["lambd"], final["l1"], final["weight_decay"], final["keep_prob"])) == {
        tuple(l1_result.chosen.values())}
    # A dev row is the model trained directly, its cost with L1's penalty.
    row = dev[(dev["lambd"] == 0.0) & (dev["l1"] == 0.1)].iloc[1]
    split = with_dev_as_test(football, dev_mask(football))
    direct = nnreg.train(split, TINY.replace(l1=0.1, seed=1, dropout_seed=1))
    assert (row["train_accuracy"], row["dev_accuracy"]) == (direct.train_accuracy, direct.test_accuracy)
    X, Y = split.train_X.T, split.train_Y.reshape(1, -1).astype(float)
    assert row["cost"] == pytest.approx(nnreg.network.compute_cost(X, Y, direct.parameters, l1=0.1))
    assert row["cost"] > nnreg.network.compute_cost(X, Y, direct.parameters)


def test_choice_and_comparison_are_per_lambd_l1_and_keep_prob():
    rows = _rows({(0.0, 0.0, 1.0): [0.90, 0.92, 0.94], (0.0, 0.1, 1.0): [0.95, 0.97, 0.99],
                  (0.7, 0.0, 1.0): [0.94, 0.96, 0.98], (0.7, 0.1, 1.0): [0.80, 0.80, 0.80]})
    assert choose(rows) == {"lambd": 0.0, "l1": 0.1, "weight_decay": 0.0, "keep_prob": 1.0}
    table = comparison(rows)
    assert list(zip(table["lambd"], table["l1"])) == [(0.0, 0.0), (0.0, 0.1), (0.7, 0.0), (0.7, 0.1)]
    assert table["verdict"].tolist() == ["more than 1 SE below", "chosen", "within noise", "more than 1 SE below"]
    assert summarize(rows)["seeds"].tolist() == [3, 3, 3, 3]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_l1_results_round_trip(l1_result, tmp_path, suffix):
    path = tmp_path / f"results{suffix}"
    write_results(l1_result.rows, path)
    back = read_results(path.read_bytes(), path.name)
    assert choose(back) == l1_result.chosen
    pd.testing.assert_frame_equal(comparison(back), comparison(l1_result.rows), check_dtype=False)


def test_a_results_file_from_before_l1_reads_back_with_l1_0(result):
    old = result.rows.drop(columns=["l1", "train_fraction", "train_size"])
    back = read_results(old.to_csv(index=False).encode(), "old.csv")
    assert (back["l1"] == 0.0).all() and (back["train_fraction"] == 1.0).all()
    assert choose(back) == result.chosen
    assert comparison(back)["verdict"].tolist() == comparison(result.rows)["verdict"].tolist()


def test_a_request_reads_l1_and_training_set_fractions_like_the_others():
    from nnreg.sweeps import DEFAULTS, parse_request

    names = {key: f"<{key}>" for key in DEFAULTS}
    request = parse_request({**DEFAULTS, "l1": "0 0.01, 0.1", "seeds": 2}, names)
    assert request.grid["l1"] == [0.0, 0.01, 0.1] and len(request.models()) == 5 * 3 * 3 * 2 + 2
    single = parse_request({**DEFAULTS, "train_fraction": "0.5"}, names)
    assert single.base.train_fraction == 0.5 and not single.curve
    curve = parse_request({**DEFAULTS, "train_fraction": "1, 0.25", "seeds": 2}, names)
    assert curve.curve and curve.train_fractions == (0.25, 1.0) and curve.base.train_fraction == 1.0
    for text, message in (("0, x", "<l1>: each value must be a number from 0 to 1,000, got 'x'"),
                          ("-1", "<l1>: each value must be a number from 0 to 1,000, got -1")):
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_request({**DEFAULTS, "l1": text}, names)
    for text, message in (("0.01", "<train_fraction>: each value must be a number from 0.05 to 1, got 0.01"),
                          ("0.5 0.5", "<train_fraction> lists a value twice: 0.5, 0.5"),
                          ("", "<train_fraction> needs at least one value")):
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_request({**DEFAULTS, "train_fraction": text}, names)


# A sweep on a share of the training points


def test_a_sweep_on_half_the_training_points(football):
    half = nnreg.sweep(football, {"lambd": [0.0, 0.7]}, 2, TINY.replace(train_fraction=0.5))
    dev, final = (half.rows[half.rows["phase"] == phase] for phase in ("dev", "final"))
    # Stratified: half of each label, of the 158 points outside the dev set and of all 211.
    assert set(dev["train_size"]) == {79} and set(final["train_size"]) == {106}
    assert (half.rows["train_fraction"] == 0.5).all()
    row = final.iloc[1]
    direct = nnreg.train(football, TINY.replace(lambd=row["lambd"], train_fraction=0.5, seed=1, dropout_seed=1))
    assert (row["train_accuracy"], row["test_accuracy"]) == (direct.train_accuracy, direct.test_accuracy)


def test_a_share_too_small_to_train_on_is_named_before_training(football):
    calls = []
    with pytest.raises(ValueError, match="train_fraction: 0.05 of the 158 training points outside the dev set is "
                                         "too few to train on .*; 0.1 or more works here"):
        nnreg.sweep(football, GRID, 2, TINY.replace(train_fraction=0.05), progress=lambda *a: calls.append(a))
    assert calls == []


# Bad input


@pytest.mark.parametrize("grid, seeds, message", [
    ({"lambd": [-1.0]}, 2, r"lambd must be a number from 0 to 1,000, got -1"),
    ({"keep_prob": [0.0]}, 2, r"keep_prob must be a number from 0.05 to 1, got 0"),
    ({"keep_prob": [0.01]}, 2, r"keep_prob must be a number from 0.05 to 1, got 0.01"),
    ({"keep_prob": [1.5]}, 2, "keep_prob must be a number from 0.05 to 1, got 1.5"),
    ({"lambd": ["a"]}, 2, "lambd must be a number from 0 to 1,000, got 'a'"),
    ({"lambd": []}, 2, "lambd needs at least one value"),
    ({"lambd": [0.1, 0.1]}, 2, "lists a value twice"),
    ({"learning_rate": [0.1]}, 2, "can vary only lambd, l1, weight_decay and keep_prob"),
    ({"l1": [-0.1]}, 2, r"l1 must be a number from 0 to 1,000, got -0.1"),
    ({"l1": [0.1, 0.1]}, 2, "grid l1 lists a value twice"),
    ([0.1], 2, "grid must map"),
    ({}, 0, "seeds must be a whole number from 1 to 100, got 0"),
    ({}, True, "seeds must be a number"),
    ({}, [], "at least one seed"),
    ({}, [1, 1], "distinct"),
    ({}, [-1], "seed must be a whole number from 0 to 4,294,967,295, got -1"),
])
def test_bad_grid_or_seeds_is_named(grid, seeds, message):
    with pytest.raises(ValueError, match=message):
        grid_settings(grid, seeds, TINY)


@pytest.mark.parametrize("options, message", [
    ({"scheduler": "tcp://127.0.0.1:1", "local_cluster": 2}, "not both"),
    ({"local_cluster": 0}, "from 1 to 64"),
    ({"local_cluster": 2.0}, "number of workers"),
    ({"scheduler": " "}, "scheduler must be an address"),
])
def test_bad_cluster_options_are_named_before_training(football, options, message):
    calls = []
    with pytest.raises(ValueError, match=message):
        nnreg.sweep(football, GRID, 2, TINY, progress=lambda *a: calls.append(a), **options)
    assert calls == []


def test_missing_dask_is_a_clear_error_before_training(football, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    calls = []
    with pytest.raises(ImportError, match=r"pip install 'dask\[distributed\]'"):
        nnreg.sweep(football, GRID, 2, TINY, local_cluster=2, progress=lambda *a: calls.append(a))
    assert calls == []


# Statistics


def test_interval_by_hand():
    mean, std, low, high = interval([0.8, 0.9, 1.0])
    # t(0.975, 2 degrees of freedom) = 4.302653; half width = 4.302653 · 0.1 / √3 = 0.248414.
    assert (mean, std) == pytest.approx((0.9, 0.1))
    assert (low, high) == pytest.approx((0.9 - 0.248414, 0.9 + 0.248414), abs=1e-6)


def test_interval_without_spread():
    assert interval([0.9, 0.9]) == (0.9, 0.0, 0.9, 0.9)
    mean, std, low, high = interval([0.7])
    assert mean == 0.7 and all(math.isnan(v) for v in (std, low, high))


def test_within_noise_compares_the_difference_with_the_spread():
    base = [0.90, 0.92, 0.94]  # mean 0.92, std 0.02
    assert within_noise(base, [0.91, 0.93, 0.95])      # 0.01 apart
    assert not within_noise(base, [0.93, 0.95, 0.97])  # 0.03 apart
    assert within_noise([0.9, 0.9], [0.9, 0.9])
    with pytest.raises(ValueError, match="at least 2 seeds"):
        within_noise([0.9], [0.8, 0.9])


def test_summary_and_comparison_by_hand_without_the_points_counts():
    # A file written before rows said how many dev points they scored: the Student-t over seeds.
    rows = _rows({(0.0, 0.0, 1.0): [0.90, 0.92, 0.94], (0.7, 0.0, 1.0): [0.93, 0.95, 0.97],
                  (3.0, 0.0, 1.0): [0.94, 0.96, 0.98]})
    table = summarize(rows)
    assert list(table["lambd"]) == [0.0, 0.7, 3.0] and list(table["seeds"]) == [3, 3, 3]
    assert table["dev_accuracy_mean"].tolist() == pytest.approx([0.92, 0.95, 0.96])
    assert table["dev_accuracy_std"].tolist() == pytest.approx([0.02, 0.02, 0.02])
    assert table.loc[0, "dev_accuracy_ci_high"] == pytest.approx(0.92 + 4.302653 * 0.02 / math.sqrt(3))
    assert table["dev_accuracy_se"].tolist() == pytest.approx([0.02 / math.sqrt(3)] * 3)
    # Best 0.96, se 0.01155: 0.95 is within one se and every weight norm is 5.0, so the tie goes to the first.
    verdicts = comparison(rows).set_index("lambd")["verdict"]
    assert verdicts.to_dict() == {0.0: "more than 1 SE below", 0.7: "chosen", 3.0: "best dev score"}


def test_one_seed_still_has_the_points_noise():
    rows = _rows({(0.0, 0.0, 1.0): [0.9], (0.7, 0.0, 1.0): [0.8]}, seeds=(0,)).assign(dev_size=100)
    table = comparison(rows)
    low, high = wilson(0.9, 100)
    assert table.loc[0, "se"] == pytest.approx((high - low) / (2 * Z))
    assert table["verdict"].tolist() == ["chosen", "more than 1 SE below"]


# Results files


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_results_round_trip(result, tmp_path, suffix):
    path = tmp_path / f"results{suffix}"
    write_results(result.rows, path)
    back = read_results(path.read_bytes(), path.name)
    assert len(back) == len(result.rows) and choose(back) == result.chosen
    assert np.allclose(back["test_accuracy"], result.rows["test_accuracy"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_page_downloads_the_bytes_the_command_line_writes(result, tmp_path, suffix):
    path = tmp_path / f"results{suffix}"
    write_results(result.rows, path)
    content = results_bytes(result.rows, suffix)
    assert content == path.read_bytes()
    back = read_results(content, path.name)
    pd.testing.assert_frame_equal(back.drop(columns="diverged_at"), result.rows.drop(columns="diverged_at"),
                                  check_dtype=False)


def test_results_bytes_of_an_unknown_type_are_named(result):
    with pytest.raises(ValueError, match="results are written as .csv or .parquet, got .json"):
        results_bytes(result.rows, ".json")


@pytest.mark.parametrize("name, message", [
    ("out.json", "written as .csv or .parquet"), ("missing/out.csv", "does not exist"), ("a_folder.csv", "is a folder"),
])
def test_bad_results_path_is_named(tmp_path, name, message):
    (tmp_path / "a_folder.csv").mkdir()
    with pytest.raises(ValueError, match=message):
        check_results_path(tmp_path / name)


@pytest.mark.parametrize("content, name, message", [
    (b"phase,lambd\ndev,0\n", "r.csv", "missing column"),
    (b"", "r.csv", "empty"),
    (b"x", "r.json", "are .csv or .parquet"),
    (b"not parquet", "r.parquet", "not a readable .parquet"),
])
def test_bad_results_file_is_named(content, name, message):
    with pytest.raises(ValueError, match=message):
        read_results(content, name)


@pytest.mark.parametrize("change, message", [
    ({"phase": "train"}, "phase must be dev or final"),
    ({"dev_accuracy": 1.5}, "accuracies from 0 to 1"),
    ({"lambd": "x"}, "lambd must hold numbers"),
    ({"dev_accuracy": float("nan")}, "2 dev row"),
    ({"phase": "final"}, "no dev rows"),
    ({"keep_prob": float("nan")}, "keep_prob has empty cells"),
])
def test_bad_results_values_are_named(change, message):
    content = _rows({(0.0, 0.0, 1.0): [0.9, 0.8]}).assign(**change).to_csv(index=False).encode()
    with pytest.raises(ValueError, match=message):
        read_results(content, "r.csv")


def test_summary_keeps_accuracy_intervals_within_0_and_1():
    rows = _rows({(0.0, 0.0, 1.0): [0.8, 0.9, 1.0]})
    table = summarize(rows)
    assert interval(rows["dev_accuracy"])[3] == pytest.approx(1.148414, abs=1e-6)
    assert table.loc[0, "dev_accuracy_ci_high"] == 1.0
    assert table.loc[0, "dev_accuracy_ci_low"] == pytest.approx(0.651586, abs=1e-6)


def test_one_reader_for_a_sweep_request_on_every_surface():
    from nnreg.sweeps import DEFAULTS, parse_request

    names = {key: key for key in DEFAULTS}
    request = parse_request(DEFAULTS, names)
    assert request.grid == {"lambd": [0.0, 0.01, 0.1, 0.7, 3.0], "l1": [0.0], "weight_decay": [0.0],
                            "keep_prob": [1.0, 0.86, 0.7]}
    assert (request.seeds, request.dev_fraction, request.base) == (10, 0.25, nnreg.Settings())
    assert request.train_fractions == (1.0,) and not request.curve
    # 15 settings over 10 seeds, and the chosen one retrained over them.
    assert len(request.models()) == 160
    spaced = parse_request({**DEFAULTS, "lambd": "0 0.7", "hidden": "10 5", "seeds": 3.0}, names)
    assert spaced.grid["lambd"] == [0.0, 0.7] and spaced.base.layer_dims == (10, 5) and spaced.seeds == 3
    with pytest.raises(ValueError, match="Seeds must be a whole number from 1 to 100, got ''"):
        parse_request({**DEFAULTS, "seeds": None}, {**names, "seeds": "Seeds"})
    with pytest.raises(ValueError, match="keep_prob: each value must be a number from 0.05 to 1, got 1.5"):
        parse_request({**DEFAULTS, "keep_prob": "1, 1.5"}, names)


def test_rows_say_how_each_model_ended_and_files_without_it_still_read(football, result):
    from nnreg.sweeps.rows import COLUMNS
    assert COLUMNS.index("outcome") + 1 == COLUMNS.index("diverged_at")
    assert set(result.rows["outcome"]) == {"trained"} and result.rows["diverged_at"].isna().all()
    assert set(summarize(result.rows)["outcome"]) == {"trained"}
    # λ = 50 underfits into one label on every seed: a collapsed row, its accuracy kept and compared.
    huge = nnreg.sweep(football, {"lambd": [0.7, 50.0]}, 2, TINY)
    dev = huge.rows[huge.rows["phase"] == "dev"]
    assert list(dev["outcome"]) == ["trained", "trained", "collapsed", "collapsed"]
    assert dev["diverged_at"].isna().all()
    table = comparison(huge.rows)
    # A collapsed run is never a candidate, however its accuracy compares.
    assert list(table["outcome"]) == ["trained", "collapsed"] and list(table["verdict"]) == ["chosen", "not a candidate"]
    for suffix in (".csv", ".parquet"):
        back = read_results(results_bytes(huge.rows, suffix), f"results{suffix}")
        assert list(summarize(back)["outcome"]) == list(summarize(huge.rows)["outcome"])
    # A file written before rows had an outcome reads, and says nothing about it.
    old = read_results(huge.rows.drop(columns="outcome").to_csv(index=False).encode(), "old.csv")
    assert set(summarize(old)["outcome"]) == {""} and choose(old) == huge.chosen


# Tables of more features and classes


def _three_blobs():
    # Three classes on four features, well apart: every setting learns them.
    rng = np.random.default_rng(5)
    centres = 2.5 * rng.normal(0, 1, (3, 4))
    Y = np.repeat(np.arange(3), 50)
    X = centres[Y] + 0.6 * rng.normal(0, 1, (len(Y), 4))
    return nnreg.Dataset.from_arrays(X, Y, name="blobs", class_names=("a", "b", "c"))


def test_a_sweep_of_three_classes_chooses_on_dev_and_its_rows_match_direct_training():
    blobs = _three_blobs()
    result = nnreg.sweep(blobs, {"lambd": [0.0, 0.7]}, seeds=2, base=TINY)
    rows = result.rows
    assert len(rows[rows["phase"] == "dev"]) == 4 and len(rows[rows["phase"] == "final"]) == 2
    assert choose(rows) == result.chosen
    final_row = rows[rows["phase"] == "final"].iloc[1]
    direct = nnreg.train(blobs, TINY.replace(lambd=final_row["lambd"]).for_seed(1))
    assert (final_row["train_accuracy"], final_row["test_accuracy"]) == (direct.train_accuracy, direct.test_accuracy)
    # Argmax over three classes: the test accuracy counts the predicted codes equal to the labels.
    assert final_row["test_accuracy"] == np.mean(direct.predict(blobs.test_X) == blobs.test_Y) > 0.9


def test_a_data_size_curve_of_three_classes_has_a_point_per_share_and_family():
    blobs = _three_blobs()
    curve = data_size_curve(blobs, [0.5, 1.0], {"lambd": [0.0, 0.7]}, seeds=1, base=TINY)
    assert not curve.stopped and set(curve.summary["train_fraction"]) == {0.5, 1.0}
    final = curve.rows[curve.rows["phase"] == "final"]
    assert len(final) == len(curve.summary) and final["test_accuracy"].between(0, 1).all()


# Folds, intervals over the points, the one-standard-error rule, failed runs, resuming


@pytest.mark.parametrize("name, folds, seed", [("football", 5, 0), ("football", 3, 7), ("iris", 4, 1),
                                               ("breast_cancer", 10, 3)])
def test_folds_are_scikit_learns_stratified_k_fold(name, folds, seed):
    from sklearn.model_selection import StratifiedKFold
    y = nnreg.load_dataset(name).train_Y
    theirs = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros((len(y), 1)), y)
    masks = fold_masks(y, folds, seed=seed)
    assert len(masks) == folds
    for mask, (_, test_index) in zip(masks, theirs):
        assert np.array_equal(np.flatnonzero(mask), np.sort(test_index))
    # Every training point is a dev point exactly once.
    assert (np.sum(masks, axis=0) == 1).all()


def test_one_fold_is_the_single_dev_split_and_rare_classes_are_named(football):
    assert np.array_equal(fold_masks(football.train_Y, 1, 0.25, 4)[0], dev_mask(football, 0.25, 4))
    y = np.array([0] * 40 + [1] * 3)
    with pytest.raises(ValueError, match="folds: 5 folds need at least 5 training points of every class; "
                                         "class benign has 3"):
        fold_masks(y, 5, class_names=("malignant", "benign"))
    for bad, message in ((0, "folds must be a whole number from 1 to 20, got 0"), (21, "from 1 to 20"),
                         (2.5, "whole number")):
        with pytest.raises(ValueError, match=message):
            fold_masks(football.train_Y, bad)


def test_wilson_interval_by_hand():
    # 90 of 100: the textbook Wilson interval, 0.8256 to 0.9448.
    assert wilson(0.9, 100) == pytest.approx((0.82563, 0.94477), abs=1e-5)
    # All correct still leaves room below: 1 - z²/(n + z²) at n = 50.
    low, high = wilson(1.0, 50)
    assert high == pytest.approx(1.0) and low == pytest.approx(50 / (50 + Z * Z))


def test_an_accuracy_interval_counts_the_points_and_the_seeds():
    low, high = wilson(0.9, 100)
    # No spread over seeds: the points' interval alone.
    assert accuracy_interval([0.9, 0.9, 0.9], 100) == pytest.approx((0.9, (high - low) / (2 * Z), low, high))
    # A spread over seeds widens each side in quadrature.
    mean, se, lo, hi = accuracy_interval([0.88, 0.9, 0.92], 100)
    seeds_se = 0.02 / math.sqrt(3)
    assert se == pytest.approx(math.hypot((high - low) / (2 * Z), seeds_se))
    assert (lo, hi) == pytest.approx((0.9 - math.hypot(0.9 - low, Z * seeds_se),
                                      0.9 + math.hypot(high - 0.9, Z * seeds_se)))
    # 91.9 % on 99 dev points is not "91.9 to 91.9" however alike the seeds are.
    _, _, lo, hi = accuracy_interval([0.919] * 3, 99)
    assert hi - lo > 0.09


def test_five_folds_score_every_training_point_once_per_seed_and_retrain_on_all(football):
    result = nnreg.sweep(football, {"lambd": [0.0, 0.7]}, 2, TINY, folds=5, dev_seed=3)
    dev = result.rows[result.rows["phase"] == "dev"]
    assert sorted(dev["fold"].unique()) == [0, 1, 2, 3, 4] and len(dev) == 2 * 2 * 5
    assert (result.rows["folds"] == 5).all() and (result.rows["dev_seed"] == 3).all()
    per_model = dev.groupby(["lambd", "seed"])["dev_size"].sum()
    assert (per_model == len(football.train_Y)).all()
    final = result.rows[result.rows["phase"] == "final"]
    assert final["fold"].isna().all() and (final["train_size"] == len(football.train_Y)).all()
    # The score: each seed's accuracy over all its folds' points, then the mean over seeds.
    table = comparison(result.rows).set_index("lambd")
    for lambd, group in dev.groupby("lambd"):
        pooled = (group["dev_accuracy"] * group["dev_size"]).groupby(group["seed"]).sum() / len(football.train_Y)
        assert table.loc[lambd, "score"] == pytest.approx(pooled.mean())
        assert table.loc[lambd, "se"] == pytest.approx(accuracy_interval(pooled, len(football.train_Y))[1])


def test_the_one_standard_error_rule_takes_the_smallest_weights_within_one_se_of_the_best():
    rows = _rows({(0.0, 0.0, 1.0): [0.95, 0.96, 0.97], (0.7, 0.0, 1.0): [0.94, 0.95, 0.96],
                  (3.0, 0.0, 1.0): [0.90, 0.91, 0.92]}).assign(dev_size=100)
    rows["weight_norm"] = rows["lambd"].map({0.0: 9.0, 0.7: 4.0, 3.0: 2.0})
    # Best 96 % with se √(Wilson²/z² + 0.01²/3) ≈ 2.0 points: 95 % is within, 91 % is not.
    assert choose(rows) == {"lambd": 0.7, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0}
    verdicts = comparison(rows).set_index("lambd")["verdict"].to_dict()
    assert verdicts == {0.0: "best dev score", 0.7: "chosen", 3.0: "more than 1 SE below"}


def test_a_setting_with_a_diverged_run_is_never_chosen():
    rows = _rows({(0.0, 0.0, 1.0): [0.99, 0.99, 0.99], (0.7, 0.0, 1.0): [0.80, 0.81, 0.82]}).assign(
        dev_size=100, outcome="trained", learning_rate=0.3)
    rows.loc[1, "outcome"] = "diverged"
    assert choose(rows) == {"lambd": 0.7, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 1.0}
    table = comparison(rows)
    assert table["verdict"].tolist() == ["not a candidate", "chosen"] and table["diverged"].tolist() == [1, 0]
    rows.loc[4, "outcome"] = "collapsed"
    with pytest.raises(NoCandidate, match=r"no setting can be chosen: every one had a dev run that diverged or "
                                          r"collapsed \(1 diverged and 1 collapsed of 6 runs\); lower the learning "
                                          r"rate \(now 0.3\)"):
        choose(rows)
    assert comparison(rows)["verdict"].tolist() == ["not a candidate"] * 2 and not comparison(rows)["chosen"].any()


def test_raw_large_features_end_in_no_choice_and_the_cure():
    # Breast cancer's mean area (hundreds to thousands) unscaled, at the course's learning rate: every
    # setting diverges or collapses to the majority class; nothing is chosen, nothing retrained.
    table = pd.read_csv(Path(nnreg.__file__).parents[1] / "data" / "breast_cancer.csv")
    train = table["split"] == "train"
    X, y = table[["mean area", "mean texture"]].to_numpy(), (table["diagnosis"] == "benign").to_numpy(int)
    raw = nnreg.Dataset("raw area", X[train], y[train], X[~train], y[~train], standardize=False)
    result = nnreg.sweep(raw, {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}, 2, nnreg.Settings(num_iterations=2000))
    assert result.chosen is None and not result.stopped and (result.rows["phase"] == "dev").all()
    assert result.problem.endswith("standardize the inputs first (standardize=True: a feature is far larger than 1), then, if it still fails, lower the learning rate (now 0.3)")
    assert (comparison(result.rows)["verdict"] == "not a candidate").all()


def test_a_resumed_sweep_trains_only_what_is_missing_and_ends_as_an_uninterrupted_one(football, monkeypatch):
    monkeypatch.setattr("nnreg.sweeps.executors.IN_PROCESS_CHUNK_PER_CORE", 1)
    monkeypatch.setattr("nnreg.sweeps.executors.default_workers", lambda: 1)
    grid, base = {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}, TINY.replace(num_iterations=50)
    finished = []
    with pytest.raises(_Interrupted):
        nnreg.sweep(football, grid, 2, base, folds=2, on_row=finished.append, progress=_interrupted_after(5))
    partial = stopped_sweep(finished, grid, 2, base, folds=2).rows
    trained = []
    monkeypatch.setattr("nnreg.sweeps.executors.train_many",
                        lambda fit, settings, **kw: trained.extend(settings) or train_many(fit, settings, **kw))
    resumed = nnreg.sweep(football, grid, 2, base, folds=2, done=partial)
    resumed_trained = len(trained)
    full = nnreg.sweep(football, grid, 2, base, folds=2)
    assert resumed_trained == len(full.rows) - 5
    assert resumed.chosen == full.chosen
    pd.testing.assert_frame_equal(resumed.rows.drop(columns="seconds"), full.rows.drop(columns="seconds"))
    # The five reused rows are the earlier run's own, down to their times.
    assert resumed.rows["seconds"].iloc[:5].tolist() == partial["seconds"].tolist()


@pytest.mark.parametrize("change, message", [
    (dict(num_iterations=60), "another sweep's: num_iterations is 50 there, 60 here"),
    (dict(folds=3), "another sweep's: folds is 2 there, 3 here"),
    (dict(grid={"lambd": [0.0]}), "hold a model this sweep does not train: dev lambd=0.7, l1=0, keep_prob=1, seed 0, fold 0"),
])
def test_rows_of_another_sweep_are_refused(football, change, message):
    grid, base = {"lambd": [0.0, 0.7]}, TINY.replace(num_iterations=50)
    earlier = nnreg.sweep(football, grid, 1, base, folds=2).rows
    options = {"grid": grid, "folds": 2, "num_iterations": 50, **change}
    with pytest.raises(ValueError, match=message):
        nnreg.sweep(football, options["grid"], 1, base.replace(num_iterations=options["num_iterations"]),
                    folds=options["folds"], done=earlier)


def test_a_results_file_says_each_rows_fold_and_old_files_read_as_one_split(tmp_path, football):
    result = nnreg.sweep(football, {"lambd": [0.0, 0.7]}, 2, TINY, folds=3)
    write_results(result.rows, tmp_path / "r.csv")
    back = read_results((tmp_path / "r.csv").read_bytes(), "r.csv")
    assert back["fold"].tolist() == result.rows["fold"].tolist() and choose(back) == result.chosen
    single = nnreg.sweep(football, {"lambd": [0.0, 0.7]}, 2, TINY).rows
    back = read_results(single.drop(columns=["fold", "folds", "dev_seed", "dev_size", "test_size"])
                        .to_csv(index=False).encode(), "old.csv")
    assert back.loc[back["phase"] == "dev", "fold"].eq(0).all() and back.loc[back["phase"] == "final", "fold"].isna().all()
    # Without the points' counts the interval is the seeds' alone, as files were read before.
    assert summarize(back)["dev_accuracy_ci_low"].tolist() == pytest.approx(
        [interval(group["dev_accuracy"])[2] for _, group in back[back["phase"] == "dev"].groupby("lambd")] + [
            interval(back.loc[back["phase"] == "final", "dev_accuracy"])[2]], nan_ok=True)
    assert is_partial(partial_rows(back)) and not is_partial(back)


def test_a_curve_never_retrains_a_family_whose_every_strength_failed(moons):
    # λ = 50 and 100 collapse into one label at every fraction: no L2 strength can be chosen.
    from nnreg.sweeps import unchosen, unchosen_note
    result = data_size_curve(moons, [0.5, 1.0], {"lambd": [50.0, 100.0]}, 2, TINY)
    final = result.rows[result.rows["phase"] == "final"]
    assert set(final["family"]) == {"none"}
    assert unchosen(result.rows) == [(0.5, "l2"), (1.0, "l2")]
    assert unchosen_note(unchosen(result.rows)).startswith(
        "L2 at fraction 0.5: every lambd value had a dev run that diverged or collapsed, so none was retrained")
