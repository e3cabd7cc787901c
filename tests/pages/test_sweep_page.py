"""The app's Sweep page (app_pages/sweep.py), driven headless with Streamlit's AppTest."""

import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg import dashboard
from nnreg.specs import DEFAULT_SPECS, parse_specs
from nnreg.sweeps import data_size_curve, executors, read_results

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "sweep.py")


@pytest.fixture
def page():
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.run()
    assert not app.exception
    return app


@pytest.fixture(scope="module")
def results_csv(football):
    rows = nnreg.sweep(football, {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}, 2,
                       nnreg.Settings(num_iterations=200)).rows
    return rows.to_csv(index=False).encode()


def _run_tiny(page, lambd="0, 0.7", keep_prob="1, 0.86", seeds="2", iterations="300"):
    page.text_input(key="sweep_lambd").set_value(lambd)
    page.text_input(key="sweep_keep_prob").set_value(keep_prob)
    page.text_input(key="sweep_seeds").set_value(seeds)
    page.text_input(key="sweep_iterations").set_value(iterations)
    page.form_submit_button[0].click().run()
    assert not page.exception


def _charts(page):
    return page.get("vega_lite_chart")


def _moons(page, n_points="200", noise=0.2, data_seed="3"):
    page.selectbox(key="sweep_data").set_value("moons").run()
    page.text_input(key="sweep_n_points").set_value(n_points)
    page.slider(key="sweep_noise").set_value(noise)
    page.text_input(key="sweep_data_seed").set_value(data_seed).run()
    assert not page.exception


def test_page_opens_with_the_form_and_nothing_run(page):
    assert page.title[0].value.startswith("Sweep")
    assert page.text_input(key="sweep_lambd").value == "0, 0.01, 0.1, 0.7, 3"
    assert page.text_input(key="sweep_l1").value == "0" and page.text_input(key="sweep_l1").label == "L1 values"
    # The main page's data choices, the built-in set first.
    assert page.selectbox(key="sweep_data").options == dashboard.dataset_choices()
    assert page.selectbox(key="sweep_data").value == "football"
    assert page.caption[1].value == "Dataset **football**: 211 training points, 200 test points."
    assert page.radio(key="sweep_dropout_mask").options == ["fresh", "fixed"]
    assert page.radio(key="sweep_dropout_mask").value == "fresh"
    assert not _charts(page) and not page.error


def test_a_sweep_shows_the_choice_curves_and_a_download(page):
    _run_tiny(page)
    assert not page.error and not page.warning
    assert [metric.label for metric in page.metric] == ["Chosen λ", "Chosen L1", "Chosen keep_prob",
                                                        "Test accuracy (retrained)"]
    chosen_lambd, chosen_l1, chosen_keep_prob, test = (metric.value for metric in page.metric)
    assert chosen_lambd in ("0", "0.7") and chosen_l1 == "0" and chosen_keep_prob in ("1", "0.86")
    assert test.endswith("%")
    assert len(_charts(page)) == 3
    table = page.dataframe[0].value
    assert len(table) == 4 and set(table["verdict"]) <= {"chosen", "best dev score", "within noise", "more than 1 SE below"}
    assert list(table.columns[:3]) == ["lambd", "l1", "keep_prob"]
    assert [download.proto.label for download in page.get("download_button")] == [
        "Download results (CSV)", "Download results (Parquet)"]
    # The results stay on the page when another curve is picked.
    page.selectbox(key="sweep_fixed_keep_prob").set_value(0.86 if chosen_keep_prob == "1" else 1.0).run()
    assert len(_charts(page)) == 3 and not page.exception
    # Another sweep's curves start at its own choice, not at the value picked for this one's.
    _run_tiny(page, lambd="0, 3", keep_prob="1, 0.5")
    assert page.selectbox(key="sweep_fixed_keep_prob").value == float(page.metric[2].value)
    assert page.selectbox(key="sweep_fixed_lambd").value == float(page.metric[0].value)


@pytest.mark.slow
@pytest.mark.parametrize("field, value, message", [
    ("sweep_lambd", "0, -1", "λ values: each value must be a number from 0 to 1,000, got -1"),
    ("sweep_l1", "0, -1", "L1 values: each value must be a number from 0 to 1,000, got -1"),
    ("sweep_l1", "x", "L1 values: each value must be a number from 0 to 1,000, got 'x'"),
    ("sweep_keep_prob", "0.5, x", "keep_prob values: each value must be a number from 0.05 to 1, got 'x'"),
    # The main page's and compare's lowest keep_prob: a row's link to the main page is never refused there.
    ("sweep_keep_prob", "1, 0.01", "keep_prob values: each value must be a number from 0.05 to 1, got 0.01"),
    ("sweep_hidden", "20, 2.5", "hidden layer sizes must be 1 to 10 layers of 1 to 500 units, whole numbers"),
    ("sweep_hidden", "20,,3", "got '20,,3'"),
    ("sweep_seeds", "", "Seeds must be a whole number from 1 to 100, got ''"),
    ("sweep_seeds", "101", "Seeds must be a whole number from 1 to 100, got 101"),
    ("sweep_seeds", "1.5", "Seeds must be a whole number from 1 to 100, got '1.5'"),
    ("sweep_seeds", "1e9", "Seeds must be a whole number from 1 to 100, got 1e9"),
    ("sweep_iterations", "100001", "Iterations must be a whole number from 100 to 100,000, got 100001"),
    ("sweep_learning_rate", "-1", "Learning rate must be a number from 0.001 to 100, got -1"),
    ("sweep_learning_rate", "0x10", "Learning rate must be a number from 0.001 to 100, got '0x10'"),
    ("sweep_weight_decay", "0, -1", "Weight decay values: each value must be a number from 0 to 10, got -1"),
    ("sweep_batch_size", "0", "Batch size must be "
     "full (every training point at each update) or a whole number from 1 to 100,000, got 0"),
    ("sweep_batch_size", "half", "Batch size must be "
     "full (every training point at each update) or a whole number from 1 to 100,000, got 'half'"),
])
def test_bad_values_are_named_and_nothing_runs(page, field, value, message):
    page.text_input(key=field).set_value(value)
    page.form_submit_button[0].click().run()
    assert not page.exception
    assert message in page.error[0].value
    assert not _charts(page)


def test_too_big_a_sweep_is_refused(page):
    page.text_input(key="sweep_seeds").set_value("20")
    page.form_submit_button[0].click().run()
    assert "This sweep would train too much: 320 models of 20, 3 hidden units" in page.error[0].value
    assert "Lower the number of seeds" in page.error[0].value
    assert not _charts(page)


# The data: the main page's choices and rules


def test_a_synthetic_set_is_trained_with_its_options(page, downloads):
    _moons(page)
    assert page.caption[1].value == "Dataset **moons:n_points=200,noise=0.2,seed=3**: 100 training points, 100 test points."
    _run_tiny(page)
    assert not page.error
    rows = read_results(downloads["sweep_results.csv"], "sweep_results.csv")
    assert set(rows["dataset"]) == {"moons:n_points=200,noise=0.2,seed=3"}
    assert rows["fingerprint"].iloc[0] == nnreg.make_dataset("moons", n_points=200, noise=0.2, seed=3).fingerprint


@pytest.mark.slow
@pytest.mark.parametrize("key, value, message", [
    ("sweep_n_points", "5", "Number of points: `5` was not used: n_points must be a whole number from 40 to 2,000, got 5. "
                            "The models use 200."),
    ("sweep_n_points", "", "Number of points: an empty field was not used: n_points must be a whole number from 40 to "
                           "2,000, got ''. The models use 200."),
    ("sweep_data_seed", "-1", "Data seed: `-1` was not used: data_seed must be a whole number from 0 to "),
])
def test_a_bad_data_option_is_named_and_the_field_keeps_the_one_used(page, key, value, message):
    # The main page's rule: the typed text is quoted and the field goes back to the value in use.
    _moons(page)
    kept = page.text_input(key=key).value
    page.text_input(key=key).set_value(value).run()
    assert not page.exception and page.warning[0].value.startswith(message)
    assert page.text_input(key=key).value == kept
    assert page.caption[1].value == "Dataset **moons:n_points=200,noise=0.2,seed=3**: 100 training points, 100 test points."
    page.run()
    assert not page.warning


def _upload_data(page, name, content):
    page.selectbox(key="sweep_data").set_value("upload").run()
    assert page.info[0].value == "Choose a data file to train on."
    page.file_uploader(key="sweep_data_file").upload(name, content, "text/csv")
    page.run()
    assert not page.exception


def test_an_uploaded_data_file_is_trained_on(page, moons, tmp_path, downloads):
    path = tmp_path / "my field.csv"
    nnreg.data.write_csv(moons, path)
    _upload_data(page, path.name, path.read_bytes())
    assert page.caption[1].value == "Dataset **my field.csv**: 60 training points, 60 test points."
    _run_tiny(page, lambd="0, 0.7", keep_prob="1")
    assert not page.error and len(_charts(page)) == 2
    rows = read_results(downloads["sweep_results.csv"], "sweep_results.csv")
    uploaded = nnreg.read_dataset(path.read_bytes(), path.name)
    assert set(rows["dataset"]) == {"my field.csv"} and rows["fingerprint"].iloc[0] == uploaded.fingerprint


def test_a_bad_data_upload_is_named_and_nothing_trains(page):
    _upload_data(page, "bad.csv", b"x1,x2\n0.1,0.2\n")
    assert page.error[0].value == "bad.csv: the table has 1 point(s); at least 10 are needed"
    page.form_submit_button[0].click().run()
    assert page.error[-1].value.startswith("Nothing was trained: bad.csv: the table has 1 point(s)")
    assert not _charts(page) and not page.get("download_button")


def test_fixed_dropout_masks_train_every_model(page, downloads):
    _moons(page)
    page.radio(key="sweep_dropout_mask").set_value("fixed")
    _run_tiny(page)
    rows = read_results(downloads["sweep_results.csv"], "sweep_results.csv")
    assert set(rows["dropout_mask"]) == {"fixed"}
    # The notebook's masks, the same for every seed.
    dataset = nnreg.make_dataset("moons", n_points=200, noise=0.2, seed=3)
    dev = rows[(rows["phase"] == "dev") & (rows["lambd"] == 0) & (rows["keep_prob"] == 0.86) & (rows["seed"] == 1)]
    split = nnreg.sweeps.with_dev_as_test(dataset, nnreg.sweeps.dev_mask(dataset, 0.25))
    direct = nnreg.train(split, nnreg.Settings(num_iterations=300, keep_prob=0.86, seed=1, dropout_seed=1,
                                               dropout_mask="fixed"))
    assert dev["dev_accuracy"].iloc[0] == direct.test_accuracy


# The link


LINK = {"sweep_data": "moons", "sweep_n_points": "240", "sweep_noise": "0.25", "sweep_data_seed": "9",
        "sweep_lambd": "0, 3", "sweep_l1": "0, 0.05", "sweep_keep_prob": "1, 0.7", "sweep_seeds": "3",
        "sweep_iterations": "1500", "sweep_learning_rate": "0.5", "sweep_dev_fraction": "0.3",
        "sweep_hidden": "10, 5", "sweep_dropout_mask": "fixed", "sweep_source": "Run a data-size curve",
        "sweep_train_fraction": "0.5, 1", "sweep_test_all": "true", "sweep_folds": "3", "sweep_dev_seed": "7",
        "sweep_standardize": "on", "sweep_activation": "tanh", "sweep_optimizer": "adam", "sweep_batch_size": "32"}


def _open(link):
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.query_params.update(link)
    app.run()
    assert not app.exception
    return app


def _form(app):
    """Every field of the form shown, by its key."""
    widgets = [*app.text_input, *app.slider, *app.selectbox, *app.radio]
    return {widget.key: widget.value for widget in widgets}


def test_every_field_is_read_from_the_link():
    app = _open(LINK)
    assert not app.warning
    assert _form(app) == {"sweep_data": "moons", "sweep_n_points": "240", "sweep_noise": 0.25, "sweep_data_seed": "9",
                          "sweep_lambd": "0, 3", "sweep_l1": "0, 0.05", "sweep_keep_prob": "1, 0.7", "sweep_seeds": "3",
                          "sweep_iterations": "1500", "sweep_learning_rate": "0.5", "sweep_dev_fraction": 0.3,
                          "sweep_hidden": "10, 5", "sweep_dropout_mask": "fixed", "sweep_source": "Run a data-size curve",
                          "sweep_train_fraction": "0.5, 1", "sweep_folds": "3", "sweep_dev_seed": "7",
                          "sweep_standardize": "on", "sweep_activation": "tanh", "sweep_optimizer": "adam",
                          "sweep_batch_size": "32"}


def test_a_whole_number_written_otherwise_in_the_link_is_kept_as_written():
    app = _open({"sweep_seeds": "3.0", "sweep_iterations": "1e3"})
    assert not app.warning
    assert (app.text_input(key="sweep_seeds").value, app.text_input(key="sweep_iterations").value) == ("3.0", "1e3")


@pytest.mark.slow
@pytest.mark.parametrize("key, text, default, message", [
    ("sweep_seeds", "abc", "5", "Seeds must be a whole number from 1 to 100, got 'abc'"),
    ("sweep_iterations", "1e400", "30000", "Iterations must be a whole number from 100 to 100,000, got '1e400'"),
    ("sweep_learning_rate", "0", "0.3", "Learning rate must be a number from 0.001 to 100, got 0"),
    ("sweep_folds", "0", "1", "Folds must be a whole number from 1 to 20, got 0"),
    ("sweep_dev_seed", "x", "0", "Dev seed must be a whole number from 0 to 4,294,967,295, got 'x'"),
    ("sweep_standardize", "yes", "data's default", "Standardize inputs must be one of data's default, on, off"),
    ("sweep_n_points", "5", "400", "n_points must be a whole number from 40 to 2,000, got 5"),
    ("sweep_noise", "2", 0.1, "noise must be a number from 0 to 1, got 2"),
    ("sweep_dev_fraction", "0.9", 0.25, "dev_fraction must be a number from 0.05 to 0.5, got 0.9"),
    ("sweep_data", "nowhere", "football", "data must be one of football"),
    ("sweep_dropout_mask", "sometimes", "fresh", "dropout_mask must be one of fresh, fixed"),
    ("sweep_optimizer", "sgd", "gd", "Optimizer must be one of gd, momentum, adam, got 'sgd'"),
    ("sweep_activation", "elu", "relu", "Activation must be one of relu, tanh, sigmoid, leaky_relu, got 'elu'"),
    ("sweep_source", "All", "Run a sweep", "source must be one of Run a sweep, Run a data-size curve, View a "
                                           "results file"),
])
def test_a_bad_link_value_is_named_and_the_rest_kept(key, text, default, message):
    app = _open({**LINK, key: text})
    assert len(app.warning) == 1
    assert app.warning[0].value.startswith(f"The link's `{key}={text}` was not used: {message}")
    assert key not in app.query_params
    values = _form(app)
    assert values[key] == default
    # Every other field as the link has it, but those the refused value hides: a synthetic set's
    # options without one, the fractions without a curve.
    hidden = {"sweep_data": ("sweep_n_points", "sweep_noise", "sweep_data_seed"),
              "sweep_source": ("sweep_train_fraction",)}.get(key, ())
    # And the field a sweep has that the link's curve has not: the weight-decay values.
    shown = {"sweep_source": ("sweep_weight_decay",)}.get(key, ())
    expected = {field: value for field, value in _form(_open(LINK)).items() if field != key and field not in hidden}
    assert {field: value for field, value in values.items() if field != key and field not in shown} == expected


# The results


def test_every_settings_row_is_in_the_table(page):
    # That the table is as tall as its rows, the browser test below checks.
    _run_tiny(page, lambd="0, 0.01, 0.1, 0.7, 3", keep_prob="1, 0.86, 0.7", seeds="2")
    table = page.dataframe[0].value
    assert len(table) == 15 and len(set(zip(table["lambd"], table["keep_prob"]))) == 15


def _validation_splits(page):
    splits = set()
    for chart in _charts(page)[:-1]:
        spec = json.loads(chart.proto.spec)
        for layer in spec["layer"]:
            if layer.get("mark", {}).get("type") == "line" and "color" in layer.get("encoding", {}):
                splits |= set(layer["encoding"]["color"]["scale"]["domain"])
    return splits


def test_test_accuracy_of_every_setting_only_on_the_switch(page):
    _run_tiny(page)
    assert page.toggle(key="sweep_test_all").value is False
    assert "test % ± SE" not in page.dataframe[0].value.columns
    assert _validation_splits(page) == {"train", "dev"}
    # The chosen setting's retrained test accuracy is always there.
    assert page.metric[3].label == "Test accuracy (retrained)" and page.metric[3].value.endswith("%")
    page.toggle(key="sweep_test_all").set_value(True).run()
    assert "test % ± SE" in page.dataframe[0].value.columns
    assert _validation_splits(page) == {"train", "dev", "test"}
    assert any("That is what the dev set avoids" in caption.value for caption in page.caption)


def test_the_switch_is_read_from_the_link():
    app = _open({"sweep_test_all": "true"})
    _run_tiny(app)
    assert app.toggle(key="sweep_test_all").value is True and "test % ± SE" in app.dataframe[0].value.columns


def test_every_models_row_downloads_as_csv_and_parquet(page, downloads):
    _run_tiny(page)
    csv = read_results(downloads["sweep_results.csv"], "sweep_results.csv")
    parquet = read_results(downloads["sweep_results.parquet"], "sweep_results.parquet")
    # 2 λ × 2 keep_prob × 2 seeds on dev, and the choice retrained over 2 seeds.
    assert len(csv) == len(parquet) == 10 and list(csv["phase"]).count("final") == 2
    pd.testing.assert_frame_equal(csv.drop(columns="diverged_at"), parquet.drop(columns="diverged_at"),
                                  check_dtype=False)


def test_a_settings_link_opens_it_in_the_main_page_as_a_model(page):
    _moons(page)
    page.radio(key="sweep_dropout_mask").set_value("fixed")
    _run_tiny(page, seeds="3")
    table = page.dataframe[0].value
    for _, row in table.iterrows():
        link = row["open"]
        assert link.startswith("/?")
        query = parse_qs(link[2:])
        models = parse_specs(query["model"])
        assert [str(model) for model in models[:3]] == list(DEFAULT_SPECS)
        settings = models[3].settings(nnreg.Settings())
        assert (settings.lambd, settings.l1, settings.keep_prob) == (row["lambd"], row["l1"], row["keep_prob"])
        assert models[3].name == f"λ={row['lambd']:g}/L1={row['l1']:g}/keep_prob={row['keep_prob']:g}"
        assert {key: values for key, values in query.items() if key != "model"} == {
            "data": ["moons"], "n_points": ["200"], "noise": ["0.2"], "data_seed": ["3"], "layers": ["20, 3"],
            "learning_rate": ["0.3"], "num_iterations": ["300"], "dropout_mask": ["fixed"], "train_fraction": ["1"],
            "n_seeds": ["3"]}


def test_an_uploaded_results_file_is_shown_the_same_way(page, results_csv):
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("results.csv", results_csv, "text/csv")
    page.run()
    assert not page.exception and not page.error
    rows = read_results(results_csv, "results.csv")
    chosen = rows[rows["phase"] == "final"].iloc[0]
    assert [m.value for m in page.metric][:3] == [f"{chosen[field]:g}" for field in ("lambd", "l1", "keep_prob")]
    assert len(_charts(page)) == 3


def test_a_results_file_from_before_l1_is_shown_with_l1_0(page, results_csv):
    old = pd.read_csv(io.BytesIO(results_csv)).drop(columns=["l1", "train_fraction", "train_size"])
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("old.csv", old.to_csv(index=False).encode(), "text/csv")
    page.run()
    assert not page.exception and not page.error
    assert page.metric[1].label == "Chosen L1" and page.metric[1].value == "0"
    assert len(_charts(page)) == 3


def test_a_bad_upload_is_an_error(page):
    page.radio(key="sweep_source").set_value("View a results file").run()
    content = pd.DataFrame({"phase": ["dev"], "lambd": [0.0]}).to_csv(index=False).encode()
    page.file_uploader(key="sweep_upload").upload("results.csv", content, "text/csv")
    page.run()
    assert not page.exception
    assert "results.csv: missing column(s)" in page.error[0].value
    assert not _charts(page)


def test_an_l1_axis_gives_an_l1_curve(page):
    page.text_input(key="sweep_l1").set_value("0, 0.1")
    _run_tiny(page, keep_prob="1")
    assert not page.error
    # λ and L1 vary: a curve against each, and the weight norm.
    assert len(_charts(page)) == 3
    assert len(page.dataframe[0].value) == 4
    assert {box.key for box in page.selectbox if box.key.startswith("sweep_fixed")} == {"sweep_fixed_lambd",
                                                                                         "sweep_fixed_l1"}


def test_the_grid_fields_are_read_from_the_link():
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.query_params.update({"sweep_lambd": "0, 3", "sweep_l1": "0, 0.05", "sweep_source": "Run a data-size curve",
                             "sweep_train_fraction": "0.5, 1"})
    app.run()
    assert not app.exception
    assert app.radio(key="sweep_source").value == "Run a data-size curve"
    assert [app.text_input(key=f"sweep_{key}").value for key in ("lambd", "l1", "train_fraction")] == [
        "0, 3", "0, 0.05", "0.5, 1"]


# The data-size curve


def _open_curve(page):
    page.radio(key="sweep_source").set_value("Run a data-size curve").run()
    assert not page.exception


def test_a_data_size_curve_shows_its_chart_table_and_findings(page):
    _open_curve(page)
    assert page.text_input(key="sweep_train_fraction").value == "0.1, 0.25, 0.5, 1"
    page.text_input(key="sweep_train_fraction").set_value("0.25, 1")
    _run_tiny(page, lambd="0, 0.7", keep_prob="1")
    assert not page.warning
    assert not page.error
    assert len(_charts(page)) == 1
    table = page.dataframe[0].value
    assert table["fraction"].tolist() == ["0.25", "1"] and table["train points"].tolist() == ["53", "211"]
    assert list(table.columns) == ["fraction", "train points", "No regularization test %", "L2 test %", "lambd"]
    caption = page.caption[-1].value
    assert "bands: ± 1 standard deviation over seeds" in caption and "over 2 seeds," in caption
    # Every number the findings give is the table's: at each fraction, the points, the two means ± std
    # and the gap between those means as shown.
    findings = re.findall(r"At fraction (\S+) \((\d+) training points\), [^,]+, ([\d.]+) ± ([\d.]+) %, ([\d.]+) "
                          r"points above .+? at ([\d.]+) ± ([\d.]+) %", caption)
    assert len(findings) == 2
    rows = {row[0]: row for row in table.values.tolist()}
    for fraction, points, best, best_std, gap, second, second_std in findings:
        assert rows[fraction][1] == points
        assert {f"{best} ± {best_std}", f"{second} ± {second_std}"} <= set(rows[fraction][2:])
        assert float(gap) == pytest.approx(float(best) - float(second))
    assert page.info[0].value == ("L1 is left out: the grid has no l1 value other than 0; Dropout is left out: "
                                  "the grid has no keep_prob value other than 1.")
    assert [download.proto.label for download in page.get("download_button")] == [
        "Download results (CSV)", "Download results (Parquet)"]
    # Kept when the page reruns.
    page.run()
    assert len(_charts(page)) == 1 and not page.exception


@pytest.mark.slow
@pytest.mark.parametrize("value, message", [
    ("0.5", "Training-set fractions: a data-size curve needs at least two fractions, got '0.5'"),
    ("0.5, x", "Training-set fractions: each value must be a number from 0.05 to 1, got 'x'"),
    ("0.01, 1", "Training-set fractions: each value must be a number from 0.05 to 1, got 0.01"),
    ("1, 1", "Training-set fractions lists a value twice: 1, 1"),
    ("0.05, 1", "Training-set fractions: 0.05 of the 158 training points outside the dev set is too few"),
])
def test_bad_fractions_are_named_and_nothing_runs(page, value, message):
    _open_curve(page)
    page.text_input(key="sweep_train_fraction").set_value(value)
    page.form_submit_button[0].click().run()
    assert not page.exception
    assert message in page.error[0].value
    assert not _charts(page)


def test_too_big_a_curve_is_refused(page):
    _open_curve(page)
    page.text_input(key="sweep_l1").set_value("0, 0.01, 0.1")
    page.form_submit_button[0].click().run()
    assert "This data-size curve would train too much: 240 models of 20, 3 hidden units" in page.error[0].value
    assert not _charts(page)


# Stopped: Stop reruns the page, and Streamlit ends the run that trains at its next progress
# update; st.stop() ends a run the same way.


@pytest.fixture
def stop_at(monkeypatch):
    """``stop_at(n)``: the page's next run ends as Stop ends it, when its nth model is to start
    (one model at a time, so that the n − 1 before it have finished)."""
    def arm(model):
        train_many, started = executors.train_many, []

        def stopping(*arguments, **options):
            started.append(True)
            if len(started) == model:
                st.stop()
            return train_many(*arguments, **options)

        monkeypatch.setattr(executors, "train_many", stopping)
        monkeypatch.setattr(executors, "default_workers", lambda: 1)
        monkeypatch.setattr(executors, "IN_PROCESS_CHUNK_PER_CORE", 1)
    return arm


def test_a_sweep_stopped_in_its_dev_phase_keeps_its_rows_and_chooses_nothing(page, stop_at, downloads):
    stop_at(4)
    _run_tiny(page)
    page.run()
    assert not page.exception and not page.error
    assert page.warning[0].value == ("The sweep was stopped after 3 of 10 models: these rows are all that finished. "
                                     "The dev phase had not finished, so no setting is chosen and no test accuracy "
                                     "is reported.")
    assert not page.metric and not _charts(page)
    table = page.dataframe[0].value
    assert table[["lambd", "keep_prob", "seeds"]].values.tolist() == [[0, 1, 2], [0, 0.86, 1]]
    assert "verdict" not in table.columns and "test % ± SE" not in table.columns
    rows = read_results(downloads["sweep_results_partial.csv"], "sweep_results_partial.csv")
    assert len(rows) == 3 and set(rows["phase"]) == {"dev"}
    # Kept on the page's next runs, until the next sweep.
    page.run()
    assert page.warning[0].value.startswith("The sweep was stopped after 3 of 10 models")


def test_a_sweep_stopped_in_its_retraining_keeps_its_choice(page, stop_at):
    stop_at(10)
    _run_tiny(page)
    page.run()
    assert page.warning[0].value == ("The sweep was stopped after 9 of 10 models: these rows are all that finished. "
                                     "Every dev model had finished, so the choice is the whole sweep's; its "
                                     "retraining finished for 1 of 2 seeds.")
    assert [metric.label for metric in page.metric][:3] == ["Chosen λ", "Chosen L1", "Chosen keep_prob"]
    assert page.metric[3].value.endswith("%") and len(_charts(page)) == 3


def test_a_sweep_stopped_before_any_model_finished_says_so(page, stop_at):
    stop_at(1)
    _run_tiny(page)
    page.run()
    assert page.warning[0].value == "The sweep was stopped after 0 of 10 models: none had finished."
    assert not page.dataframe and not page.get("download_button")


def test_a_curve_stopped_keeps_its_retrained_points(page, stop_at):
    _open_curve(page)
    page.text_input(key="sweep_train_fraction").set_value("0.5, 1")
    # 2 fractions × 1 λ above 0 chooses nothing: no dev phase; 2 fractions × 2 families × 2 seeds retrained.
    stop_at(6)
    _run_tiny(page, lambd="0, 0.7", keep_prob="1")
    page.run()
    assert page.warning[0].value == ("The data-size curve was stopped after 5 of 8 models: these rows are all that "
                                     "finished. 3 of the curve's 4 points were retrained, 1 of them over fewer "
                                     "than 2 seeds.")
    assert len(_charts(page)) == 1
    assert page.dataframe[0].value["fraction"].tolist() == ["0.5", "1"]


def test_a_curve_stopped_in_its_dev_phase_has_no_curve(page, stop_at):
    _open_curve(page)
    page.text_input(key="sweep_train_fraction").set_value("0.5, 1")
    stop_at(3)
    _run_tiny(page, lambd="0, 0.1, 0.7", keep_prob="1")
    page.run()
    assert page.warning[0].value.startswith("The data-size curve was stopped after 2 of 16 models: these rows are "
                                            "all that finished. The dev phase had not finished")
    assert not _charts(page)
    assert [download.proto.label for download in page.get("download_button")] == [
        "Download results (CSV)", "Download results (Parquet)"]


def test_an_uploaded_curve_file_is_shown_as_a_curve(page, football):
    rows = data_size_curve(football, [0.5, 1], {"lambd": [0.0, 0.7]}, 2, nnreg.Settings(num_iterations=200)).rows
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("curve.csv", rows.to_csv(index=False).encode(), "text/csv")
    page.run()
    assert not page.exception and not page.error
    assert len(_charts(page)) == 1 and page.dataframe[0].value["train points"].tolist() == ["106", "211"]
    assert "L1 is left out" in page.info[0].value


@pytest.mark.slow
def test_a_collapsed_setting_is_named_in_the_table_and_an_old_file_has_no_such_column(page, results_csv):
    _run_tiny(page, lambd="0.7, 50", keep_prob="1", seeds="2")
    table = page.dataframe[0].value
    assert list(table["failed runs"]) == ["0 of 2", "2 of 2 collapsed"]
    assert list(table["verdict"]) == ["chosen", "not a candidate"]
    old = pd.read_csv(io.BytesIO(results_csv)).drop(columns=["outcome"])
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("old.csv", old.to_csv(index=False).encode(), "text/csv")
    page.run()
    assert not page.exception and not page.error
    # How its runs ended is unknown: no count is made up.
    assert "failed runs" not in page.dataframe[0].value


# Choices an analyst can trust: no failed run chosen, cross-validation, intervals over the points


Z = 1.959964


def _wilson_se_interval(per_seed, points):
    """A score's mean, standard error and 95 % interval over seeds measured on ``points`` points each,
    worked out here: Wilson's interval over the points, each side widened in quadrature by the seeds'
    standard error."""
    per_seed = pd.Series(per_seed, dtype=float)
    mean, seeds_se = per_seed.mean(), per_seed.std(ddof=1) / len(per_seed) ** 0.5
    center = (mean + Z * Z / (2 * points)) / (1 + Z * Z / points)
    half = Z * (mean * (1 - mean) / points + Z * Z / (4 * points * points)) ** 0.5 / (1 + Z * Z / points)
    low, high = center - half, center + half
    se = ((half / Z) ** 2 + seeds_se ** 2) ** 0.5
    below, above = ((mean - low) ** 2 + (Z * seeds_se) ** 2) ** 0.5, ((high - mean) ** 2 + (Z * seeds_se) ** 2) ** 0.5
    return mean, se, max(0.0, mean - below), min(1.0, mean + above)


def _pct(value):
    return f"{100 * value:.1f}"


def test_a_five_fold_sweeps_table_and_captions_are_its_rows(page, downloads):
    page.text_input(key="sweep_folds").set_value("5")
    page.text_input(key="sweep_dev_seed").set_value("4")
    _run_tiny(page, lambd="0, 0.7", keep_prob="1")
    assert not page.error and not page.warning
    rows = read_results(downloads["sweep_results.csv"], "sweep_results.csv")
    dev = rows[rows["phase"] == "dev"]
    # Every training point is a dev point once per seed and setting: the folds partition them.
    assert sorted(set(dev["fold"])) == [0, 1, 2, 3, 4] and set(rows["folds"]) == {5} and set(rows["dev_seed"]) == {4}
    for _, runs in dev.groupby(["lambd", "seed"]):
        assert runs["dev_size"].sum() == 211
    table = page.dataframe[0].value.set_index("lambd")
    for lambd, runs in dev.groupby("lambd"):
        # Each seed's accuracy pooled over its five folds' dev points, then over the seeds.
        per_seed = [(run["dev_accuracy"] * run["dev_size"]).sum() / run["dev_size"].sum() for _, run in runs.groupby("seed")]
        mean, se, low, high = _wilson_se_interval(per_seed, 211)
        assert table.loc[lambd, "dev % ± SE"] == f"{_pct(mean)} ± {_pct(se)}"
        assert table.loc[lambd, "dev 95 % interval"] == f"{_pct(low)} to {_pct(high)}"
        failed = int(runs["outcome"].isin(["diverged", "collapsed"]).sum())
        assert table.loc[lambd, "failed runs"].startswith(f"{failed} of 10")
    # The settings the data cannot tell from the best, as the verdicts say.
    close = table[table["verdict"].isin(["best dev score", "within noise"])]
    assert len(page.info) == (1 if len(close) else 0)
    for lambd, row in close.iterrows():
        name = f"λ={lambd:g}/L1=0/keep_prob=1"
        assert (f"Best dev score: {name}." if row["verdict"] == "best dev score" else name) in page.info[0].value
    # The rule and what each score averages, in numbers recomputed from the rows.
    rule = next(caption.value for caption in page.caption if caption.value.startswith("Chosen by"))
    assert "the one-standard-error rule" in rule and "the smallest weights" in rule
    assert "Each dev score is the mean over 2 seeds of each seed's accuracy on the dev points of its 5 stratified " \
           "folds (211 dev points): 5 × 2 = 10 runs a setting" in rule
    assert "95 % interval: Wilson over the points, widened by the spread over seeds" in rule
    # The retrained test accuracy and its interval, from the final rows.
    final = rows[rows["phase"] == "final"]
    mean, _, low, high = _wilson_se_interval(final["test_accuracy"], int(final["test_size"].iloc[0]))
    test = page.metric[3]
    assert test.value == f"{_pct(mean)} %"
    assert test.proto.delta == f"95 % interval {_pct(low)} to {_pct(high)} %"


def test_every_setting_diverged_is_said_with_its_cure_and_the_table_kept(page):
    page.text_input(key="sweep_learning_rate").set_value("30")
    _run_tiny(page, lambd="0, 0.7", keep_prob="1")
    assert len(page.error) == 1
    # Football's features are of size 1 already: the learning rate is the cure.
    assert page.error[0].value == ("No setting can be chosen: every one had a dev run that diverged or collapsed "
                                   "(4 diverged of 4 runs); lower the learning rate (now 30).")
    assert not page.metric and not _charts(page)
    table = page.dataframe[0].value
    assert list(table["failed runs"]) == ["2 of 2 diverged", "2 of 2 diverged"]
    assert set(table["verdict"]) == {"not a candidate"}


def test_a_setting_with_a_failed_run_is_never_chosen_however_it_scored(page, results_csv):
    rows = read_results(results_csv, "results.csv")
    chosen = rows[rows["phase"] == "final"].iloc[0]
    dev = rows["phase"] == "dev"
    # Another setting made the best by far on dev, but one of its runs diverged.
    other = dev & ~((rows["lambd"] == chosen["lambd"]) & (rows["keep_prob"] == chosen["keep_prob"]))
    target = rows[other].iloc[0]
    at = other & (rows["lambd"] == target["lambd"]) & (rows["keep_prob"] == target["keep_prob"])
    rows.loc[at, "dev_accuracy"] = 1.0
    rows.loc[at & (rows["seed"] == 0), ["outcome", "diverged_at"]] = ["diverged", 100]
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("results.csv", rows.to_csv(index=False).encode(), "text/csv")
    page.run()
    assert not page.exception and not page.error
    shown = [(float(page.metric[0].value), float(page.metric[2].value))]
    assert shown != [(target["lambd"], target["keep_prob"])]
    table = page.dataframe[0].value
    row = table[(table["lambd"] == target["lambd"]) & (table["keep_prob"] == target["keep_prob"])].iloc[0]
    assert (row["dev % ± SE"].split(" ")[0], row["failed runs"], row["verdict"]) == (
        "100.0", "1 of 2 diverged", "not a candidate")


def test_collapsed_runs_are_counted_and_their_setting_not_chosen(page):
    # A learning rate of 3 on the football field: without dropout, one run of each λ collapses.
    page.text_input(key="sweep_learning_rate").set_value("3")
    _run_tiny(page, lambd="0, 0.01", keep_prob="1, 0.5")
    table = page.dataframe[0].value
    failed = table[table["failed runs"] != "0 of 2"]
    assert len(failed) and all(text.endswith("collapsed") for text in failed["failed runs"])
    assert set(failed["verdict"]) == {"not a candidate"}
    chosen = table[table["verdict"] == "chosen"].iloc[0]
    assert chosen["failed runs"] == "0 of 2"
    assert (page.metric[0].value, page.metric[2].value) == (f"{chosen['lambd']:g}", f"{chosen['keep_prob']:g}")


def test_an_interrupted_runs_file_is_not_shown_as_a_result(page, results_csv):
    rows = read_results(results_csv, "results.csv").assign(partial=True)
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("run 1.csv", rows.to_csv(index=False).encode(), "text/csv")
    page.run()
    assert not page.exception and not page.error
    assert [warning.value for warning in page.warning] == [
        "run 1.csv holds the 10 rows of an interrupted run, not a result: finish it with `python -m nnreg sweep ... "
        "--resume --out run 1.csv` (the same arguments as the run that wrote it), then view it here."]
    assert not page.metric and not page.dataframe and not _charts(page)


def test_too_many_folds_for_a_class_are_named_and_nothing_runs(page):
    # 40 points, half of them training points: 10 of each label, too few for 11 folds.
    _moons(page, n_points="40")
    page.text_input(key="sweep_folds").set_value("11")
    page.form_submit_button[0].click().run()
    assert page.error[0].value == "Folds: 11 folds need at least 11 training points of every class; class 0 has 10"
    assert not _charts(page) and not page.dataframe


def test_a_refused_grid_offers_the_largest_that_fits_in_one_click(page):
    page.selectbox(key="sweep_data").set_value("breast_cancer").run()
    page.form_submit_button[0].click().run()
    assert not page.exception
    # 30 features: the default grid is 971 times the course's model; 6 models of 12 fit (test_sweep_fit works it out).
    assert page.error[0].value.startswith("This sweep would train too much: 80 models of 20, 3 hidden units on 398 "
                                          "training points of 30 features")
    assert "The button below puts the largest grid that fits in the form" in page.error[0].value
    button = page.button(key="sweep_fit")
    assert button.label == ("Use this grid: 2 seeds instead of 5; λ 0, 3 instead of 0, 0.01, 0.1, 0.7, 3; "
                            "keep_prob 1 instead of 1, 0.86, 0.7")
    button.click().run()
    assert not page.exception and not page.error
    fields = {key: page.text_input(key=f"sweep_{key}").value for key in ("lambd", "l1", "keep_prob", "seeds", "folds")}
    assert fields == {"lambd": "0, 3", "l1": "0", "keep_prob": "1", "seeds": "2", "folds": "1"}
    # In the link too.
    assert (page.query_params["sweep_lambd"], page.query_params["sweep_seeds"]) == ("0, 3", "2")
    page.form_submit_button[0].click().run()
    assert not page.exception and not page.error
    table = page.dataframe[0].value
    assert table[["lambd", "keep_prob"]].values.tolist() == [[0, 1], [3, 1]]
    assert any("Each dev score is the mean over 2 seeds" in caption.value for caption in page.caption)


def test_a_curve_on_folds_says_its_rule_and_its_findings_standard_errors_are_its_rows(page, downloads):
    _open_curve(page)
    page.text_input(key="sweep_train_fraction").set_value("0.5, 1")
    page.text_input(key="sweep_folds").set_value("2")
    _run_tiny(page, lambd="0, 0.1, 0.7", keep_prob="1")
    assert not page.error
    caption = page.caption[-1].value
    assert "Chosen on 2 stratified folds by the one-standard-error rule" in caption
    rows = read_results(downloads["data_size_curve.csv"], "data_size_curve.csv")
    assert set(rows.loc[rows["phase"] == "dev", "fold"]) == {0, 1}
    final = rows[rows["phase"] == "final"]
    findings = re.findall(r"At fraction (\S+) \(\d+ training points\), (\S+)[^,]*, [\d.]+ ± [\d.]+ %, ([\d.]+) points "
                          r"above (\S+)[^:]*: (within noise, no more than|beyond noise, more than) the larger standard "
                          r"error, ([\d.]+) points", caption)
    assert len(findings) == 2
    titles = {"No": "none", "L2": "l2"}
    for fraction, best, gap, second, verdict, se in findings:
        # Each family's standard error over its seeds and the test points, worked out from its rows.
        errors = []
        for title in (best, second):
            runs = final[(final["train_fraction"] == float(fraction)) & (final["family"] == titles[title])]
            errors.append(_wilson_se_interval(runs["test_accuracy"], int(runs["test_size"].iloc[0]))[1])
        decimals = len(se.split(".")[1])
        assert se == f"{100 * max(errors):.{decimals}f}"
        assert verdict.startswith("within") == (float(gap) <= 100 * max(errors))


def test_a_curve_family_whose_every_strength_failed_is_not_retrained_and_said(page):
    # λ of 5 and 8 on a quarter of the football field's points for 300 iterations: every dev run
    # collapses (few points make the penalty λ/m strong); on all of them, they train.
    _open_curve(page)
    page.text_input(key="sweep_train_fraction").set_value("0.25, 1")
    _run_tiny(page, lambd="0, 5, 8", keep_prob="1")
    assert not page.error
    table = page.dataframe[0].value
    assert table["L2 test %"].tolist()[0] == "-" and table["lambd"].tolist()[0] == "-"
    assert table["L2 test %"].tolist()[1] != "-"
    assert page.info[0].value == ("L1 is left out: the grid has no l1 value other than 0; Dropout is left out: the "
                                  "grid has no keep_prob value other than 1; L2 at fraction 0.25: every lambd value had "
                                  "a dev run that diverged or collapsed, so none was retrained.")


def test_a_file_without_point_counts_says_its_intervals_are_over_seeds_only(page, results_csv):
    old = pd.read_csv(io.BytesIO(results_csv)).drop(columns=["dev_size", "test_size", "fold", "folds", "dev_seed"])
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("old.csv", old.to_csv(index=False).encode(), "text/csv")
    page.run()
    assert not page.exception and not page.error
    rule = next(caption.value for caption in page.caption if caption.value.startswith("Chosen by"))
    assert "accuracy on the dev points of its one dev split: 1 × 2 = 2 runs a setting; ± SE is its standard error, " \
           "over seeds." in rule
    assert rule.endswith("its 95 % interval: Student's t over seeds (the file does not say how many test points "
                         "there were).")


def test_standardize_on_is_the_request_and_its_models_are_standardized(page):
    # Football is raw by default; the sweep's own choice reaches every model.
    assert page.selectbox(key="sweep_standardize").value == "data's default"
    page.selectbox(key="sweep_standardize").set_value("on")
    _run_tiny(page, lambd="0, 0.7", keep_prob="1")
    rows = page.session_state["sweep_run"].result.rows
    assert rows["standardized"].all() and len(rows) == 6


def test_a_weight_decay_grid_with_adam_on_mini_batches_is_chosen_and_opened_as_a_model(page):
    page.text_input(key="sweep_weight_decay").set_value("0, 0.05")
    page.selectbox(key="sweep_optimizer").set_value("adam")
    page.text_input(key="sweep_learning_rate").set_value("0.01")
    page.text_input(key="sweep_batch_size").set_value("64")
    _run_tiny(page, lambd="0", keep_prob="1")
    assert not page.error and not page.warning
    assert [metric.label for metric in page.metric] == ["Chosen λ", "Chosen L1", "Chosen wd", "Chosen keep_prob",
                                                        "Test accuracy (retrained)"]
    table = page.dataframe[0].value
    assert list(table.columns[:4]) == ["lambd", "l1", "weight_decay", "keep_prob"]
    assert table["weight_decay"].tolist() == [0.0, 0.05]
    chosen = table[table["verdict"] == "chosen"].iloc[0]
    assert page.metric[2].value == f"{chosen['weight_decay']:g}"
    # The link opens the setting as a model trained the same way: Adam, on batches of 64.
    opened = parse_qs(table["open"].iloc[1].removeprefix("/?"))
    assert opened["model"][-1] == ("λ=0/L1=0/wd=0.05/keep_prob=1:lambd=0,l1=0,weight_decay=0.05,keep_prob=1,"
                                   "optimizer=adam,batch_size=64,standardize=off")
    assert opened["learning_rate"] == ["0.01"]
    # The caption says how the models trained: a dev model fits 211 − 53 points, the retrained one 211;
    # an epoch is ceil(m / 64) updates.
    iterations = int(page.text_input(key="sweep_iterations").value)
    caption = next(c.value for c in page.caption if "Training:" in c.value)
    assert caption.endswith(f" Training: optimizer adam, mini-batches of 64: {iterations:,} updates "
                            f"{'=' if iterations % 3 == 0 else '≈'} {iterations / 3:,.{0 if iterations % 3 == 0 else 1}f} "
                            f"epochs of 158 points or = {iterations // 4:,} epochs of 211 points.")


def test_a_curve_has_no_weight_decay_field():
    app = _open({"sweep_source": "Run a data-size curve", "sweep_weight_decay": "0.1"})
    assert "sweep_weight_decay" not in _form(app)
