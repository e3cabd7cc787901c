"""The Sweep page's links: its own read back before the widgets exist, and the main page's for a
setting of a sweep, read back by the main page's rules (nnreg.specs, nnreg.dashboard)."""

from urllib.parse import parse_qs

import pandas as pd
import pytest

import nnreg
from nnreg.dashboard import CONTROLS, parse_value
from nnreg.specs import DEFAULT_SPECS, MAX_NAME, parse_specs
from nnreg.dashboard.sweep_links import check_link, main_page_query, setting_name

SOURCES = ("Run a sweep", "Run a data-size curve", "View a results file")


def test_every_value_its_field_can_take_passes():
    assert check_link({
        "sweep_data": "moons", "sweep_n_points": "300", "sweep_noise": "0.2", "sweep_data_seed": "7",
        "sweep_seeds": "3", "sweep_iterations": "1e3", "sweep_learning_rate": "0.0015", "sweep_dev_fraction": "0.3",
        "sweep_dropout_mask": "fixed", "sweep_source": "Run a data-size curve", "sweep_test_all": "TRUE",
        "sweep_lambd": "0, 0.1", "sweep_hidden": "anything: read on Run", "data": "not the Sweep page's",
        "sweep_folds": "5", "sweep_dev_seed": "3", "sweep_standardize": "data's default"}, SOURCES) == {}


@pytest.mark.parametrize("key, text, message", [
    ("sweep_seeds", "abc", "Seeds must be a whole number from 1 to 100, got 'abc'"),
    ("sweep_seeds", "2.5", "Seeds must be a whole number from 1 to 100, got '2.5'"),
    ("sweep_seeds", "1e9", "Seeds must be a whole number from 1 to 100, got 1e9"),
    ("sweep_iterations", "1e400", "Iterations must be a whole number from 100 to 100,000, got '1e400'"),
    ("sweep_learning_rate", "-1", "Learning rate must be a number from 0.001 to 100, got -1"),
    ("sweep_learning_rate", "0x10", "Learning rate must be a number from 0.001 to 100, got '0x10'"),
    ("sweep_n_points", "5", "n_points must be a whole number from 40 to 2,000, got 5"),
    ("sweep_noise", "2", "noise must be a number from 0 to 1, got 2"),
    ("sweep_data_seed", "x", "data_seed must be a whole number from 0 to "),
    ("sweep_dev_fraction", "0.9", "dev_fraction must be a number from 0.05 to 0.5, got 0.9"),
    ("sweep_data", "nowhere", "data must be one of football, circle"),
    ("sweep_dropout_mask", "sometimes", "dropout_mask must be one of fresh, fixed, got 'sometimes'"),
    ("sweep_source", "Everything", "source must be one of Run a sweep, Run a data-size curve, View a results file, "
                                   "got 'Everything'"),
    ("sweep_test_all", "maybe", "test_all must be true or false, got 'maybe'"),
    ("sweep_folds", "0", "Folds must be a whole number from 1 to 20, got 0"),
    ("sweep_folds", "21", "Folds must be a whole number from 1 to 20, got 21"),
    ("sweep_folds", "2.5", "Folds must be a whole number from 1 to 20, got '2.5'"),
    ("sweep_dev_seed", "-1", "Dev seed must be a whole number from 0 to 4,294,967,295, got -1"),
    ("sweep_standardize", "yes", "Standardize inputs must be one of data's default, on, off, got 'yes'"),
])
def test_a_value_its_field_cannot_take_is_named_and_the_others_kept(key, text, message):
    other = {"sweep_seeds": "2"} if key != "sweep_seeds" else {"sweep_data": "moons"}
    problems = check_link({key: text, **other}, SOURCES)
    assert list(problems) == [key]
    assert problems[key].startswith(f"The link's `{key}={text}` was not used: {message}")
    assert problems[key].endswith("The field starts from its default.")


def _rows(dataset="football", seeds=(0, 1), **columns):
    rows = [{"phase": "dev", "lambd": lambd, "l1": 0.0, "keep_prob": 0.86, "seed": seed, "dataset": dataset,
             "layer_dims": "10,5", "learning_rate": 0.5, "num_iterations": 2000, "dropout_mask": "fixed",
             "train_fraction": 0.5, **columns}
            for lambd in (0.0, 0.1) for seed in seeds]
    return pd.DataFrame(rows)


def _query(rows, setting):
    return parse_qs(main_page_query(rows, setting))


def test_a_setting_opens_as_a_fourth_model_after_the_courses_three():
    query = _query(_rows(), {"lambd": 0.1, "l1": 0.0, "keep_prob": 0.86})
    models = parse_specs(query["model"])
    assert [str(model) for model in models[:3]] == list(DEFAULT_SPECS)
    added = models[3]
    assert added.name == "λ=0.1/L1=0/keep_prob=0.86"
    settings = added.settings(nnreg.Settings())
    assert (settings.lambd, settings.l1, settings.keep_prob) == (0.1, 0.0, 0.86)
    # The shared settings its models had, each read by the main page's rules.
    shared = {key: values[0] for key, values in query.items() if key != "model"}
    assert shared == {"data": "football", "layers": "10, 5", "learning_rate": "0.5", "num_iterations": "2000",
                      "dropout_mask": "fixed", "train_fraction": "0.5", "n_seeds": "2"}
    for key, text in shared.items():
        parse_value(key, text, ["football"])


def test_a_setting_standardized_by_the_sweep_opens_standardized():
    # Football is raw on the main page by default: a sweep that standardized it says so in the spec.
    for standardized, text in ((True, "on"), (False, "off")):
        added = parse_specs(_query(_rows(standardized=standardized), {"lambd": 0.1, "l1": 0.0, "keep_prob": 0.86})
                            ["model"])[3]
        assert f"standardize={text}" in str(added)
        assert added.settings(nnreg.Settings()).standardize is standardized


def test_a_synthetic_sets_options_and_one_seed_go_with_it():
    rows = _rows("moons:n_points=300,noise=0.2,seed=7", seeds=(4,))
    query = _query(rows, {"lambd": 0.0, "l1": 0.0, "keep_prob": 0.86})
    assert {key: query[key] for key in ("data", "n_points", "noise", "data_seed", "n_seeds", "seed")} == {
        "data": ["moons"], "n_points": ["300"], "noise": ["0.2"], "data_seed": ["7"], "n_seeds": ["1"], "seed": ["4"]}


def test_data_from_elsewhere_asks_for_an_upload_there():
    assert _query(_rows("my field.csv"), {"lambd": 0.0, "l1": 0.0, "keep_prob": 0.86})["data"] == ["upload"]


def test_a_results_file_without_the_shared_columns_leaves_them_to_the_main_page():
    rows = _rows().drop(columns=["dataset", "layer_dims", "learning_rate", "num_iterations", "dropout_mask"])
    query = _query(rows, {"lambd": 0.0, "l1": 0.0, "keep_prob": 0.86})
    assert set(query) == {"model", "train_fraction", "n_seeds"}


def test_a_setting_without_rows_is_named():
    with pytest.raises(ValueError, match="no rows have λ=0.7/L1=0/keep_prob=0.86"):
        main_page_query(_rows(), {"lambd": 0.7, "l1": 0.0, "keep_prob": 0.86})


def test_a_name_too_long_for_a_model_is_cut_and_its_values_kept_whole():
    setting = {"lambd": 0.000123457, "l1": 0.000123457, "keep_prob": 0.123457}
    name = setting_name(setting)
    assert len(name) == MAX_NAME and name.endswith("…")
    rows = _rows().assign(**setting)
    model = parse_specs(_query(rows, setting)["model"])[3]
    settings = model.settings(nnreg.Settings())
    assert (settings.lambd, settings.l1, settings.keep_prob) == (0.000123457, 0.000123457, 0.123457)


def test_the_main_pages_controls_take_every_shared_key():
    # The link only uses keys the main page reads.
    keys = set(_query(_rows("moons:n_points=300,noise=0.2,seed=7", seeds=(1,)),
                      {"lambd": 0.0, "l1": 0.0, "keep_prob": 0.86}))
    assert keys - {"model"} <= set(CONTROLS)


def test_a_synthetic_name_no_generator_reads_asks_for_an_upload_there():
    assert _query(_rows("moons:n_points=many"), {"lambd": 0.0, "l1": 0.0, "keep_prob": 0.86})["data"] == ["upload"]


def test_a_weight_decay_setting_opens_as_a_model_trained_as_the_sweeps_were():
    rows = pd.concat([_rows(weight_decay=0.0), _rows(weight_decay=0.01)], ignore_index=True).assign(
        optimizer="adam", activation="relu", batch_size=32)
    query = _query(rows, {"lambd": 0.1, "l1": 0.0, "weight_decay": 0.0, "keep_prob": 0.86})
    # The sweep varies weight decay: its name says it, 0 as well.
    assert query["model"][3] == ("λ=0.1/L1=0/wd=0/keep_prob=0.86:lambd=0.1,l1=0,keep_prob=0.86,optimizer=adam,"
                                 "batch_size=32")
    query = _query(rows, {"lambd": 0.0, "l1": 0.0, "weight_decay": 0.01, "keep_prob": 0.86})
    assert query["model"][3] == ("λ=0/L1=0/wd=0.01/keep_prob=0.86:lambd=0,l1=0,weight_decay=0.01,keep_prob=0.86,"
                                 "optimizer=adam,batch_size=32")


def test_the_training_choices_in_a_link_are_checked():
    assert check_link({"sweep_optimizer": "momentum", "sweep_activation": "leaky_relu",
                       "sweep_batch_size": "read on Run", "sweep_weight_decay": "0, 0.01"}, SOURCES) == {}
    problems = check_link({"sweep_optimizer": "SGD"}, SOURCES)
    assert problems["sweep_optimizer"].startswith("The link's `sweep_optimizer=SGD` was not used: Optimizer must be "
                                                  "one of gd, momentum, adam, got 'SGD'")
