"""The app's Sweep page (app_pages/sweep.py), driven headless with Streamlit's AppTest."""

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg.sweeps import data_size_curve, read_results
from tools.browser import BROWSER_ARGS, StreamlitServer, chromium

ROOT = Path(__file__).resolve().parent.parent
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


def _run_tiny(page, lambd="0, 0.7", keep_prob="1, 0.86", seeds=2, iterations=300):
    page.text_input(key="sweep_lambd").set_value(lambd)
    page.text_input(key="sweep_keep_prob").set_value(keep_prob)
    page.number_input(key="sweep_seeds").set_value(seeds)
    page.number_input(key="sweep_iterations").set_value(iterations)
    page.form_submit_button[0].click().run()
    assert not page.exception


def _charts(page):
    return page.get("vega_lite_chart")


def test_page_opens_with_the_form_and_nothing_run(page):
    assert page.title[0].value.startswith("Sweep")
    assert page.text_input(key="sweep_lambd").value == "0, 0.01, 0.1, 0.7, 3"
    assert page.text_input(key="sweep_l1").value == "0" and page.text_input(key="sweep_l1").label == "L1 values"
    assert not _charts(page) and not page.error


def test_a_sweep_shows_the_choice_curves_and_a_download(page):
    _run_tiny(page)
    assert not page.error
    assert [metric.label for metric in page.metric] == ["Chosen λ", "Chosen L1", "Chosen keep_prob",
                                                        "Test accuracy (retrained)"]
    chosen_lambd, chosen_l1, chosen_keep_prob, test = (metric.value for metric in page.metric)
    assert chosen_lambd in ("0", "0.7") and chosen_l1 == "0" and chosen_keep_prob in ("1", "0.86")
    assert test.endswith("%")
    assert len(_charts(page)) == 3
    table = page.dataframe[0].value
    assert len(table) == 4 and set(table["vs chosen (dev)"]) <= {"chosen", "within noise", "worse"}
    assert list(table.columns[:3]) == ["lambd", "l1", "keep_prob"]
    download = page.get("download_button")[0]
    assert download.proto.label == "Download results (CSV)"
    # The results stay on the page when another curve is picked.
    page.selectbox(key="sweep_fixed_keep_prob").set_value(0.86 if chosen_keep_prob == "1" else 1.0).run()
    assert len(_charts(page)) == 3 and not page.exception


@pytest.mark.parametrize("field, value, message", [
    ("sweep_lambd", "0, -1", "lambd must be in [0, 1000], got -1"),
    ("sweep_l1", "0, -1", "l1 must be in [0, 1000], got -1"),
    ("sweep_l1", "x", "L1 values: 'x' is not a number"),
    ("sweep_keep_prob", "0.5, x", "keep_prob values: 'x' is not a number"),
    ("sweep_hidden", "20, 2.5", "hidden layer sizes must be 1 to 10 layers of 1 to 500 units, whole numbers"),
    ("sweep_hidden", "20,,3", "got '20,,3'"),
    ("sweep_seeds", None, "Seeds must be a whole number from 1 to 100, got ''"),
    ("sweep_seeds", 101, "Seeds must be a whole number from 1 to 100, got 101"),
    ("sweep_iterations", 100_001, "Iterations must be a whole number from 100 to 100,000, got 100001"),
    ("sweep_learning_rate", -1.0, "Learning rate must be a number from 0.001 to 100, got -1.0"),
])
def test_bad_values_are_named_and_nothing_runs(page, field, value, message):
    (page.text_input if isinstance(value, str) else page.number_input)(key=field).set_value(value)
    page.form_submit_button[0].click().run()
    assert not page.exception
    assert message in page.error[0].value
    assert not _charts(page)


def test_too_big_a_sweep_is_refused(page):
    page.number_input(key="sweep_seeds").set_value(20)
    page.form_submit_button[0].click().run()
    assert "This sweep would train too much: 320 models of 20, 3 hidden units" in page.error[0].value
    assert "Lower the number of seeds" in page.error[0].value
    assert not _charts(page)


def test_a_stopped_sweep_is_reported(page):
    page.session_state["sweep_stopped"] = True
    page.run()
    assert page.warning[0].value == "The sweep was stopped; nothing from it was kept."
    page.run()
    assert not page.warning


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
    assert not page.error
    assert len(_charts(page)) == 1
    table = page.dataframe[0].value
    assert table["fraction"].tolist() == ["0.25", "1"] and table["train points"].tolist() == ["53", "211"]
    assert list(table.columns) == ["fraction", "train points", "No regularization test %", "L2 test %", "lambd"]
    caption = page.caption[-1].value
    assert "bands: ± 1 standard deviation over seeds" in caption and "over 2 seed(s)" in caption
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
    assert page.get("download_button")[0].proto.label == "Download results (CSV)"
    # Kept when the page reruns.
    page.run()
    assert len(_charts(page)) == 1 and not page.exception


@pytest.mark.parametrize("value, message", [
    ("0.5", "Training-set fractions: a data-size curve needs at least two fractions, got '0.5'"),
    ("0.5, x", "Training-set fractions: 'x' is not a number from 0.05 to 1"),
    ("0.01, 1", "Training-set fractions: '0.01' is not a number from 0.05 to 1"),
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


def test_a_stopped_curve_is_reported(page):
    _open_curve(page)
    page.session_state["sweep_curve_stopped"] = True
    page.run()
    assert page.warning[0].value == "The data-size curve was stopped; nothing from it was kept."


def test_an_uploaded_curve_file_is_shown_as_a_curve(page, football):
    rows = data_size_curve(football, [0.5, 1], {"lambd": [0.0, 0.7]}, 2, nnreg.Settings(num_iterations=200)).rows
    page.radio(key="sweep_source").set_value("View a results file").run()
    page.file_uploader(key="sweep_upload").upload("curve.csv", rows.to_csv(index=False).encode(), "text/csv")
    page.run()
    assert not page.exception and not page.error
    assert len(_charts(page)) == 1 and page.dataframe[0].value["train points"].tolist() == ["106", "211"]
    assert "L1 is left out" in page.info[0].value


# The Stop button works by Streamlit ending a running script when the page reruns; only a real
# browser and server show that.

CHROMIUM = chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium)")
    with StreamlitServer(tmp_path_factory.mktemp("sweep") / "streamlit.log", script=PAGE) as running:
        yield running.url


def test_stop_ends_a_running_sweep(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page()
            page.goto(server)
            page.get_by_role("button", name="Run sweep").click()
            page.wait_for_selector(r"text=/trained \d+ of 80 models/", timeout=60_000)
            page.locator(".st-key-sweep_stop button").click()
            page.wait_for_selector("text=The sweep was stopped; nothing from it was kept.", timeout=30_000)
            # Elements of the interrupted run linger until the rerun finishes: wait for it.
            sync_api.expect(page.locator(".st-key-sweep_stop")).to_have_count(0, timeout=15_000)
            sync_api.expect(page.get_by_text("Download results")).to_have_count(0, timeout=15_000)
        finally:
            browser.close()
