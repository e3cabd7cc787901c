"""The dashboard's non-layout logic: controls and URL values, models, table, downloads, math (captions:
test_captions.py)."""

import dataclasses
import io
import json
import threading
import time

import numpy as np
import pandas as pd
import pytest

import nnreg
from nnreg import dashboard
from nnreg.dashboard import CONTROLS
from nnreg.engines import reference
from nnreg.specs import DEFAULT_SPECS, parse_spec, parse_specs
from nnreg.study import summary_table
from nnreg.sweeps import within_noise

DEFAULTS = dashboard.default_values()
FAST = dict(DEFAULTS, num_iterations=300)


COURSE = parse_specs(DEFAULT_SPECS)


@pytest.fixture(scope="module")
def runs(football):
    """The course's three models (300 iterations) over two seeds, by the study's names."""
    return {name: [nnreg.train(football, run) for run in dashboard.seed_runs(settings.replace(num_iterations=300), 2)]
            for name, settings in nnreg.STUDY.items()}


def test_the_defaults_are_the_course_study():
    models = dashboard.model_settings(COURSE, DEFAULTS)
    assert models == {"No regularization": nnreg.STUDY["none"], "L2": nnreg.STUDY["l2"],
                      "Dropout": nnreg.STUDY["dropout"]}
    assert dashboard.default_runs() == list(nnreg.STUDY.values())


def test_each_model_of_the_list_changes_the_shared_settings_where_it_says():
    specs = parse_specs(["none", "L2 big:lambd=3", "wide:layers=50 20,keep_prob=0.8", "es:early_stopping=true",
                         "fast:learning_rate=0.5,num_iterations=2000", "L1:l1=0.05"])
    values = dict(DEFAULTS, train_fraction=0.5, dev_fraction=0.2, dropout_mask="fixed", seed=4)
    base = nnreg.Settings(train_fraction=0.5, dev_fraction=0.2, dropout_mask="fixed", seed=4)
    assert dashboard.shared_settings(values) == base
    assert dashboard.model_settings(specs, values) == {
        "none": base, "L2 big": base.replace(lambd=3.0), "wide": base.replace(layer_dims=(50, 20), keep_prob=0.8),
        "es": base.replace(early_stopping=True), "fast": base.replace(learning_rate=0.5, num_iterations=2000),
        "L1": base.replace(l1=0.05)}
    # Every model stopping early is a shared setting; the titles say it.
    stopping = dashboard.model_settings(specs, dict(values, stop_early=True))
    assert all(settings.early_stopping for settings in stopping.values())
    assert dashboard.model_title(specs[1], stopping["L2 big"]) == "L2 big (λ = 3, early stopping, dev 20%)"
    assert dashboard.model_title(specs[3], stopping["es"]) == "es (early stopping)"
    assert dashboard.model_title(specs[0], stopping["none"]) == "No regularization (early stopping, dev 20%)"


def test_the_shared_activation_optimizer_and_batch_reach_every_model_but_those_that_change_them():
    values = dict(DEFAULTS, activation="tanh", optimizer="adam", batch_size=32, learning_rate=0.01)
    base = nnreg.Settings(activation="tanh", optimizer="adam", batch_size=32, learning_rate=0.01)
    assert dashboard.shared_settings(values) == base
    specs = parse_specs(["shared", "back:batch_size=full,optimizer=gd", "WD:weight_decay=0.001,activation=relu"])
    assert dashboard.model_settings(specs, values) == {
        "shared": base, "back": base.replace(batch_size=None, optimizer="gd"),
        "WD": base.replace(weight_decay=0.001, activation="relu")}
    # The course's controls change nothing of the course's study.
    assert {key: DEFAULTS[key] for key in ("activation", "optimizer", "batch_size")} == {
        "activation": "relu", "optimizer": "gd", "batch_size": None}


def test_the_first_model_using_a_regularizer_is_found():
    models = dashboard.model_settings(parse_specs(["a", "b:keep_prob=0.5", "c:lambd=2", "d:lambd=3"]), DEFAULTS)
    assert dashboard.first_using(models, "lambd") == ("c", models["c"])
    assert dashboard.first_using(models, "keep_prob") == ("b", models["b"])
    assert dashboard.first_using(models, "l1") is None


def test_the_list_as_a_table_reads_back_as_the_list():
    specs = parse_specs(["No regularization", "L2 big:lambd=3", "wide:layers=50 20,keep_prob=0.8",
                         "es:early_stopping=true,num_iterations=2000"])
    frame = dashboard.specs_frame(specs)
    assert list(frame.columns) == list(dashboard.EDITOR_COLUMNS)
    assert frame.loc[1, "lambd"] == "3" and pd.isna(frame.loc[0, "lambd"]) and frame.loc[2, "layers"] == "50, 20"
    assert list(frame["early_stopping"]) == [False, False, False, True]
    read, problems = dashboard.frame_specs(frame)
    assert problems == [] and [str(spec) for spec in read] == [
        "No regularization", "L2 big:lambd=3", "wide:keep_prob=0.8,layers=50, 20",
        "es:early_stopping=true,num_iterations=2000"]


def test_the_new_columns_read_back_and_a_bad_cell_is_named_not_changed():
    specs = parse_specs(["Adam + WD:optimizer=adam,learning_rate=0.01,weight_decay=0.001",
                         "tanh:activation=tanh,batch_size=32", "back:batch_size=full"])
    frame = dashboard.specs_frame(specs)
    assert (frame.loc[0, "optimizer"], frame.loc[0, "weight_decay"], frame.loc[1, "activation"]) == ("adam", "0.001",
                                                                                                    "tanh")
    assert (frame.loc[1, "batch_size"], frame.loc[2, "batch_size"]) == ("32", "full")
    read, problems = dashboard.frame_specs(frame)
    assert problems == [] and [str(spec) for spec in read] == [
        "Adam + WD:weight_decay=0.001,optimizer=adam,learning_rate=0.01", "tanh:activation=tanh,batch_size=32",
        "back:batch_size=full"]
    edited = frame.copy()
    edited.loc[1, "batch_size"], edited.loc[2, "weight_decay"] = "0", "-1"
    read, problems = dashboard.frame_specs(edited)
    assert [spec.name for spec in read] == ["Adam + WD"]
    assert problems == [
        "model 'tanh:activation=tanh,batch_size=0': batch_size must be full (every training point at each update) or "
        "a whole number from 1 to 100,000, got 0",
        "model 'back:weight_decay=-1,batch_size=full': weight_decay must be a number from 0 to 10, got -1"]


def test_an_edited_table_keeps_its_good_rows_and_names_the_others():
    frame = dashboard.specs_frame(COURSE)
    edited = pd.concat([frame, pd.DataFrame([{"name": "", "lambd": "2"}, {"name": "L2", "lambd": "5"},
                                             {"name": None}, {"name": "tiny", "keep_prob": "0.01"},
                                             {"name": "huge", "lambd": "1e9"}, {"name": "typo", "lambd": "abc"}])],
                       ignore_index=True)
    specs, problems = dashboard.frame_specs(edited)
    assert [spec.name for spec in specs] == ["No regularization", "L2", "Dropout"]
    assert problems == [
        "model ':lambd=2' has no name: write NAME or NAME:key=value,... (e.g. 'L2:lambd=0.7')",
        "model 'L2:lambd=5': another model is named 'L2'; every model needs a name of its own",
        "model 'tiny:keep_prob=0.01': keep_prob must be a number from 0.05 to 1, got 0.01",
        "model 'huge:lambd=1e9': lambd must be a number from 0 to 1,000, got 1e9",
        "model 'typo:lambd=abc': lambd must be a number from 0 to 1,000, got 'abc'"]


def test_an_older_links_strengths_and_models_become_the_list():
    specs, problems = dashboard.legacy_specs({"lambd": "0.3", "l2_dropout": "true", "l1_model": "true", "l1": "0.05"})
    assert problems == [] and [str(spec) for spec in specs] == [
        "No regularization", "L2:lambd=0.3", "L1:l1=0.05", "Dropout:keep_prob=0.86",
        "L2 + dropout:lambd=0.3,keep_prob=0.86"]
    specs, problems = dashboard.legacy_specs({"keep_prob": "5", "early_stopping_model": "maybe"})
    assert [str(spec) for spec in specs] == [*DEFAULT_SPECS]
    assert problems == ["The link's `keep_prob=5` was not used: keep_prob must be a number from 0.05 to 1, got 5.",
                        "The link's `early_stopping_model=maybe` was not used: early_stopping_model must be true or "
                        "false, got 'maybe'."]
    assert dashboard.legacy_specs({"layers": "20, 3"}) == (None, [])


def test_a_share_that_leaves_too_few_points_is_named(moons):
    models = dashboard.model_settings(COURSE, dict(DEFAULTS, train_fraction=0.1))
    assert dashboard.data_problem(moons, models).startswith("train_fraction 0.1 keeps 6 of 60 training points")
    assert dashboard.data_problem(moons, dashboard.model_settings(COURSE, DEFAULTS)) is None


def test_controls_stay_inside_what_settings_accept():
    for key in ("learning_rate", "num_iterations", "seed", "train_fraction", "dev_fraction"):
        control = CONTROLS[key]
        for value in (control.low, control.high, control.default):
            nnreg.Settings(**{key: value})


def test_valid_url_values_give_no_message():
    params = {"num_iterations": "500", "layers": "10, 5", "data": "moons", "dropout_mask": "fixed",
              "stop_early": "TRUE", "n_seeds": "3", "train_fraction": "0.5", "sweep_lambd": "anything",
              "test_fraction": "0.25", "drop_missing": "true", "activation": "leaky_relu", "optimizer": "adam",
              "batch_size": "32",
              "model": "anything: the list is read by nnreg.specs"}
    assert dashboard.check_query_params(params, dashboard.dataset_choices()) == {}


@pytest.mark.parametrize("key, text, reason", [
    ("train_fraction", "0", "train_fraction must be a number from 0.05 to 1, got 0"),
    ("dev_fraction", "nan", "dev_fraction must be a number from 0.05 to 0.5, got 'nan'"),
    ("num_iterations", "1e9", "num_iterations must be a whole number from 100 to 100,000, got 1e9"),
    ("num_iterations", "50", "num_iterations must be a whole number from 100 to 100,000, got 50"),
    ("seed", "3.5", "seed must be a whole number"),
    ("n_seeds", "0", "n_seeds must be a whole number from 1 to 100, got 0"),
    ("data", "nope", "data must be one of football, circle"),
    ("dropout_mask", "sometimes", "dropout_mask must be one of fresh, fixed"),
    ("discretize", "maybe", "discretize must be true or false"),
    ("layers", "20,x", "hidden layer sizes must be 1 to 10 layers of 1 to 500 units, whole numbers"),
    ("layers", "20,,3", "got '20,,3'"),
    ("test_fraction", "0.99", "test_fraction must be a number from 0.05 to 0.95, got 0.99"),
    ("drop_missing", "perhaps", "drop_missing must be true or false"),
    ("activation", "softplus", "activation must be one of relu, tanh, sigmoid, leaky_relu, got 'softplus'"),
    ("optimizer", "sgd", "optimizer must be one of gd, momentum, adam, got 'sgd'"),
    ("batch_size", "0", "batch_size must be full (every training point at each update) or a whole number from 1 to "
                        "100,000, got 0"),
    ("batch_size", "1e9", "got 1e9"),
])
def test_an_invalid_url_value_is_reported_with_its_default(key, text, reason):
    assert list(dashboard.check_query_params({key: text}, dashboard.dataset_choices())) == [key]
    message = dashboard.check_query_params({key: text}, dashboard.dataset_choices())[key]
    assert f"`{key}={text}` was not used" in message and reason in message
    default = CONTROLS[key].default
    used_by = "The page uses" if key == "discretize" else "The models use"
    assert message.endswith(f"{used_by} the default, {dashboard.shown_value(key, default)}.")


def test_a_refused_view_says_the_page_opens_the_default_view():
    message = dashboard.check_query_params({"view": "nonsense"}, [])["view"]
    assert message == ("The link's `view=nonsense` was not used: view must be one of " + ", ".join(dashboard.VIEWS)
                       + ", got 'nonsense'. The page opens the default view, Weight decay.")


def test_a_typed_value_is_read_as_a_link_value_is():
    assert dashboard.typed_problem("num_iterations", "Iterations", "5e3", 30000, []) is None
    assert dashboard.typed_problem("num_iterations", "Iterations", "1e9", 30000, []) == (
        "Iterations: `1e9` was not used: num_iterations must be a whole number from 100 to 100,000, got 1e9. "
        "The models use 30000.")
    message = dashboard.typed_problem("layers", "Hidden layer sizes", "20, 0", (10, 5), [])
    assert message.startswith("Hidden layer sizes: `20, 0` was not used: hidden layer sizes must be 1 to 10 layers")
    assert message.endswith("The models use 10, 5.")


def test_the_batch_size_is_typed_as_a_number_or_full_and_a_bad_one_is_named():
    assert dashboard.parse_value("batch_size", "full", []) is None and dashboard.parse_value("batch_size", "", []) is None
    assert dashboard.parse_value("batch_size", " 64 ", []) == 64 and dashboard.parse_value("batch_size", "FULL", []) is None
    assert dashboard.typed_problem("batch_size", "Batch size", "  ", None, []) is None
    assert dashboard.typed_problem("batch_size", "Batch size", "0", None, []) == (
        "Batch size: `0` was not used: batch_size must be full (every training point at each update) or a whole "
        "number from 1 to 100,000, got 0. The models use full.")
    assert dashboard.typed_problem("batch_size", "Batch size", "abc", 32, []).endswith("got 'abc'. The models use 32.")
    assert dashboard.shown_value("batch_size", None) == "full" and dashboard.widget_value("batch_size", 32) == "32"


def test_the_choices_are_offered_with_readable_labels_and_linked_as_specs_write_them():
    optimizer, activation = CONTROLS["optimizer"], CONTROLS["activation"]
    assert optimizer.options == nnreg.network.OPTIMIZERS and activation.options == nnreg.network.ACTIVATIONS
    assert dict(zip(optimizer.options, optimizer.labels)) == {
        "gd": "gradient descent", "momentum": f"momentum (β {nnreg.network.MOMENTUM_BETA})",
        "adam": f"Adam (β1 {nnreg.network.ADAM_BETA1}, β2 {nnreg.network.ADAM_BETA2})"}
    assert dict(zip(activation.options, activation.labels))["leaky_relu"] == "leaky ReLU"
    assert dashboard.parse_value("optimizer", "Adam", []) == "adam"
    # Course settings put them back with the rest of the models' controls.
    for preset in dashboard.PRESETS.values():
        assert {key: preset[key] for key in ("activation", "optimizer", "batch_size")} == {
            "activation": "relu", "optimizer": "gd", "batch_size": None}


def test_dataset_choices_list_every_source_and_the_upload():
    choices = dashboard.dataset_choices()
    assert choices[0] == "football" and choices[-1] == dashboard.UPLOAD
    assert set(nnreg.data.SYNTHETIC) <= set(choices)


def test_a_menu_choice_loads_its_dataset(football):
    assert dashboard.load_choice("football", 400, 0.1, 0).fingerprint == football.fingerprint
    moons = dashboard.load_choice("moons", 120, 0.15, 4)
    assert moons.fingerprint == nnreg.make_dataset("moons", n_points=120, noise=0.15, seed=4).fingerprint


def test_several_seeds_are_the_command_lines_seeds():
    settings = nnreg.Settings(seed=3, dropout_seed=1, keep_prob=0.86)
    assert dashboard.seed_runs(settings, 1) == [settings]
    runs = dashboard.seed_runs(settings, 3)
    # As `reproduce --seeds 3`: init seeds 0, 1, 2, the dropout seed following the init seed.
    assert [(run.seed, run.dropout_seed) for run in runs] == [(0, 0), (1, 1), (2, 2)]
    assert runs == nnreg.study.repetitions(settings, 3)


def _epochs_the_engine_draws(settings, m):
    """Epochs of ``settings.num_iterations`` updates as the reference engine draws its batches: the
    updates until every one of the m points was used once make an epoch."""
    draws, per_epoch, seen = reference.batches(m, settings), 0, 0
    while seen < m:
        batch = next(draws)
        seen += m if isinstance(batch, slice) else len(batch)
        per_epoch += 1
    return settings.num_iterations / per_epoch


@pytest.mark.parametrize("spec, shared, caption", [
    ("mini:batch_size=32", {}, "mini-batches of 32, 300 updates ≈ 42.9 epochs of 211 points"),
    ("L2:lambd=0.7", {"batch_size": 32}, "λ = 0.7, mini-batches of 32, 300 updates ≈ 42.9 epochs of 211 points"),
    ("half", {"batch_size": 50, "train_fraction": 0.5}, "mini-batches of 50, 300 updates = 100 epochs of 106 points"),
    ("es:early_stopping=true,batch_size=10", {"num_iterations": 200},
     "early stopping, mini-batches of 10, 200 updates ≈ 12.5 epochs of 158 points"),
    ("big:batch_size=500", {}, "mini-batches of 500, each the full batch of its 211 points"),
    ("back:batch_size=full", {"batch_size": 32}, "full batch"),
])
def test_a_mini_batch_models_caption_says_how_many_epochs_its_updates_are(football, spec, shared, caption):
    spec = parse_spec(spec)
    settings = spec.settings(nnreg.Settings(num_iterations=300).replace(**shared))
    result = nnreg.train(football, settings)
    assert dashboard.model_strength(spec, result.settings, result.train_size) == caption
    if settings.batch_size is not None and settings.batch_size < result.train_size:
        # The same count from the batches the engine draws, on the points the model fitted.
        epochs = _epochs_the_engine_draws(settings, len(result.train_index))
        assert f"{settings.num_iterations:,} updates" in caption and f"{epochs:,.1f}".removesuffix(".0") in caption
    # The table's title names the batches, not the epochs.
    assert "epochs" not in dashboard.model_title(spec, settings)


def test_titles_name_the_strength():
    specs = parse_specs([*DEFAULT_SPECS, "L2 + dropout:lambd=0.7,keep_prob=0.86"])
    models = dashboard.model_settings(specs, DEFAULTS)
    titles = [dashboard.model_title(spec, models[spec.name]) for spec in specs]
    assert titles == ["No regularization", "L2 (λ = 0.7)", "Dropout (keep_prob = 0.86)",
                      "L2 + dropout (λ = 0.7, keep_prob = 0.86)"]


def test_a_normal_run_has_no_problem(runs):
    assert all(dashboard.training_problem(run) is None for model in runs.values() for run in model)


def test_a_network_thrown_dead_is_reported_as_divergence(football):
    result = nnreg.train(football, nnreg.Settings(learning_rate=10.0, num_iterations=500))
    cost = result.history.set_index("iteration").cost
    label = int(result.predict_proba(football.train_X)[0] > 0.5)
    assert dashboard.training_problem(result) == (
        f"Training diverged at iteration 100 (its cost rose from {cost[0]:.3f} to {cost[100]:.3f}, and it ends giving "
        f"label {label} to every point it trained on): lower the learning rate (now 10).")


@pytest.fixture(scope="module")
def huge(football):
    """The issue's link: no regularization, L2 at the course's λ and at λ = 50 (one seed)."""
    return {"none": [nnreg.train(football, nnreg.STUDY["none"])], "l2": [nnreg.train(football, nnreg.STUDY["l2"])],
            "huge": [nnreg.train(football, nnreg.Settings(lambd=50.0))]}


@pytest.mark.slow
def test_a_penalty_too_strong_is_named_with_its_cure_not_as_divergence(huge, football):
    result = huge["huge"][0]
    p = result.predict_proba(football.train_X)
    assert np.ptp(p) == 0 and p[0] > 0.5
    assert dashboard.training_problem(result) == (
        "Collapsed: the penalty is too strong and the model underfits: it gives label 1 to every point it trained on "
        f"(P(label 1) = {p[0]:.3f} at each) and learned nothing. Lower λ (now 50).")
    both = dataclasses.replace(result, settings=result.settings.replace(l1=0.5))
    assert dashboard.training_problem(both).endswith("Lower λ (now 50) or l1 (now 0.5).")


@pytest.mark.slow
def test_a_collapsed_model_is_compared_shown_and_can_be_the_best(huge):
    table = dashboard.accuracy_table(huge)
    assert list(table["Outcome"]) == ["trained", "trained", "collapsed"]
    assert dashboard.comparable(table, "huge")
    change = huge["huge"][0].test_accuracy - huge["none"][0].test_accuracy
    assert dashboard.accuracy_change(table, "huge") == (f"{100 * change:+.1f} pts".replace("-", "−"), "red", "down")
    assert dashboard.table_text(table).splitlines()[3].split()[-2] == "collapsed"
    note = dashboard.outcome_note(table)
    assert note.startswith("Collapsed: the model gives every point it trained on one label") and "Diverged" not in note
    # Best, it is highlighted like any model.
    table.loc["huge", "Test accuracy"] = 0.99
    html = dashboard.style_table(table).to_html()
    column = list(table.columns).index("Test accuracy")
    assert html.count("background-color: #fde68a") == 1 and f"row2_col{column} {{\n  background-color: #fde68a" in html


def test_overflow_is_reported_with_its_iteration(runs):
    outcome = nnreg.training.Outcome(nnreg.training.DIVERGED, "overflowed", 1234, 0.7)
    overflowed = dataclasses.replace(runs["none"][0], outcome=outcome)
    assert overflowed.diverged_at == 1234
    assert dashboard.training_problem(overflowed) == ("Training diverged at iteration 1,234: the weights overflowed: "
                                                      "lower the learning rate (now 0.3).")


def test_single_seed_table_has_the_training_numbers(runs):
    single = {name: model[:1] for name, model in runs.items()}
    table = dashboard.accuracy_table(single)
    assert list(table.index) == ["none", "l2", "dropout"]
    assert list(table.columns) == ["Model", "λ", "keep_prob", "Train accuracy", "Test accuracy",
                                   "Gap (train − test)", "Training seconds"]
    for name, (result,) in single.items():
        row = table.loc[name]
        assert (row["Train accuracy"], row["Test accuracy"]) == (result.train_accuracy, result.test_accuracy)
        assert row["Gap (train − test)"] == pytest.approx(result.gap)
        assert (row["λ"], row["keep_prob"]) == (result.settings.lambd, result.settings.keep_prob)


def test_several_seeds_give_mean_and_std(runs):
    table = dashboard.accuracy_table(runs)
    for name, model in runs.items():
        test = [run.test_accuracy for run in model]
        assert table.loc[name, "Test accuracy"] == pytest.approx(np.mean(test))
        assert table.loc[name, "Test std"] == pytest.approx(np.std(test, ddof=1))
        assert table.loc[name, "Seeds"] == 2
        assert table.loc[name, "Training seconds"] == pytest.approx(sum(run.seconds for run in model))


def test_several_seeds_say_whether_each_change_is_within_noise(runs):
    table = dashboard.accuracy_table(runs)
    baseline = [run.test_accuracy for run in runs["none"]]
    for name in ("l2", "dropout"):
        test = [run.test_accuracy for run in runs[name]]
        assert table.loc[name, "Test change"] == pytest.approx(np.mean(test) - np.mean(baseline))
        assert table.loc[name, "Within noise"] == within_noise(test, baseline)
    assert table["Within noise"].isna()["none"] and np.isnan(table.loc["none", "Test change"])
    shown = dashboard.style_table(table).data
    assert shown.loc["l2", "Test change"] == f"{100 * table.loc['l2', 'Test change']:+.1f} pts".replace("-", "−")
    assert list(shown["Within noise"]) == ["", *("yes" if table.loc[name, "Within noise"] else "no"
                                                 for name in ("l2", "dropout"))]
    assert shown.loc["none", "Test change"] == ""


def test_one_seed_says_nothing_about_noise(runs):
    single = {name: model[:1] for name, model in runs.items()}
    assert set(summary_table(single)["test_vs_first"]) == {""}
    assert "Within noise" not in dashboard.accuracy_table(single)


def test_a_change_beyond_noise_is_colored_and_one_within_noise_is_not(runs):
    table = dashboard.accuracy_table(runs)
    table["Test accuracy"] = [0.900, 0.915, 0.920]
    table["Within noise"] = pd.array([pd.NA, True, False], dtype="boolean")
    assert dashboard.accuracy_change(table, "none") == ("the baseline", "off", "off")
    assert dashboard.accuracy_change(table, "l2") == ("+1.5 pts ≈ noise", "off", "off")
    assert dashboard.accuracy_change(table, "dropout") == ("+2.0 pts", "green", "up")
    single = table.drop(columns=["Within noise"])
    single.loc["l2", "Test accuracy"] = 0.88
    # The true minus, as in the table: the metric is told its direction.
    assert dashboard.accuracy_change(single, "l2") == ("−2.0 pts", "red", "down")
    single.loc["l2", "Test accuracy"] = 0.90
    assert dashboard.accuracy_change(single, "l2") == ("+0.0 pts", "off", "off")


def test_a_change_beyond_noise_never_shows_equal_to_the_spread_beside_it(runs):
    # The course file with 5 seeds: +1.83 points against a spread of 1.78, shown as 1.8 and 1.8.
    table = dashboard.accuracy_table(runs)
    table["Test accuracy"] = [0.9000, 0.9183, 0.9050]
    table["Test std"] = [0.0178, 0.0120, 0.0100]
    table["Within noise"] = pd.array([pd.NA, False, True], dtype="boolean")
    assert dashboard.accuracy_change(table, "l2") == ("+1.83 pts", "green", "up")
    assert dashboard.accuracy_change(table, "dropout") == ("+0.5 pts ≈ noise", "off", "off")
    table["Test change"] = [np.nan, 0.0183, 0.0050]
    shown = dashboard.style_table(table).data
    assert list(shown["Test change"]) == ["", "+1.83 pts", "+0.5 pts"]
    assert list(shown["Within noise"]) == ["", "no", "yes"]


def test_the_best_test_accuracy_is_highlighted(runs):
    table = dashboard.accuracy_table({name: model[:1] for name, model in runs.items()})
    table["Test accuracy"] = [0.90, 0.93, 0.91]
    html = dashboard.style_table(table).to_html()
    assert html.count("background-color: #fde68a") == 1 and html.count(" color: #1c1917") == 1
    assert "93.0%" in html and "90.0%" in html


def test_negative_numbers_read_with_the_true_minus_sign(runs):
    table = dashboard.accuracy_table(runs)
    table["Gap (train − test)"] = [0.1, -0.021, 0.0]
    table["Test change"] = [np.nan, -0.002, 0.015]
    shown = dashboard.shown_table(table)
    assert list(shown["Gap (train − test)"]) == ["10.0%", "−2.1%", "0.0%"]
    assert list(shown["Test change"]) == ["", "−0.2 pts", "+1.5 pts"]
    html = dashboard.style_table(table).to_html()
    assert "−2.1%" in html and "-2.1%" not in html
    assert "-" not in "".join(dashboard.table_text(table).split("\n")[1:]).replace("−", "")


def test_cells_never_wrap_and_headers_may(runs):
    # With several seeds the table has 13 columns: a title wrapped over three lines and "+2.3 pts"
    # over two.  Every cell, and the page's block inside it, stays on one line; headers may wrap,
    # and a model's title, at least 12em wide (a long one pushed the last columns off the page).
    table = dashboard.accuracy_table(runs, {"none": "No regularization", "l2": "L2 (λ = 0.7)",
                                            "dropout": "Dropout (keep_prob = 0.86)"})
    assert len(table.columns) == 13
    html = dashboard.style_table(table).set_uuid("t").to_html()
    assert "#T_t td {\n  white-space: nowrap;\n}\n#T_t  td * {\n  white-space: nowrap;\n}" in html
    assert html.count("nowrap") == 2 and "th {" not in html
    assert "#T_t td:first-child {\n  white-space: normal;\n  min-width: 12em;\n}" in html


def test_the_table_csv_holds_numbers_as_the_table_has_them_without_rounding_noise(runs):
    table = dashboard.accuracy_table({name: model[:1] for name, model in runs.items()})
    table["Gap (train − test)"] = [0.92 - 0.895, 0.1, 1 / 3]
    assert "0.025000000000000022" in table.to_csv()
    text = dashboard.table_csv(table)
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == list(table.columns)
    assert list(back["Gap (train − test)"]) == [0.025, 0.1, 0.333333333333]
    assert "0.025000000000000022" not in text and "0.025," in text
    for column in ("Train accuracy", "Test accuracy"):
        assert np.allclose(back[column], table[column].to_numpy(), rtol=1e-12, atol=0)


def test_a_diverged_model_is_never_the_best_nor_compared(runs):
    single = {name: model[:1] for name, model in runs.items()}
    diverged = nnreg.training.Outcome(nnreg.training.DIVERGED, "exploded", 300, 0.7, 2.5)
    single["dropout"] = [dataclasses.replace(single["dropout"][0], outcome=diverged, test_accuracy=0.99)]
    table = dashboard.accuracy_table(single)
    assert list(table["Outcome"]) == ["trained", "trained", "diverged"]
    assert dashboard.outcome_note(table).startswith("Diverged: its steps were too large")
    html = dashboard.style_table(table).to_html()
    assert html.count("background-color: #fde68a") == 1 and html.count(" color: #1c1917") == 1 and "99.0%" in html
    column = list(table.columns).index("Test accuracy")
    best_row = int(single["l2"][0].test_accuracy > single["none"][0].test_accuracy)
    assert f"row{best_row}_col{column} {{\n  background-color: #fde68a" in html
    assert dashboard.accuracy_change(table, "dropout") == ("diverged: not compared", "off", "off")
    caption = dashboard.weight_decay_caption({name: model[0] for name, model in single.items()})
    assert caption.endswith("Dropout diverged and is left out of this comparison.") or \
        caption.endswith("dropout diverged and is left out of this comparison.")
    several = {name: model for name, model in runs.items()}
    several["none"] = [runs["none"][0], dataclasses.replace(runs["none"][1], outcome=diverged)]
    table = dashboard.accuracy_table(several)
    assert list(table["Outcome"]) == ["1 trained, 1 diverged", "trained", "trained"]
    assert table["Test change"].isna().all() and table["Within noise"].isna().all()
    assert dashboard.accuracy_change(table, "l2") == ("not compared: No regularization diverged", "off", "off")


def test_weights_download_round_trips(runs):
    result = runs["l2"][0]
    with np.load(io.BytesIO(dashboard.weights_npz(result)), allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(result.parameters)
        for name, value in result.parameters.items():
            np.testing.assert_array_equal(archive[name], value)


def test_settings_json_reproduces_every_model_and_loads_back(football):
    specs = parse_specs([*DEFAULT_SPECS, "wide:layers=50 20,keep_prob=0.8"])
    models = dashboard.model_settings(specs, FAST)
    content = dashboard.settings_json(FAST, football, specs, models, 2)
    document = json.loads(content)
    assert document["controls"]["layers"] == [20, 3] and document["controls"]["num_iterations"] == 300
    assert document["model_list"] == [*DEFAULT_SPECS, "wide:layers=50, 20,keep_prob=0.8"]
    assert document["dataset"] == {"name": "football", "fingerprint": football.fingerprint,
                                   "train_points": 211, "test_points": 200}
    for name, settings in models.items():
        assert [nnreg.Settings.from_dict(run) for run in document["models"][name]] == dashboard.seed_runs(settings, 2)
    values, loaded, problems = dashboard.read_settings(content.encode(), dashboard.dataset_choices())
    assert problems == [] and loaded == specs
    assert values == dict(FAST, layers=(20, 3))


def test_a_settings_file_keeps_the_activation_optimizer_and_batch_and_an_older_one_leaves_them(football):
    values = dict(FAST, activation="sigmoid", optimizer="momentum", batch_size=16)
    specs = parse_specs(["back:batch_size=full,optimizer=gd", "WD:weight_decay=0.001"])
    models = dashboard.model_settings(specs, values)
    document = json.loads(dashboard.settings_json(values, football, specs, models, 1))
    assert {key: document["controls"][key] for key in ("activation", "optimizer", "batch_size")} == {
        "activation": "sigmoid", "optimizer": "momentum", "batch_size": 16}
    assert document["models"]["back"][0]["batch_size"] is None and document["models"]["WD"][0]["batch_size"] == 16
    read, loaded, problems = dashboard.read_settings(json.dumps(document).encode(), dashboard.dataset_choices())
    assert problems == [] and read == values and loaded == specs
    # The full batch is written null and read back.
    document["controls"]["batch_size"] = None
    assert dashboard.read_settings(json.dumps(document).encode(), [])[0]["batch_size"] is None
    # A file from before these controls sets none of them: the page keeps its own.
    for key in ("activation", "optimizer", "batch_size"):
        del document["controls"][key]
    read, _, problems = dashboard.read_settings(json.dumps(document).encode(), dashboard.dataset_choices())
    assert problems == [] and not {"activation", "optimizer", "batch_size"} & set(read)


@pytest.mark.parametrize("content, words", [
    (b"\xff\xfe not json", "not a settings file: it is not JSON"),
    (b"[1, 2]", "needs 'controls' and 'model_list'"),
    (b'{"controls": {}, "model_list": ["a:foo=1"]}', "none of its models can be read (model 'a:foo=1': unknown key"),
])
def test_a_file_that_is_no_settings_file_is_named(content, words):
    with pytest.raises(ValueError) as error:
        dashboard.read_settings(content, dashboard.dataset_choices())
    assert words in str(error.value)


def test_a_settings_file_keeps_what_it_can_use():
    content = json.dumps({"controls": {"num_iterations": 5, "layers": [10, 5], "colour": "red"},
                          "model_list": ["a", "b:lambd=-1", "c:lambd=2"]}).encode()
    values, specs, problems = dashboard.read_settings(content, dashboard.dataset_choices())
    assert values == {"layers": (10, 5)} and [spec.name for spec in specs] == ["a", "c"]
    assert problems == ["`num_iterations=5` was not used: num_iterations must be a whole number from 100 to 100,000, "
                        "got 5.", "`colour` is not a control of this page and was not used.",
                        "model 'b:lambd=-1': lambd must be a number from 0 to 1,000, got -1"]


def test_the_math_has_this_runs_numbers():
    l2 = " ".join(dashboard.l2_latex(0.7, 211, 0.3))
    assert r"\frac{0.7}{2 \cdot 211} = 0.00166" in l2
    assert f"= {1 - 0.3 * 0.7 / 211:.6f}" in l2
    dropout = " ".join(dashboard.dropout_latex(0.86))
    assert "< 0.86" in dropout and "= 1.163" in dropout
    l1 = " ".join(dashboard.l1_latex(0.1, 211, 0.3))
    assert r"\frac{0.3 \cdot 0.1}{211} = 0.000142" in l1 and r"\mathrm{sign}(V)" in l1
    stopping = " ".join(dashboard.early_stopping_latex(0.25, 30000, 100))
    assert r"\{0,\ 100,\ 2\cdot100,\ \dots,\ 30000\}" in stopping and r"25\%" in stopping


def _study_runs(n_seeds=1, lambd=0.7):
    specs = parse_specs(["No regularization", f"L2:lambd={lambd}", "Dropout:keep_prob=0.86"])
    return [run for settings in dashboard.model_settings(specs, FAST).values()
            for run in dashboard.seed_runs(settings, n_seeds)]


def test_the_model_cache_trains_only_what_it_lacks_and_each_setting_once(football, monkeypatch):
    trained = []

    def train_many(dataset, settings_list, progress=None, heartbeat=None, nudge=0.0):
        trained.append(list(settings_list))
        return [nnreg.train(dataset, settings) for settings in settings_list]

    monkeypatch.setattr(dashboard.cache, "train_many", train_many)
    cache = dashboard.ModelCache()
    first = _study_runs()
    results = cache.results(football, first)
    assert [result.settings for result in results] == first and trained == [first]
    # λ = 0 makes the L2 model the unregularized one: it is trained once and shown twice.
    again = _study_runs(lambd=0.0)
    assert cache.missing(football, again) == []
    assert [result.settings for result in cache.results(football, again)] == again and len(trained) == 1
    changed = _study_runs(lambd=3.0)
    assert cache.missing(football, changed) == [changed[1]]
    results = cache.results(football, changed)
    assert trained[1] == [changed[1]] and results[0] is cache.get(football.fingerprint, first[0])


def test_the_model_cache_drops_the_least_recently_used_beyond_its_bounds(runs, football):
    none, l2, dropout = (model[0] for model in runs.values())
    size = dashboard.result_bytes(none)
    cache = dashboard.ModelCache(max_entries=2)
    for result in (none, l2):
        cache.put(football.fingerprint, result.settings, result)
    assert cache.get(football.fingerprint, none.settings) is none
    cache.put(football.fingerprint, dropout.settings, dropout)
    assert len(cache) == 2 and cache.get(football.fingerprint, l2.settings) is None
    by_bytes = dashboard.ModelCache(max_bytes=2 * size + size // 2)
    for result in (none, l2, dropout):
        by_bytes.put(football.fingerprint, result.settings, result)
    assert len(by_bytes) == 2 and by_bytes.nbytes <= 2 * size + size // 2
    assert by_bytes.get(football.fingerprint, none.settings) is None
    too_small = dashboard.ModelCache(max_bytes=size - 1)
    too_small.put(football.fingerprint, none.settings, none)
    assert len(too_small) == 0 and too_small.nbytes == 0


def test_cached_models_are_read_only(runs, football):
    result = runs["l2"][1]
    dashboard.ModelCache().put(football.fingerprint, result.settings, result)
    with pytest.raises(ValueError, match="read-only"):
        result.parameters["W1"][0, 0] = 0.0


def test_sessions_on_threads_share_the_cache_safely(football):
    cache = dashboard.ModelCache(max_entries=4)
    pages = [_study_runs(lambd=lambd) for lambd in (0.5, 0.6, 0.7, 0.5, 0.6, 0.7)]
    shown = [None] * len(pages)
    start = threading.Barrier(len(pages))

    def session(index):
        start.wait()
        shown[index] = cache.results(football, pages[index])

    threads = [threading.Thread(target=session, args=(index,)) for index in range(len(pages))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for page, results in zip(pages, shown):
        assert [result.settings for result in results] == page
        alone = nnreg.train(football, page[1])
        np.testing.assert_array_equal(results[1].parameters["W1"], alone.parameters["W1"])
    assert len(cache) == 4


def _slow_counting_train_many(monkeypatch, trained, started):
    """dashboard.train_many, recording each model it trains and taking long enough for another
    session to ask for the same models meanwhile."""
    def train_many(dataset, settings_list, progress=None, heartbeat=None, nudge=0.0):
        trained.extend(settings_list)
        started.set()
        time.sleep(0.3)
        results = []
        for settings in settings_list:
            results.append(nnreg.train(dataset, settings))
            if progress is not None:
                progress(len(results), len(settings_list))
        return results

    monkeypatch.setattr(dashboard.cache, "train_many", train_many)


def test_a_model_being_trained_is_waited_for_not_trained_again(football, monkeypatch):
    trained, started = [], threading.Event()
    _slow_counting_train_many(monkeypatch, trained, started)
    cache = dashboard.ModelCache()
    page = _study_runs()
    shown, reports = {}, []
    first = threading.Thread(target=lambda: shown.update(first=cache.results(football, page)))
    first.start()
    started.wait(timeout=30)
    shown["second"] = cache.results(football, page, lambda done, total: reports.append((done, total)))
    first.join()
    assert trained == page
    assert all(a is b for a, b in zip(shown["first"], shown["second"]))
    assert reports[-1] == (3, 3)


class Stopped(Exception):
    """What Streamlit raises in a session's thread when its page reruns."""


def test_a_waiting_session_trains_the_model_itself_when_the_other_one_stops(football, monkeypatch):
    trained, started = [], threading.Event()
    _slow_counting_train_many(monkeypatch, trained, started)
    cache = dashboard.ModelCache()
    page = _study_runs()[:1]
    stopped = []

    def stopping_session():
        def stop(done, total):
            raise Stopped
        try:
            cache.results(football, page, stop)
        except Stopped:
            stopped.append(True)

    first = threading.Thread(target=stopping_session)
    first.start()
    started.wait(timeout=30)
    result, = cache.results(football, page)
    first.join()
    assert stopped == [True] and trained == page * 2
    np.testing.assert_array_equal(result.parameters["W1"], nnreg.train(football, page[0]).parameters["W1"])
    assert cache.get(football.fingerprint, page[0]) is result and not cache._training


def test_the_engine_warms_up_in_the_background():
    thread = dashboard.warm_up_in_background()
    assert thread.daemon and thread.name == "nnreg-warm-up"
    thread.join(timeout=120)
    assert not thread.is_alive()


def test_a_table_editors_edits_give_the_table_it_shows():
    frame = dashboard.specs_frame(COURSE)
    edits = {"edited_rows": {1: {"lambd": "3"}, 2: {"name": "Drop"}}, "deleted_rows": [0],
             "added_rows": [{"name": "L1", "l1": "0.1"}]}
    edited = dashboard.edited_frame(frame, edits)
    assert list(edited["name"]) == ["L2", "Drop", "L1"]
    specs, problems = dashboard.frame_specs(edited)
    assert problems == [] and [str(spec) for spec in specs] == ["L2:lambd=3", "Drop:keep_prob=0.86", "L1:l1=0.1"]
    assert dashboard.edited_frame(frame, {"edited_rows": {}, "added_rows": [], "deleted_rows": []}).equals(frame)


# --- The table on an analyst's table: balanced accuracy, the majority-class baseline, standardization ------


@pytest.fixture(scope="module")
def lopsided():
    """Three features, text labels, ham 88 % of the points: a table the majority class nearly carries."""
    rng = np.random.default_rng(5)
    y = np.where(np.arange(250) % 25 < 22, "ham", "spam")
    X = rng.normal(0, 1, (250, 3)) + np.where(y == "spam", 1.2, 0.0)[:, None] * [1, 0, 1]
    return nnreg.Dataset.from_arrays(X, y, name="mail", feature_names=["a", "b", "c"])


@pytest.fixture(scope="module")
def lopsided_runs(lopsided):
    models = {"none": nnreg.Settings(num_iterations=300), "raw": nnreg.Settings(num_iterations=300, standardize=False)}
    return {name: [nnreg.train(lopsided, run) for run in dashboard.seed_runs(settings, 2)]
            for name, settings in models.items()}


def _recall_mean(labels, predicted):
    # Independently of the table: each class's share of its test points labelled right, averaged.
    return np.mean([np.mean(predicted[labels == label] == label) for label in set(labels.tolist())])


def test_balanced_test_accuracy_is_the_mean_of_each_class_recall(lopsided, lopsided_runs):
    table = dashboard.accuracy_table(lopsided_runs, None, lopsided)
    assert list(table.columns)[list(table.columns).index("Test std") + 1] == "Balanced test accuracy"
    for name, runs in lopsided_runs.items():
        by_hand = [_recall_mean(lopsided.test_Y, run.predict(lopsided.test_X)) for run in runs]
        assert table.loc[name, "Balanced test accuracy"] == pytest.approx(np.mean(by_hand), abs=1e-15)
    # Without the data, the table is as before.
    assert "Balanced test accuracy" not in dashboard.accuracy_table(lopsided_runs)
    assert dashboard.shown_table(table).loc["none", "Balanced test accuracy"].endswith("%")


def test_the_majority_class_baseline_and_the_imbalance_are_named(lopsided, football):
    train_ham = np.mean(lopsided.train_Y == lopsided.class_names.index("ham"))
    test_ham = np.mean(lopsided.test_Y == lopsided.class_names.index("ham"))
    assert train_ham > 0.8
    assert dashboard.baseline_note(lopsided) == (
        f"Majority-class baseline: always answering ham (the largest class of the training points) scores "
        f"{100 * test_ham:.1f}% test accuracy, and 50.0% balanced test accuracy (each class's share of test points "
        "labelled right, averaged over the 2 classes).")
    assert dashboard.imbalance_warning(lopsided) == (
        f"ham is {100 * train_ham:.1f}% of the training points: a model that always answers ham already scores "
        f"{100 * test_ham:.1f}% test accuracy. Compare the models by their balanced test accuracy, which counts "
        "every class alike.")
    # Football's larger label is under 80 % of its training points: no warning.
    ones = np.mean(football.train_Y == 1)
    larger = "1" if ones > 0.5 else "0"
    assert max(ones, 1 - ones) <= 0.8 and dashboard.imbalance_warning(football) is None
    assert dashboard.baseline_note(football).startswith(
        f"Majority-class baseline: always answering label {larger} (the largest class of the training points) scores "
        f"{100 * np.mean(football.test_Y == int(larger)):.1f}% test accuracy")


def test_equal_classes_make_the_baseline_one_of_the_largest():
    rng = np.random.default_rng(0)
    dataset = nnreg.Dataset.from_arrays(rng.normal(0, 1, (90, 4)), np.repeat(["a", "b", "c"], 30))
    assert dashboard.baseline_note(dataset).startswith(
        "Majority-class baseline: always answering a (one of the largest classes of the training points) scores "
        "33.3% test accuracy, and 33.3% balanced test accuracy (each class's share of test points labelled right, "
        "averaged over the 3 classes).")


def test_the_table_says_which_models_inputs_were_standardized(lopsided, lopsided_runs, runs):
    table = dashboard.accuracy_table(lopsided_runs, None, lopsided)
    assert [run[0].input_mean is not None for run in lopsided_runs.values()] == [True, False]
    assert list(dashboard.shown_table(table)["Standardized"]) == ["yes", "no"]
    assert dashboard.standardized_note(table).startswith("Standardized: each input feature scaled to mean 0")
    assert dashboard.standardized_note(table).endswith("; the others train on the raw features.")
    # With every model standardized there are no others to speak of.
    standardized = {name: runs for name, runs in lopsided_runs.items() if runs[0].input_mean is not None}
    assert dashboard.standardized_note(dashboard.accuracy_table(standardized, None, lopsided)).endswith(
        "(never its dev or test points).")
    # On football nothing is standardized and the question is not asked.
    football_table = dashboard.accuracy_table(runs, None, None)
    assert "Standardized" not in football_table and dashboard.standardized_note(football_table) == ""


def test_results_are_scored_only_on_their_own_data(lopsided_runs, football):
    with pytest.raises(ValueError, match="cannot be scored on 'football'"):
        summary_table(lopsided_runs, football)
