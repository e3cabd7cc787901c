"""The dashboard's study page (frame.py opens it by default), run headless with Streamlit's AppTest
on short trainings."""

import socket
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg import charts, dashboard
from nnreg.report import palette
from nnreg.dashboard import CONTROLS
from nnreg.specs import DEFAULT_SPECS

from apptest import open_page

ROOT = Path(__file__).resolve().parents[2]
ACCURACY = ["Train accuracy", "Test accuracy", "Gap (train − test)"]
# The course's three models by their names in nnreg.STUDY and on the page (the table's index).
NAMES = {"none": "No regularization", "l2": "L2", "dropout": "Dropout"}


def table(page) -> pd.DataFrame:
    return page.table[0].value


def test_the_default_page_shows_the_whole_study():
    page = open_page()
    assert not page.error and not page.warning
    assert [h.value for h in page.subheader][:3] == ["No regularization", "L2", "Dropout"]
    # The boundaries' legend, three boundaries and the open tab's three weight charts.
    assert len(page.get("vega_lite_chart")) == 7
    assert list(table(page)["Model"]) == ["No regularization", "L2 (λ = 0.7)", "Dropout (keep_prob = 0.86)"]
    assert sorted(h.value for h in page.header) == ["Accuracy", "Data", "Network and training", "Regularization",
                                                    "Settings file"]
    assert [tab.label for tab in page.tabs] == list(dashboard.VIEWS)


@pytest.mark.slow
@pytest.mark.parametrize("view, charts_drawn, latex", [
    ("Weight decay", 3, 0), ("The network", 3, 0), ("Learning curves", 6, 0), ("Training replay", 1, 0),
    ("Hidden units", 3, 0), ("Sensitivity", 1, 0), ("The data alone", 1, 0),
    ("The math", 0, 7)])
def test_each_view_is_drawn_only_while_its_tab_is_open(view, charts_drawn, latex):
    page = open_page(view=view)
    assert not page.exception and not page.error
    # The boundaries' legend and the three boundaries, then what the open tab draws.
    assert len(page.get("vega_lite_chart")) == 4 + charts_drawn
    assert len(page.latex) == latex


def test_the_table_has_nnreg_trains_numbers(football):
    shown = table(open_page())
    for name, settings in nnreg.STUDY.items():
        result = nnreg.train(football, settings.replace(num_iterations=300))
        row = shown.loc[NAMES[name]]
        assert (row["Train accuracy"], row["Test accuracy"]) == (result.train_accuracy, result.test_accuracy)
        assert (row["λ"], row["keep_prob"]) == (settings.lambd, settings.keep_prob)


def test_changing_lambda_in_the_list_changes_only_the_l2_row():
    before = table(open_page())
    after = table(open_page(model=["No regularization", "L2:lambd=10", "Dropout:keep_prob=0.86"]))
    assert after.loc["L2", "Model"] == "L2 (λ = 10)"
    assert after.loc["L2", "Train accuracy"] != before.loc["L2", "Train accuracy"]
    pd.testing.assert_frame_equal(after.drop(index="L2")[ACCURACY], before.drop(index="L2")[ACCURACY])


@pytest.mark.slow
def test_discretize_changes_only_the_boundaries_data_and_the_legend_and_back_gives_the_same_charts():
    page = open_page()
    charts_shown = [chart.proto for chart in page.get("vega_lite_chart")]
    page.toggle(key="discretize").set_value(True).run()
    discretized = [chart.proto for chart in page.get("vega_lite_chart")]
    page.toggle(key="discretize").set_value(False).run()
    assert [chart.proto for chart in page.get("vega_lite_chart")] == charts_shown
    # The legend, each model's boundary, then the three weight charts: the legend changes, and the
    # boundaries' data, not their specs, so the browser updates them in place.
    assert [index for index, (a, b) in enumerate(zip(charts_shown, discretized)) if a != b] == [0, 1, 2, 3]
    assert "predicted 1" in discretized[0].spec and "predicted 1" not in charts_shown[0].spec
    assert [a.spec for a in charts_shown[1:]] == [b.spec for b in discretized[1:]]


def test_ring_errors_from_the_link_rings_the_training_points_each_model_labels_wrong():
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    page = open_page(ring_errors="true")
    assert page.toggle(key="ring_errors").value is True
    football = nnreg.data.load_dataset(nnreg.data.BUILTIN)
    boundaries = [chart.proto for chart in page.get("vega_lite_chart")][1:4]
    for boundary, (name, row) in zip(boundaries, table(page).iterrows()):
        ringed = next(convert_arrow_bytes_to_pandas_df(dataset.data.data) for dataset in boundary.datasets
                      if dataset.name == charts.MISCLASSIFIED_DATASET)
        # As many of each split as its accuracies leave out (the test points are drawn by default).
        for split, points in (("train", len(football.train_Y)), ("test", len(football.test_Y))):
            wrong = round((1 - row[f"{split.title()} accuracy"]) * points)
            assert (ringed["split"] == split).sum() == wrong > 0, (name, split)
    # Turned off, the boundaries keep their specs: only their data changes, redrawn in place.
    page.toggle(key="ring_errors").set_value(False).run()
    assert [chart.proto.spec for chart in page.get("vega_lite_chart")][1:4] == [b.spec for b in boundaries]


def test_url_parameters_set_the_widgets_and_the_list():
    page = open_page(layers="10, 5", data="moons", n_points="200", noise="0.2", n_seeds="2", dropout_mask="fixed",
                     discretize="true", model=[*DEFAULT_SPECS, "L2 + dropout:lambd=0.3,keep_prob=0.5"])
    assert page.text_input(key="layers").value == "10, 5"
    assert page.selectbox(key="data").value == "moons"
    assert page.text_input(key="n_points").value == "200"
    assert page.radio(key="dropout_mask").value == "fixed"
    assert page.toggle(key="discretize").value is True
    shown = table(page)
    assert list(shown.index) == ["No regularization", "L2", "Dropout", "L2 + dropout"]
    assert shown.loc["L2 + dropout", "Model"] == "L2 + dropout (λ = 0.3, keep_prob = 0.5)"
    assert list(shown["Seeds"]) == [2, 2, 2, 2] and "Test std" in shown
    assert any("moons:n_points=200,noise=0.2,seed=0" in caption.value for caption in page.caption)
    # The editor shows the list, one row per model.
    assert list(page.data_editor[0].value["name"]) == list(shown.index)


def test_an_older_link_with_lambda_and_the_fourth_model_opens_the_same_models():
    page = open_page(lambd="0.3", keep_prob="0.5", l2_dropout="true")
    assert not page.warning
    assert list(table(page)["Model"]) == ["No regularization", "L2 (λ = 0.3)", "Dropout (keep_prob = 0.5)",
                                          "L2 + dropout (λ = 0.3, keep_prob = 0.5)"]
    assert page.query_params["model"] == ["No regularization", "L2:lambd=0.3", "Dropout:keep_prob=0.5",
                                          "L2 + dropout:lambd=0.3,keep_prob=0.5"]
    assert "lambd" not in page.query_params


def test_a_link_with_bad_models_warns_and_keeps_the_others(football):
    page = open_page(model=["none", "L2 small:lambd=0.1", "oops:colour=red", "L2 small:lambd=3", "L2:lambd=0.7"])
    warnings = [w.value for w in page.warning]
    assert warnings == ["model 'oops:colour=red': unknown key 'colour'; the keys are lambd, l1, keep_prob, "
                        "weight_decay, early_stopping, layers, activation, optimizer, learning_rate, batch_size, "
                        "num_iterations, standardize",
                        "model 'L2 small:lambd=3': another model is named 'L2 small'; every model needs a name of "
                        "its own"]
    shown = table(page)
    assert list(shown.index) == ["none", "L2 small", "L2"]
    assert shown.loc["L2 small", "Test accuracy"] == nnreg.train(
        football, nnreg.Settings(lambd=0.1, num_iterations=300)).test_accuracy
    assert page.query_params["model"] == ["none", "L2 small:lambd=0.1", "L2:lambd=0.7"]
    # No model usable: the course's three.
    page = open_page(model=["x:lambd=-1"])
    assert list(table(page).index) == ["No regularization", "L2", "Dropout"]
    assert "None of the link's models could be used" in " ".join(w.value for w in page.warning)


@pytest.mark.slow
def test_seven_models_in_a_link_compare_the_first_six():
    page = open_page(model=[f"m{i}:lambd={i / 10}" for i in range(7)], num_iterations="200")
    assert list(table(page).index) == [f"m{i}" for i in range(6)]
    assert [w.value for w in page.warning] == ["model 'm6:lambd=0.6': at most 6 models are compared"]
    # Six boundaries in two rows of three, the legend, and the open tab's three weight charts.
    assert len(page.get("vega_lite_chart")) == 1 + 6 + 3


def _runs_over_seeds(football, settings, seeds=3):
    """The runs `--seeds` means (README), worked out here apart from the page's code: init seeds 0 to
    seeds - 1, each with its dropout masks drawn from the same seed, at the page's 300 iterations."""
    return [nnreg.train(football, settings.replace(num_iterations=300, seed=seed, dropout_seed=seed))
            for seed in range(seeds)]


def test_several_seeds_say_whether_each_change_is_within_noise(football):
    # The course's three and one penalty so strong that its change is far beyond noise: both verdicts.
    models = {"none": nnreg.STUDY["none"], "L2": nnreg.STUDY["l2"], "Dropout": nnreg.STUDY["dropout"],
              "Too much": nnreg.STUDY["none"].replace(lambd=50.0)}
    page = open_page(n_seeds="3", model=["none", "L2:lambd=0.7", "Dropout:keep_prob=0.86", "Too much:lambd=50"])
    shown = table(page)
    test = {name: np.array([run.test_accuracy for run in _runs_over_seeds(football, settings)])
            for name, settings in models.items()}
    deltas = [metric.delta for metric in page.metric if metric.delta]
    assert deltas[0] == "the baseline"
    verdicts = []
    for name, delta in zip(list(models)[1:], deltas[1:], strict=True):
        assert shown.loc[name, "Test accuracy"] == pytest.approx(test[name].mean())
        change = 100 * (test[name].mean() - test["none"].mean())
        # Within noise: a change no larger than the larger of the two standard deviations over seeds.
        within = abs(change) <= 100 * max(test[name].std(ddof=1), test["none"].std(ddof=1))
        points = f"{change:+.1f} pts".replace("-", "−")
        assert shown.loc[name, "Test change"] == points
        assert shown.loc[name, "Within noise"] == ("yes" if within else "no")
        assert delta == points + (" ≈ noise" if within else "")
        verdicts.append(within)
    assert set(verdicts) == {True, False}
    assert any("minus No regularization's, within noise when it is at most the larger of their standard deviations"
               in caption.value for caption in page.caption)


def test_one_seed_says_nothing_about_noise():
    page = open_page()
    assert "Within noise" not in table(page)
    assert not any("noise" in metric.delta for metric in page.metric)
    assert not any("noise" in caption.value for caption in page.caption)


def test_invalid_url_parameters_warn_and_fall_back_to_defaults():
    page = open_page(lambd="abc", keep_prob="5", data="nope", seed="3.5", optimizer="sgd", activation="Softplus",
                     batch_size="-3")
    messages = " ".join(w.value for w in page.warning)
    for words in ("`lambd=abc`", "`keep_prob=5`", "`data=nope`", "`seed=3.5`", "`optimizer=sgd`",
                  "`activation=Softplus`", "`batch_size=-3`"):
        assert words in messages
    assert list(table(page)["Model"]) == ["No regularization", "L2 (λ = 0.7)", "Dropout (keep_prob = 0.86)"]
    assert page.selectbox(key="data").value == "football"
    assert page.text_input(key="seed").value == str(CONTROLS["seed"].default)
    assert (page.selectbox(key="optimizer").value, page.selectbox(key="activation").value) == ("gd", "relu")
    assert page.text_input(key="batch_size").value == "full"
    assert not {"optimizer", "activation", "batch_size"} & set(page.query_params)


def test_a_link_with_adam_and_a_model_with_weight_decay_trains_them_and_says_what_each_changes(football):
    page = open_page(optimizer="adam", learning_rate="0.01", batch_size="32",
                     model=["Adam", "Adam + WD:weight_decay=0.001", "GD:optimizer=gd,batch_size=full,learning_rate=0.3"])
    assert not page.error and not page.warning
    assert (page.selectbox(key="optimizer").value, page.text_input(key="batch_size").value) == ("adam", "32")
    assert page.query_params["optimizer"] == "adam" and page.query_params["batch_size"] == "32"
    shared = nnreg.Settings(optimizer="adam", learning_rate=0.01, batch_size=32, num_iterations=300)
    trained = {"Adam": nnreg.train(football, shared),
               "Adam + WD": nnreg.train(football, shared.replace(weight_decay=0.001)),
               "GD": nnreg.train(football, shared.replace(optimizer="gd", batch_size=None, learning_rate=0.3))}
    shown = table(page)
    for name, result in trained.items():
        assert shown.loc[name, "Test accuracy"] == result.test_accuracy
    # Each update takes 32 of the points the model fits, the last of an epoch fewer.
    m = trained["Adam + WD"].train_size
    per_epoch = len(range(0, m, 32))
    mini = f"mini-batches of 32, 300 updates ≈ {300 / per_epoch:.1f} epochs of {m} points"
    captions = [caption.value for caption in page.caption]
    # In the table's order of keys: the optimizer, α, then the batch size.
    for caption in (mini, f"weight decay 0.001, {mini}", "gradient descent, α = 0.3, full batch"):
        assert caption in captions
    assert list(shown["Model"]) == ["Adam (mini-batches of 32)", "Adam + WD (weight decay 0.001, mini-batches of 32)",
                                    "GD (gradient descent, α = 0.3, full batch)"]


def test_a_bad_batch_size_typed_is_named_and_the_models_keep_the_full_batch():
    page = open_page()
    before = table(page)
    page.text_input(key="batch_size").set_value("0").run()
    [warning] = page.warning
    assert warning.value == ("Batch size: `0` was not used: batch_size must be full (every training point at each "
                             "update) or a whole number from 1 to 100,000, got 0. The models use full.")
    assert page.text_input(key="batch_size").value == "full" and "batch_size" not in page.query_params
    pd.testing.assert_frame_equal(table(page), before)
    page.text_input(key="batch_size").set_value("64").run()
    assert not page.warning and page.query_params["batch_size"] == "64"
    assert all("mini-batches of 64" in title for title in table(page)["Model"])
    # Emptied, the field means the full batch again.
    page.text_input(key="batch_size").set_value("").run()
    assert not page.warning
    pd.testing.assert_frame_equal(table(page), before)


@pytest.mark.slow
def test_typed_bad_layer_sizes_are_named_and_the_field_shows_what_the_models_use():
    page = open_page()
    page.text_input(key="layers").set_value("10 5").run()
    for typed in ("20, 0", "600", "1 " * 11, "20,,3", "x"):
        page.text_input(key="layers").set_value(typed).run()
        assert not page.exception, typed
        [warning] = page.warning
        assert f"`{typed.strip()}` was not used" in warning.value and "whole numbers" in warning.value
        assert warning.value.endswith("The models use 10, 5.")
        assert page.text_input(key="layers").value == "10, 5"
        assert len(table(page)) == 3 and not page.error
    # The message goes once the field is used again.
    page.text_input(key="layers").set_value("20 3").run()
    assert not page.warning


def test_a_bad_upload_shows_the_reason_and_the_page_keeps_working():
    page = open_page(data="upload")
    assert "Choose a file" in page.info[0].value
    # A text feature of a value per row: neither a number nor a category to one-hot encode.
    rows = "".join(f"person {i},{i / 10},{i % 2}\n" for i in range(40))
    page.file_uploader[0].upload("points.csv", f"name,x,y\n{rows}".encode(), "text/csv").run()
    assert not page.exception
    [error] = page.error
    assert error.value.startswith("points.csv: feature column(s) name hold text of more than 20 distinct values (40)")
    assert len(table(page)) == 3


def test_a_good_upload_is_used(moons):
    page = open_page(data="upload")
    content = moons.to_frame().to_csv(index=False).encode()
    page.file_uploader[0].upload("mine.csv", content, "text/csv").run()
    assert not page.error
    assert any("Dataset **mine.csv**" in caption.value for caption in page.caption)


def test_a_diverging_learning_rate_shows_an_error_per_model():
    page = open_page(learning_rate="10")
    assert len(page.error) == 3
    assert all("diverged at iteration" in e.value and "lower the learning rate" in e.value for e in page.error)
    assert len(table(page)) == 3


def test_the_learning_rate_control_goes_as_high_as_the_library_allows():
    page = open_page(learning_rate="100")
    assert page.text_input(key="learning_rate").value == "100" and nnreg.limits.RANGES["learning_rate"].high == 100
    assert not page.warning
    assert len(page.error) == 3
    assert all("diverged at iteration" in e.value and "lower the learning rate" in e.value for e in page.error)
    assert len(table(page)) == 3


@pytest.mark.slow
@pytest.mark.parametrize("preset, masks", [(dashboard.COURSE_PRESET, "fresh"), (dashboard.NOTEBOOK_PRESET, "fixed")])
def test_a_preset_sets_every_model_control_and_keeps_the_data(preset, masks):
    other = "fixed" if masks == "fresh" else "fresh"
    page = open_page(model=["a", "b:lambd=0.2", "c:l1=0.1,keep_prob=0.5"], layers="10, 5", dropout_mask=other,
                     data="moons", stop_early="true", train_fraction="0.5", activation="tanh", optimizer="adam",
                     batch_size="32")
    next(button for button in page.button if button.label == preset).click().run()
    assert not page.exception
    assert list(table(page).index) == ["No regularization", "L2", "Dropout"]
    assert page.query_params["model"] == list(DEFAULT_SPECS)
    assert list(page.data_editor[0].value["name"]) == ["No regularization", "L2", "Dropout"]
    assert page.toggle(key="stop_early").value is False
    assert page.slider(key="train_fraction").value == 1.0
    assert page.text_input(key="layers").value == "20, 3"
    assert page.text_input(key="num_iterations").value == str(CONTROLS["num_iterations"].default)
    assert page.radio(key="dropout_mask").value == masks
    assert (page.selectbox(key="activation").value, page.selectbox(key="optimizer").value) == ("relu", "gd")
    assert page.text_input(key="batch_size").value == "full"
    assert not {"activation", "optimizer", "batch_size"} & set(page.query_params)
    assert page.selectbox(key="data").value == "moons"
    # Typed fields keep their course values in the link; nothing else of the models stays.
    models = {key: value for key, value in page.query_params.items() if key in dashboard.controls.MODEL_CONTROLS}
    assert {key: dashboard.parse_value(key, value, []) for key, value in models.items()} == {
        key: dashboard.PRESETS[preset][key] for key in models}


def test_the_adam_preset_compares_l2_and_weight_decay_on_the_datas_size(football):
    page = open_page(model=["a"], learning_rate="2", optimizer="momentum")
    button = next(button for button in page.button if button.label == dashboard.ADAM_PRESET)
    m = len(football.train_Y)
    # The help gives this data's numbers: 0.01 · 0.0995 against 0.3 · 0.7 / 211, both 0.0995 %.
    assert f"αλ/m = 0.3 · 0.7 / {m} = {100 * 0.3 * 0.7 / m:.4f}%" in button.help
    assert f"α·wd = {100 * 0.01 * 0.0995:.4f}% per step, about what" in button.help
    button.click().run()
    assert not page.exception
    assert list(table(page).index) == ["Adam", "Adam + L2", "Adam + weight decay", "Gradient descent + L2"]
    assert page.text_input(key="learning_rate").value == "0.3" and page.selectbox(key="optimizer").value == "gd"
    # The preset trains the course's 30,000 updates; the Weight decay view compares the four from the numbers.
    assert page.text_input(key="num_iterations").value == "30000"
    said = " ".join(markdown.value for markdown in page.markdown)
    assert "Adam + L2's ‖W‖ per layer" in said and "Adam + weight decay shrinks every weight by α·wd" in said


def test_every_download_is_offered():
    labels = [button.label for button in open_page().get("download_button")]
    assert labels == ["Weights (.npz)"] * 3 + ["Table (CSV)", "Settings (JSON)"]


def test_the_theme_keeps_blue_for_1_and_red_for_0():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    theme = config["theme"]
    assert not {palette.BLUE, palette.RED} & set(theme["chartCategoricalColors"])
    diverging = theme["chartDivergingColors"]
    assert len(diverging) == 10 and palette.RED in diverging[:5] and palette.BLUE in diverging[5:]
    assert config["server"]["headless"] is True and config["server"]["maxUploadSize"] <= 10


@pytest.mark.slow
def test_an_over_budget_link_is_refused_before_anything_trains():
    start = time.monotonic()
    page = open_page(layers=",".join(["500"] * 10), num_iterations="100000", n_seeds="10", l2_dropout="true")
    assert time.monotonic() - start < 30
    [error] = page.error
    assert "This page would train too much" in error.value and "Lower the number of seeds" in error.value
    assert not page.table and not page.get("vega_lite_chart")[1:]
    # The controls still work: back under the budget, the models are trained.
    page.text_input(key="layers").set_value("20, 3").run()
    page.text_input(key="n_seeds").set_value("1").run()
    page.text_input(key="num_iterations").set_value("300").run()
    assert not page.error and len(table(page)) == 4


def test_diverged_models_are_marked_and_never_compared():
    page = open_page(learning_rate="20")
    shown = page.table[0].value
    assert list(shown["Outcome"]) == ["diverged", "diverged", "diverged"]
    deltas = [metric.delta for metric in page.metric if metric.delta]
    assert deltas == ["the baseline"] + ["diverged: not compared"] * 2
    assert any("No regularization diverged, so there are no trained weights to compare" in m.value
               for m in [*page.markdown, *page.caption])


@pytest.mark.slow
def test_a_penalty_too_strong_is_collapsed_compared_and_shown_not_an_error():
    # The link: λ = 50 underfits (P = 0.507 everywhere); it did not diverge.
    page = open_page(model=["none", "L2:lambd=0.7", "L2 huge:lambd=50"], num_iterations="30000")
    assert not page.error
    [warning] = page.warning
    assert warning.value.startswith("Collapsed: the penalty is too strong and the model underfits")
    assert warning.value.endswith("Lower λ (now 50).")
    shown = table(page)
    assert list(shown["Outcome"]) == ["trained", "trained", "collapsed"]
    assert list(shown["Test accuracy"])[2] == 0.505
    deltas = [metric.delta for metric in page.metric if metric.delta]
    assert deltas[2] == f"−{81.5 - 50.5:.1f} pts"
    # The true minus, and the metric still reads it as a drop: red, arrow down.
    styles = [(metric.proto.color, metric.proto.direction) for metric in page.metric if metric.delta]
    proto = page.metric[0].proto
    assert styles == [(proto.GRAY, proto.NONE), (proto.GREEN, proto.UP), (proto.RED, proto.DOWN)]
    assert any("Collapsed: the model gives every point it trained on one label" in caption.value
               for caption in page.caption)
    assert len(page.get("vega_lite_chart")) >= 4  # the legend and each model's boundary


def test_the_pages_seeds_are_the_command_lines_seeds(football):
    page = open_page(n_seeds="3")
    assert page.text_input(key="seed").disabled
    assert [c.value for c in page.caption].count("Means over 3 runs, init seeds 0 to 2.") == 3
    for name, settings in nnreg.STUDY.items():
        runs = _runs_over_seeds(football, settings)
        row = table(page).loc[NAMES[name]]
        assert row["Test accuracy"] == pytest.approx(np.mean([run.test_accuracy for run in runs]))
        assert row["Train accuracy"] == pytest.approx(np.mean([run.train_accuracy for run in runs]))


def test_is_dropouts_95_real_trains_only_when_opened():
    closed = open_page()
    assert not any("The notebook trains dropout once" in m.value for m in closed.markdown)
    page = open_page(view="Dropout runs")
    assert not page.error
    caption = next(m.value for m in page.markdown if "The notebook trains dropout once" in m.value)
    assert "Over init seeds 0 to 9" in caption
    # The legend, three boundaries, and the runs of this view.
    assert len(page.get("vega_lite_chart")) == 5


def test_a_link_to_the_masks_view_under_its_old_name_opens_it():
    page = open_page(view="Is dropout's 95 % real?")
    assert not page.error and not page.warning
    assert any("The notebook trains dropout once" in m.value for m in page.markdown)


def test_with_several_seeds_metrics_say_means_and_curves_say_their_seed():
    page = open_page(n_seeds="3", view="Learning curves")
    assert [m.label for m in page.metric][:2] == ["Mean train", "Mean test"]
    said = [c.value for c in page.caption if c.value.startswith("Means over")]
    assert said == ["Means over 3 runs, init seeds 0 to 2."] * 3
    assert any(c.value == "The curves of the runs with init seed 0." for c in page.caption)
    shown = table(page)
    assert [m.value for m in page.metric][:2] == [f"{shown.loc['No regularization', 'Train accuracy']:.1%}",
                                                  f"{shown.loc['No regularization', 'Test accuracy']:.1%}"]


@pytest.mark.slow
def test_the_server_starts_by_training_exactly_what_a_first_visit_trains(football):
    # nnreg.dashboard.server trains dashboard.default_runs() when the server starts; a link with no
    # values must then find every one of its models trained.
    from nnreg.dashboard import resources

    page = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=120)
    page.run()
    assert not page.exception
    runs = dashboard.default_runs()
    assert len(runs) == len(table(page)) == 3
    assert resources.model_cache().missing(football, runs) == []


@pytest.mark.slow
def test_the_servers_start_trains_the_default_models_into_the_shared_cache(football):
    from nnreg.dashboard import resources, server

    resources.model_cache.clear()
    assert resources.model_cache().missing(football, dashboard.default_runs()) != []
    server.prepare()
    assert resources.model_cache().missing(football, dashboard.default_runs()) == []


@pytest.mark.parametrize("family, host", [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")])
def test_no_delay_reaches_every_connection_the_servers_socket_accepts(family, host):
    from nnreg.dashboard import server

    # Bound as Streamlit binds it: protocol number 0, which asyncio takes for "not TCP".
    with socket.socket(family=family) as listening, socket.socket(family=family) as other:
        try:
            for sock in (listening, other):
                sock.bind((host, 0))
                sock.listen()
        except OSError as error:
            pytest.skip(f"no {host} on this machine: {error}")
        port = listening.getsockname()[1]
        assert server.no_delay(port)
        # Every connection, not only the next.
        for _ in range(2):
            with socket.create_connection((host, port)), listening.accept()[0] as accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        with socket.create_connection(other.getsockname()[:2]), other.accept()[0] as accepted:
            assert not accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    with socket.socket(family=family) as closed:
        closed.bind((host, 0))
        unused = closed.getsockname()[1]
    assert not server.no_delay(unused)


FIVE = [*DEFAULT_SPECS[:2], "L1:l1=0.05", DEFAULT_SPECS[2], "Early stopping:early_stopping=true"]


def test_l1_and_early_stopping_are_models_beside_the_courses(football):
    page = open_page(model=FIVE, num_iterations="600")
    assert not page.error and not page.warning
    assert [h.value for h in page.subheader][:5] == ["No regularization", "L2", "L1", "Dropout", "Early stopping"]
    shown = table(page)
    assert list(shown.index) == ["No regularization", "L2", "L1", "Dropout", "Early stopping"]
    assert shown.loc["L1", "l1"] == 0.05 and shown.loc["L2", "l1"] == 0
    l1 = nnreg.train(football, nnreg.Settings(l1=0.05, num_iterations=600))
    stopped = nnreg.train(football, nnreg.Settings(early_stopping=True, num_iterations=600))
    assert shown.loc["L1", "Test accuracy"] == l1.test_accuracy
    assert shown.loc["Early stopping", "Test accuracy"] == stopped.test_accuracy
    assert shown.loc["Early stopping", "Stopped at"] == f"{stopped.best_iteration:,}"
    assert shown.loc["No regularization", "Stopped at"] == ""
    assert shown.loc["Early stopping", "Train points"] == stopped.train_size == 158
    assert shown.loc["No regularization", "Train points"] == 211
    # Five models: three in the first row, two in the second, each with its boundary.
    assert len(page.get("vega_lite_chart")) == 1 + 5 + 3
    zeros, total = l1.zero_weights()
    assert any(f"{zeros} of its {total} weights are exactly 0" in m.value for m in page.caption)


def test_every_model_stops_early_on_request(football):
    page = open_page(stop_early="true", num_iterations="600")
    shown = table(page)
    for name, settings in nnreg.STUDY.items():
        result = nnreg.train(football, settings.replace(early_stopping=True, num_iterations=600))
        assert shown.loc[NAMES[name], "Test accuracy"] == result.test_accuracy
        assert shown.loc[NAMES[name], "Stopped at"] == f"{result.best_iteration:,}"
    assert shown.loc["L2", "Model"] == "L2 (λ = 0.7, early stopping, dev 25%)"
    assert any("Early stopping holds 53 of the training points out as dev points (diamonds)" in c.value
               for c in page.caption)


def test_a_share_of_the_training_points_trains_every_model(football):
    page = open_page(train_fraction="0.4")
    shown = table(page)
    result = nnreg.train(football, nnreg.STUDY["l2"].replace(train_fraction=0.4, num_iterations=300))
    assert shown.loc["L2", "Test accuracy"] == result.test_accuracy
    assert set(shown["Train points"]) == {result.train_size} == {85}
    assert any(c.value.startswith("Every model trains on 85 of the 211 training points, a stratified 40% drawn with "
                                  "init seed 3") for c in page.caption)


def test_a_share_too_small_to_train_on_is_named_before_anything_trains():
    page = open_page(data="moons", n_points="40", train_fraction="0.1")
    errors = [e.value for e in page.error]
    assert len(errors) == 1 and "train_fraction 0.1 keeps 2 of 20 training points" in errors[0]
    assert not page.table


def test_the_math_shows_l1s_proximal_step_and_early_stoppings_choice():
    page = open_page(view="The math", model=FIVE)
    latex = [line.value for line in page.latex]
    # Every regularizer of the five models has its formulas: L2, dropout, L1 and early stopping's choice.
    assert any(r"\frac{\lambda}{2m}" in line for line in latex)
    assert any(r"\mathrm{rand}" in line for line in latex)
    assert any(r"\max\!\Big(|V| - \frac{\alpha\,l_1}{m}" in line or "|V|" in line for line in latex)
    assert any(r"\arg\max" in line or r"rg\max" in line for line in latex)


@pytest.mark.slow
def test_the_settings_download_loads_back_through_the_sidebar(football):
    specs = nnreg.specs.parse_specs(["none", "L2 big:lambd=3", "wide:layers=8 4,keep_prob=0.8"])
    values = dict(dashboard.default_values(), layers=(10, 5), dropout_mask="fixed", num_iterations=300)
    saved = dashboard.settings_json(values, football, specs, dashboard.model_settings(specs, values), 1)
    fresh = open_page()
    fresh.file_uploader(key="settings_file").upload("nnreg-settings.json", saved.encode(), "application/json").run()
    assert not fresh.exception and not fresh.warning
    assert list(table(fresh).index) == ["none", "L2 big", "wide"]
    assert table(fresh).loc["wide", "Model"] == "wide (keep_prob = 0.8, layers 8, 4)"
    assert fresh.text_input(key="layers").value == "10, 5" and fresh.radio(key="dropout_mask").value == "fixed"
    assert fresh.query_params["model"] == ["none", "L2 big:lambd=3", "wide:layers=8, 4,keep_prob=0.8"]
    # A file that is no settings file is named, and nothing changes.
    fresh.file_uploader(key="settings_file").upload("notes.json", b"[1, 2]", "application/json").run()
    assert any("notes.json: not a settings file" in w.value for w in fresh.warning)
    assert list(table(fresh).index) == ["none", "L2 big", "wide"]
