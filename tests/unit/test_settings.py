import json
import math

import numpy as np
import pytest

from nnreg import STUDY, Settings


def test_defaults_are_the_course_settings():
    s = Settings()
    assert s.layer_sizes == (2, 20, 3, 1)
    assert (s.learning_rate, s.num_iterations, s.lambd, s.keep_prob, s.seed) == (0.3, 30_000, 0.0, 1.0, 3)
    assert (s.dropout_mask, s.dropout_seed, s.record_every) == ("fresh", 1, 100)


def test_study_is_none_l2_dropout():
    assert list(STUDY) == ["none", "l2", "dropout"]
    assert STUDY["none"] == Settings()
    assert STUDY["l2"] == Settings(lambd=0.7)
    assert STUDY["dropout"] == Settings(keep_prob=0.86)


def test_frozen_and_hashable_with_normalised_types():
    a = Settings(layer_dims=[np.int64(20), 3], learning_rate=np.float32(0.5), lambd=1)
    b = Settings(layer_dims=(20, 3), learning_rate=float(np.float32(0.5)), lambd=1.0)
    assert a == b and hash(a) == hash(b)
    assert a.layer_dims == (20, 3) and type(a.layer_dims[0]) is int
    with pytest.raises(AttributeError):
        a.lambd = 2.0


@pytest.mark.parametrize("field, value, words", [
    ("keep_prob", 0, "keep_prob must be a number from 0.05 to 1, got 0"),
    ("keep_prob", 0.01, "keep_prob must be a number from 0.05 to 1, got 0.01"),
    ("keep_prob", -0.5, "keep_prob must be a number from 0.05 to 1, got -0.5"),
    ("keep_prob", 1.2, "keep_prob must be a number from 0.05 to 1, got 1.2"),
    ("keep_prob", math.nan, "keep_prob must be a number from 0.05 to 1, got nan"),
    ("lambd", -1, "lambd must be a number from 0 to 1,000, got -1"),
    ("lambd", math.inf, "lambd must be a number from 0 to 1,000, got inf"),
    ("lambd", "0.7", "lambd must be a number from 0 to 1,000, got '0.7'"),
    ("learning_rate", 0, "learning_rate must be a number from 0.001 to 100, got 0"),
    ("learning_rate", 0.0005, "learning_rate must be a number from 0.001 to 100, got 0.0005"),
    ("learning_rate", -0.1, "learning_rate"),
    ("learning_rate", 1e9, "learning_rate must be a number from 0.001 to 100, got 1000000000"),
    ("num_iterations", 0, "num_iterations must be a whole number from 1 to 100,000, got 0"),
    ("num_iterations", 10**7, "num_iterations must be a whole number from 1 to 100,000, got 10000000"),
    ("num_iterations", 2.5, "num_iterations must be a whole number from 1 to 100,000, got 2.5"),
    ("layer_dims", (), "layer_dims must name 1 to 10 hidden layers"),
    ("layer_dims", (20, 0), "layer_dims must be a whole number from 1 to 500, got 0"),
    ("layer_dims", (-3,), "layer_dims must be a whole number from 1 to 500, got -3"),
    ("layer_dims", (10**6,), "layer_dims must be a whole number from 1 to 500, got 1000000"),
    ("layer_dims", "20,3", "layer_dims must be a sequence"),
    ("layer_dims", (True, 3), "layer_dims must be a whole number from 1 to 500, got True"),
    ("seed", -1, "seed must be a whole number from 0 to 4,294,967,295, got -1"),
    ("seed", 1.0, "seed must be a whole number from 0 to 4,294,967,295, got 1.0"),
    ("dropout_mask", "sometimes", "dropout_mask must be one of fresh, fixed"),
    ("dropout_seed", 2**40, "dropout_seed must be a whole number from 0 to 4,294,967,295, got 1099511627776"),
    ("record_every", 0, "record_every must be a whole number from 1 to 100,000, got 0"),
    ("l1", -0.1, "l1 must be a number from 0 to 1,000, got -0.1"),
    ("l1", math.nan, "l1 must be a number from 0 to 1,000, got nan"),
    ("l1", "0.1", "l1 must be a number from 0 to 1,000, got '0.1'"),
    ("early_stopping", 1, "early_stopping must be True or False"),
    ("early_stopping", "yes", "early_stopping must be True or False"),
    ("standardize", 1, "standardize must be True, False or None (the data's default), got 1"),
    ("standardize", "on", "standardize must be True, False or None (the data's default), got 'on'"),
    ("dev_fraction", 0.0, "dev_fraction must be a number from 0.05 to 0.5, got 0"),
    ("dev_fraction", 0.9, "dev_fraction must be a number from 0.05 to 0.5, got 0.9"),
    ("train_fraction", 0.0, "train_fraction must be a number from 0.05 to 1, got 0"),
    ("train_fraction", 1.5, "train_fraction must be a number from 0.05 to 1, got 1.5"),
    ("train_fraction", math.inf, "train_fraction must be a number from 0.05 to 1, got inf"),
])
def test_bad_values_name_the_field_and_range(field, value, words):
    with pytest.raises(ValueError) as error:
        Settings(**{field: value})
    assert words in str(error.value)


def test_the_library_trains_for_fewer_iterations_than_a_person_may_type():
    # Short runs keep the tests fast; every typed surface starts at limits.RANGES' 100.
    assert Settings(num_iterations=2).num_iterations == 2
    assert Settings(keep_prob=0.05, learning_rate=0.001).keep_prob == 0.05


def test_replace_validates_and_dict_round_trip():
    s = STUDY["dropout"].replace(dropout_mask="fixed")
    assert s.keep_prob == 0.86 and s.dropout_mask == "fixed"
    with pytest.raises(ValueError, match="keep_prob"):
        s.replace(keep_prob=0)
    assert Settings.from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="unknown setting.*alpha"):
        Settings.from_dict({**s.to_dict(), "alpha": 1})


@pytest.mark.parametrize("standardize", [None, True, False])
def test_standardize_is_the_datas_default_unless_set_and_round_trips(standardize):
    assert Settings().standardize is None
    s = Settings(standardize=standardize, lambd=0.7)
    assert Settings.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    # A settings file from before the field means the data's default.
    older = {key: value for key, value in s.to_dict().items() if key != "standardize"}
    assert Settings.from_dict(older).standardize is None


def test_a_run_for_a_seed_sets_the_init_and_dropout_seeds_and_nothing_else():
    dropout = Settings(keep_prob=0.86, lambd=0.1)
    run = dropout.for_seed(7)
    assert (run.seed, run.dropout_seed) == (7, 7)
    assert run.replace(seed=dropout.seed, dropout_seed=dropout.dropout_seed) == dropout
    with pytest.raises(ValueError, match="seed must be a whole number"):
        dropout.for_seed(-1)


def test_every_repetition_over_seeds_is_the_same_run_of_a_seed():
    # The page's "Number of seeds", --seeds, a sweep's and a data-size curve's seeds: one rule.
    from nnreg.dashboard.models import seed_runs
    from nnreg.study import repetitions
    from nnreg.sweeps import grid_settings
    from nnreg.sweeps.curve import curve_models

    base = Settings(keep_prob=0.86, num_iterations=100)
    expected = [(seed, seed) for seed in range(3)]
    assert [(s.seed, s.dropout_seed) for s in repetitions(base, 3)] == expected
    assert [(s.seed, s.dropout_seed) for s in seed_runs(base, 3)] == expected
    assert [(s.seed, s.dropout_seed) for s in grid_settings({"keep_prob": [0.86]}, 3, base)] == expected
    curve = curve_models({"keep_prob": [0.86]}, [0.5, 1], 3, base)
    assert {(s.seed, s.dropout_seed) for s in curve} == set(expected) and len(curve) % 3 == 0


def test_the_dev_fraction_default_is_one_value_everywhere():
    import inspect

    from nnreg.settings import DEV_FRACTION
    from nnreg.sweeps import dev, request, run
    from nnreg.sweeps.curve import data_size_curve, stopped_curve

    assert Settings().dev_fraction == DEV_FRACTION == 0.25
    for function in (dev.dev_mask, run.sweep, run.stopped_sweep, data_size_curve, stopped_curve):
        assert inspect.signature(function).parameters["dev_fraction"].default == DEV_FRACTION
    assert float(request.DEFAULTS["dev_fraction"]) == DEV_FRACTION
