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
    ("keep_prob", 0, "keep_prob must be in (0, 1]"),
    ("keep_prob", -0.5, "keep_prob must be in (0, 1]"),
    ("keep_prob", 1.2, "keep_prob must be in (0, 1]"),
    ("keep_prob", math.nan, "keep_prob must be a finite number"),
    ("lambd", -1, "lambd must be in [0, 1000]"),
    ("lambd", math.inf, "lambd must be a finite number"),
    ("lambd", "0.7", "lambd must be a number"),
    ("learning_rate", 0, "learning_rate must be in (0, 100]"),
    ("learning_rate", -0.1, "learning_rate"),
    ("learning_rate", 1e9, "learning_rate must be in (0, 100]"),
    ("num_iterations", 0, "num_iterations must be from 1 to 100,000"),
    ("num_iterations", 10**7, "num_iterations must be from 1 to 100,000"),
    ("num_iterations", 2.5, "num_iterations must be a whole number"),
    ("layer_dims", (), "layer_dims must name 1 to 10 hidden layers"),
    ("layer_dims", (20, 0), "layer_dims must be from 1 to 500"),
    ("layer_dims", (-3,), "layer_dims must be from 1 to 500"),
    ("layer_dims", (10**6,), "layer_dims must be from 1 to 500"),
    ("layer_dims", "20,3", "layer_dims must be a sequence"),
    ("layer_dims", (True, 3), "layer_dims must be a whole number"),
    ("seed", -1, "seed must be from 0"),
    ("dropout_mask", "sometimes", "dropout_mask must be one of fresh, fixed"),
    ("dropout_seed", 2**40, "dropout_seed must be from 0"),
    ("record_every", 0, "record_every must be from 1"),
    ("l1", -0.1, "l1 must be in [0, 1000]"),
    ("l1", math.nan, "l1 must be a finite number"),
    ("l1", "0.1", "l1 must be a number"),
    ("early_stopping", 1, "early_stopping must be True or False"),
    ("early_stopping", "yes", "early_stopping must be True or False"),
    ("dev_fraction", 0.0, "dev_fraction must be in [0.05, 0.5]"),
    ("dev_fraction", 0.9, "dev_fraction must be in [0.05, 0.5]"),
    ("train_fraction", 0.0, "train_fraction must be in [0.05, 1]"),
    ("train_fraction", 1.5, "train_fraction must be in [0.05, 1]"),
    ("train_fraction", math.inf, "train_fraction must be a finite number"),
])
def test_bad_values_name_the_field_and_range(field, value, words):
    with pytest.raises(ValueError) as error:
        Settings(**{field: value})
    assert words in str(error.value)


def test_replace_validates_and_dict_round_trip():
    s = STUDY["dropout"].replace(dropout_mask="fixed")
    assert s.keep_prob == 0.86 and s.dropout_mask == "fixed"
    with pytest.raises(ValueError, match="keep_prob"):
        s.replace(keep_prob=0)
    assert Settings.from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="unknown setting.*alpha"):
        Settings.from_dict({**s.to_dict(), "alpha": 1})
