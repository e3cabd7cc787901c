"""The app's Sweep page (app_pages/sweep.py), driven headless with Streamlit's AppTest."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg.sweeps import read_results
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
    assert not _charts(page) and not page.error


def test_a_sweep_shows_the_choice_curves_and_a_download(page):
    _run_tiny(page)
    assert not page.error
    chosen_lambd, chosen_keep_prob, test = (metric.value for metric in page.metric)
    assert chosen_lambd in ("0", "0.7") and chosen_keep_prob in ("1", "0.86") and test.endswith("%")
    assert len(_charts(page)) == 3
    table = page.dataframe[0].value
    assert len(table) == 4 and set(table["vs chosen (dev)"]) <= {"chosen", "within noise", "worse"}
    download = page.get("download_button")[0]
    assert download.proto.label == "Download results (CSV)"
    # The results stay on the page when another curve is picked.
    page.selectbox(key="sweep_fixed_keep_prob").set_value(0.86 if chosen_keep_prob == "1" else 1.0).run()
    assert len(_charts(page)) == 3 and not page.exception


@pytest.mark.parametrize("field, value, message", [
    ("sweep_lambd", "0, -1", "lambd must be in [0, 1000], got -1"),
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
    assert [m.value for m in page.metric][:2] == [f"{chosen['lambd']:g}", f"{chosen['keep_prob']:g}"]
    assert len(_charts(page)) == 3


def test_a_bad_upload_is_an_error(page):
    page.radio(key="sweep_source").set_value("View a results file").run()
    content = pd.DataFrame({"phase": ["dev"], "lambd": [0.0]}).to_csv(index=False).encode()
    page.file_uploader(key="sweep_upload").upload("results.csv", content, "text/csv")
    page.run()
    assert not page.exception
    assert "results.csv: missing column(s)" in page.error[0].value
    assert not _charts(page)


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
