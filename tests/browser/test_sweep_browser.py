"""The Sweep page in a real browser: Stop, which works by Streamlit ending a running script when the
page reruns; the table as drawn; the link as the browser keeps it.  The rest of the page is in
tests/pages/test_sweep_page.py (AppTest)."""

import re

import pytest

from nnreg.sweeps import read_results
from tools.browser import StreamlitServer, browser_page, chromium

CHROMIUM = chromium()
IDLE = "() => document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState === 'notRunning'"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api")
    # The whole app, as a visitor opens the Sweep page: its frame sets the wide layout the table is sized for.
    with StreamlitServer(tmp_path_factory.mktemp("sweep") / "streamlit.log") as running:
        yield running.url + "/sweep"


def test_stop_keeps_the_rows_that_finished(server, tmp_path):
    from playwright.sync_api import expect

    with browser_page() as page:
        page.goto(server)
        page.get_by_role("button", name="Run sweep").click()
        page.wait_for_selector(r"text=/Training the sweep: [1-9]\d* of 80 models/", timeout=120_000)
        page.locator(".st-key-sweep_stop button").click()
        stopped = page.locator("[data-testid='stAlertContentWarning']", has_text="The sweep was stopped after")
        stopped.wait_for(timeout=60_000)
        # Elements of the interrupted run linger until the rerun finishes: wait for it.
        expect(page.locator(".st-key-sweep_stop")).to_have_count(0, timeout=30_000)
        page.wait_for_function(IDLE, timeout=60_000)
        finished = int(re.search(r"after (\d+) of 80 models: these rows are all that finished", stopped.inner_text())[1])
        assert 0 < finished < 80
        with page.expect_download() as download:
            page.get_by_role("button", name="Download results (CSV)").click()
        path = tmp_path / "rows.csv"
        download.value.save_as(path)
    rows = read_results(path.read_bytes(), path.name)
    assert len(rows) == finished


def test_the_table_shows_every_row_and_the_link_reproduces_the_form(server):
    from playwright.sync_api import expect

    with browser_page() as page:
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(server)
        page.wait_for_function(IDLE, timeout=60_000)
        typed = {"λ values": "0, 0.01, 0.1, 0.7, 3", "keep_prob values": "1, 0.86, 0.7", "Seeds": "2",
                 "Iterations": "300", "Folds": "3", "Dev seed": "5"}
        for label, text in typed.items():
            page.get_by_label(label, exact=True).fill(text)
        page.get_by_text("fixed", exact=True).click()
        page.get_by_role("button", name="Run sweep").click()
        page.get_by_text("Test accuracy of every setting", exact=True).click()
        page.get_by_text("That is what the dev set avoids").wait_for(timeout=120_000)
        page.wait_for_function(IDLE, timeout=60_000)
        # The grid draws only what is in view: with every row and column in view it has nothing to scroll.
        scroller = page.locator("[data-testid='stDataFrame'] .dvn-scroller")
        sizes = scroller.evaluate("e => [e.scrollHeight, e.clientHeight, e.scrollWidth, e.clientWidth]")
        assert sizes[0] <= sizes[1] + 1 and sizes[2] <= sizes[3] + 1, sizes
        # Three folds of the 211 training points, each scored once per seed.
        assert "of its 3 stratified folds (211 dev points): 3 × 2 = 6 runs a setting" in page.get_by_text(
            "Chosen by the one-standard-error rule").inner_text()
        link = page.url
        assert "sweep_test_all=true" in link and "sweep_dropout_mask=fixed" in link and "sweep_folds=3" in link
        page.goto("about:blank")
        page.goto(link)
        page.get_by_role("button", name="Run sweep").wait_for(timeout=60_000)
        page.wait_for_function(IDLE, timeout=60_000)
        # On a busy machine a field can be drawn a moment before its value is: wait for it.
        for label, text in typed.items():
            expect(page.get_by_label(label, exact=True)).to_have_value(text, timeout=15_000)
        assert page.get_by_role("radio", name="fixed").is_checked()


def test_a_refused_grid_is_replaced_by_one_that_fits_in_one_click(server):
    from playwright.sync_api import expect

    with browser_page() as page:
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(server)
        page.wait_for_function(IDLE, timeout=60_000)
        page.get_by_role("combobox", name="Dataset").click()
        page.get_by_role("option", name="breast_cancer", exact=True).click()
        page.wait_for_function(IDLE, timeout=60_000)
        page.get_by_role("button", name="Run sweep").click()
        page.get_by_text("This sweep would train too much").wait_for(timeout=60_000)
        offer = page.get_by_role("button", name=re.compile("^Use this grid: "))
        assert offer.inner_text().endswith("keep_prob 1 instead of 1, 0.86, 0.7")
        offer.click()
        page.wait_for_function(IDLE, timeout=60_000)
        for label, text in {"λ values": "0, 3", "keep_prob values": "1", "Seeds": "2"}.items():
            expect(page.get_by_label(label, exact=True)).to_have_value(text, timeout=15_000)
        assert "sweep_lambd=0%2C+3" in page.url and "sweep_seeds=2" in page.url
        page.get_by_role("button", name="Run sweep").click()
        page.get_by_text("Test accuracy (retrained)").wait_for(timeout=180_000)
        page.wait_for_function(IDLE, timeout=60_000)
        assert not page.locator("[data-testid='stAlertContentError']").count()
