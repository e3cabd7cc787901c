"""An analyst's own table in a real browser (headless Chromium through Playwright, against
``streamlit run app.py``): a CSV of named columns, text labels, a text feature and a missing
value is uploaded at 1280 and 1600 pixels wide; its label column is chosen, the missing row
dropped, and fields typed into.  Screenshots go to test-artifacts/."""

import numpy as np
import pandas as pd
import pytest

from nnreg import data
from tools import browser

pytestmark = pytest.mark.skipif(browser.missing_tools() is not None,
                                reason=f"needs {browser.missing_tools()}")

ARTIFACTS = browser.ROOT / "test-artifacts"
IDLE = "() => document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState === 'notRunning'"
TABLE = ".st-key-accuracy_table [data-testid='stTable']"
# Whether anything inside the page's main area is wider than it (a table that would scroll).
OVERFLOW = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    const table = document.querySelector(".st-key-accuracy_table");
    return [main.scrollWidth - main.clientWidth, table.scrollWidth - table.clientWidth];
}"""


@pytest.fixture(scope="module")
def server(numba_cache_filled):
    with browser.StreamlitServer(ARTIFACTS / "streamlit-tables.log") as running:
        yield running


@pytest.fixture(scope="module")
def loans(tmp_path_factory):
    """150 loans: size and weight (numbers), region (text, three values), outcome (the label, two
    words); one weight missing."""
    rng = np.random.default_rng(4)
    size = rng.normal(0, 1, 150)
    region = np.array(["north", "south", "east"])[np.arange(150) % 3]
    frame = pd.DataFrame({"size": size.round(4), "region": region, "weight": rng.normal(50, 10, 150).round(2),
                          "outcome": np.where(size + (region == "north") > 0.4, "approved", "declined")})
    frame.loc[11, "weight"] = np.nan
    path = tmp_path_factory.mktemp("upload") / "loans.csv"
    frame.to_csv(path, index=False)
    return path


def _wait_idle(page):
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=browser.RENDER_TIMEOUT_MS)


def _choose(page, box: str, option: str):
    page.get_by_role("combobox", name=box).click()
    page.get_by_role("option", name=option, exact=True).click()
    _wait_idle(page)


def _alerts(page, kind: str) -> list[str]:
    return page.locator(f"[data-testid='stAlertContent{kind}']").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 1600])
def test_an_uploaded_table_is_read_trained_and_shown(server, loans, width):
    shots = browser.ROOT / "test-artifacts" / "tables"
    shots.mkdir(parents=True, exist_ok=True)
    with browser.browser_page() as page:
        page.set_viewport_size({"width": width, "height": 1000})
        # The default page's table, with the balanced accuracy beside the test accuracy, does not scroll.
        page.goto(server.url)
        browser.seconds_to_render(page)
        assert "Balanced test accuracy" in " ".join(page.locator(f"{TABLE} thead").inner_text().split())
        assert page.evaluate(OVERFLOW) == [0, 0]
        page.goto(f"{server.url}/?num_iterations=3000&data=upload")
        _wait_idle(page)
        page.get_by_role("region", name="Your data").locator("input[type=file]").set_input_files(str(loans))
        page.get_by_role("combobox", name="Label column").wait_for(timeout=60_000)
        _wait_idle(page)
        # The label column is found; the missing value is one clear message, naming its column.
        assert page.get_by_role("combobox", name="Label column").input_value() == "outcome"
        errors = _alerts(page, "Error")
        assert len(errors) == 1 and errors[0].startswith("loans.csv: 1 of 150 row(s) have missing values, in "
                                                         "column(s) weight"), errors
        page.get_by_text("Drop rows with missing values").click()
        page.wait_for_function("() => document.body.innerText.includes('Dataset loans.csv')", timeout=60_000)
        page.locator(TABLE).wait_for(timeout=browser.RENDER_TIMEOUT_MS)
        _wait_idle(page)
        assert not _alerts(page, "Error")
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert "1 row with missing values was dropped (in column(s) weight)" in sidebar
        assert "region was one-hot encoded into 3 columns (region=east, region=north, region=south)" in sidebar
        header = " ".join(page.locator(f"{TABLE} thead").inner_text().split())
        assert "Balanced test accuracy" in header and "Standardized" in header
        assert page.locator(f"{TABLE} tbody tr").count() == 3
        assert page.evaluate(OVERFLOW) == [0, 0]
        browser.full_page_screenshot(page, shots / f"loans-{width}.png", width)
        page.set_viewport_size({"width": width, "height": 1000})

        # Another label column: region's three classes, the outcome now a one-hot feature.
        _choose(page, "Label column", "region")
        page.wait_for_function("() => document.body.innerText.includes('classes east, north, south')", timeout=60_000)
        page.locator(TABLE).wait_for(timeout=browser.RENDER_TIMEOUT_MS)
        _wait_idle(page)
        assert not _alerts(page, "Error")
        dataset = data.read_dataset(loans.read_bytes(), "loans.csv", label="region", drop_missing=True)
        caption = f"{len(dataset.train_Y)} training points (circles), {len(dataset.test_Y)} test points (triangles)"
        assert caption in page.locator("[data-testid='stMain']").inner_text()

        # Typed fields: a value taken, and one refused with a message naming it.
        iterations = page.get_by_role("textbox", name="Iterations")
        iterations.fill("2000")
        iterations.press("Enter")
        _wait_idle(page)
        page.locator(TABLE).wait_for(timeout=browser.RENDER_TIMEOUT_MS)
        assert page.get_by_role("textbox", name="Iterations").input_value() == "2000"
        iterations.fill("lots")
        iterations.press("Enter")
        _wait_idle(page)
        warnings = _alerts(page, "Warning")
        assert any("Iterations: lots was not used" in text for text in warnings), warnings
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.evaluate(OVERFLOW) == [0, 0]
        browser.full_page_screenshot(page, shots / f"loans-region-{width}.png", width)
        page.set_viewport_size({"width": width, "height": 1000})
