"""The dashboard's non-layout logic: controls and URL values, models, table, caption, downloads, math."""

import dataclasses
import io
import json

import numpy as np
import pytest

import nnreg
from nnreg import dashboard
from nnreg.dashboard import CONTROLS

DEFAULTS = {key: control.default for key, control in CONTROLS.items()}
DEFAULTS["layers"] = dashboard.parse_layers(DEFAULTS["layers"])
FAST = dict(DEFAULTS, num_iterations=300)


@pytest.fixture(scope="module")
def runs(football):
    """Each model of the page's defaults (300 iterations) over two seeds."""
    return {name: [nnreg.train(football, run) for run in dashboard.seed_runs(settings, 2)]
            for name, settings in dashboard.model_settings(FAST).items()}


def test_the_defaults_are_the_course_study():
    models = dashboard.model_settings(DEFAULTS)
    assert models == {name: nnreg.STUDY[name] for name in ("none", "l2", "dropout")}


def test_the_fourth_model_combines_both_regularizers():
    models = dashboard.model_settings(dict(DEFAULTS, l2_dropout=True, lambd=0.3, keep_prob=0.5))
    assert list(models) == ["none", "l2", "dropout", "l2_dropout"]
    assert (models["l2_dropout"].lambd, models["l2_dropout"].keep_prob) == (0.3, 0.5)
    assert (models["l2"].keep_prob, models["dropout"].lambd, models["none"].lambd) == (1.0, 0.0, 0.0)


def test_controls_stay_inside_what_settings_accept():
    for key in ("learning_rate", "num_iterations", "lambd", "keep_prob", "seed"):
        control = CONTROLS[key]
        for value in (control.low, control.high, control.default):
            nnreg.Settings(**{key: value})


@pytest.mark.parametrize("text, sizes", [("20, 3", (20, 3)), ("20 3", (20, 3)), (" 5,5 ,5 ", (5, 5, 5)),
                                         ("7", (7,))])
def test_layer_sizes_are_read_from_text(text, sizes):
    assert dashboard.parse_layers(text) == sizes


@pytest.mark.parametrize("text, words", [("", "whole numbers"), ("20, x", "whole numbers"), ("2.5", "whole numbers"),
                                         ("-3", "whole numbers"), ("²", "whole numbers"), ("0", "1 to 500"),
                                         ("501", "1 to 500"), ("1 " * 11, "1 to 10 layers")])
def test_bad_layer_sizes_say_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        dashboard.parse_layers(text)


def test_valid_url_values_give_no_message():
    params = {"lambd": "0.3", "keep_prob": "0.5", "num_iterations": "500", "layers": "10, 5", "data": "moons",
              "dropout_mask": "fixed", "l2_dropout": "TRUE", "n_seeds": "3", "sweep_lambd": "anything"}
    assert dashboard.check_query_params(params, dashboard.dataset_choices()) == []


@pytest.mark.parametrize("key, text, reason", [
    ("lambd", "abc", "lambd must be a number"),
    ("lambd", "nan", "lambd must be from 0 to 100"),
    ("keep_prob", "0", "keep_prob must be from 0.05 to 1"),
    ("num_iterations", "1e9", "num_iterations must be a whole number"),
    ("num_iterations", "50", "num_iterations must be from 100 to 100000"),
    ("seed", "3.5", "seed must be a whole number"),
    ("data", "nope", "data must be one of football, circle"),
    ("dropout_mask", "sometimes", "dropout_mask must be one of fresh, fixed"),
    ("discretize", "maybe", "discretize must be true or false"),
    ("layers", "20,x", "hidden layer sizes must be whole numbers"),
])
def test_an_invalid_url_value_is_reported_with_its_default(key, text, reason):
    [message] = dashboard.check_query_params({key: text}, dashboard.dataset_choices())
    assert f"`{key}={text}`" in message and reason in message
    default = CONTROLS[key].default
    assert message.endswith(f"Using the default, {str(default).lower() if isinstance(default, bool) else default}.")


def test_dataset_choices_list_every_source_and_the_upload():
    choices = dashboard.dataset_choices()
    assert choices[0] == "football" and choices[-1] == dashboard.UPLOAD
    assert set(nnreg.data.SYNTHETIC) <= set(choices)


def test_a_menu_choice_loads_its_dataset(football):
    assert dashboard.load_choice("football", 400, 0.1, 0).fingerprint == football.fingerprint
    moons = dashboard.load_choice("moons", 120, 0.15, 4)
    assert moons.fingerprint == nnreg.make_dataset("moons", n_points=120, noise=0.15, seed=4).fingerprint


def test_seed_runs_count_up_from_the_chosen_seeds():
    settings = nnreg.Settings(seed=3, dropout_seed=1, keep_prob=0.86)
    runs = dashboard.seed_runs(settings, 3)
    assert runs[0] == settings
    assert [(run.seed, run.dropout_seed) for run in runs] == [(3, 1), (4, 2), (5, 3)]


def test_titles_name_the_strength():
    models = dashboard.model_settings(dict(DEFAULTS, l2_dropout=True))
    titles = [dashboard.model_title(name, settings) for name, settings in models.items()]
    assert titles == ["No regularization", "L2 (λ = 0.7)", "Dropout (keep_prob = 0.86)",
                      "L2 + dropout (λ = 0.7, keep_prob = 0.86)"]


def test_a_normal_run_has_no_problem(runs):
    assert all(dashboard.training_problem(run) is None for model in runs.values() for run in model)


def test_a_collapsed_network_is_reported_as_divergence(football):
    result = nnreg.train(football, nnreg.Settings(learning_rate=10.0, num_iterations=500))
    message = dashboard.training_problem(result)
    assert message == "Training diverged at iteration 100: lower the learning rate (now 10)."


def test_overflow_is_reported_with_its_iteration(runs):
    overflowed = dataclasses.replace(runs["none"][0], diverged_at=1234)
    assert "diverged at iteration 1,234" in dashboard.training_problem(overflowed)


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


def test_the_best_test_accuracy_is_highlighted(runs):
    table = dashboard.accuracy_table({name: model[:1] for name, model in runs.items()})
    table["Test accuracy"] = [0.90, 0.93, 0.91]
    html = dashboard.style_table(table).to_html()
    assert html.count("background-color: #fde68a") == 1
    assert "93.0%" in html and "90.0%" in html


def test_the_weight_decay_caption_gives_this_runs_norms(runs):
    first = {name: model[0] for name, model in runs.items()}
    norms = {name: np.sqrt(sum(np.sum(value**2) for key, value in result.parameters.items() if key.startswith("W")))
             for name, result in first.items()}
    caption = dashboard.weight_decay_caption(first)
    assert caption.startswith(f"L2 shrank the total weight norm ‖W‖ from {norms['none']:.1f} to {norms['l2']:.1f}")
    assert f"dropout {'shrank' if norms['dropout'] < norms['none'] else 'grew'} it" in caption
    assert dashboard.total_weight_norm(first["l2"]) == pytest.approx(norms["l2"])


def test_weights_download_round_trips(runs):
    result = runs["l2"][0]
    with np.load(io.BytesIO(dashboard.weights_npz(result)), allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(result.parameters)
        for name, value in result.parameters.items():
            np.testing.assert_array_equal(archive[name], value)


def test_settings_json_reproduces_every_model(football):
    values = dict(FAST, l2_dropout=True)
    models = dashboard.model_settings(values)
    document = json.loads(dashboard.settings_json(values, football, models, 2))
    assert document["controls"]["layers"] == [20, 3] and document["controls"]["num_iterations"] == 300
    assert document["dataset"] == {"name": "football", "fingerprint": football.fingerprint,
                                   "train_points": 211, "test_points": 200}
    for name, settings in models.items():
        assert [nnreg.Settings.from_dict(run) for run in document["models"][name]] == dashboard.seed_runs(settings, 2)


def test_the_math_has_this_runs_numbers():
    l2 = " ".join(dashboard.l2_latex(0.7, 211, 0.3))
    assert r"\frac{0.7}{2 \cdot 211} = 0.00166" in l2
    assert f"= {1 - 0.3 * 0.7 / 211:.6f}" in l2
    dropout = " ".join(dashboard.dropout_latex(0.86))
    assert "< 0.86" in dropout and "= 1.163" in dropout
