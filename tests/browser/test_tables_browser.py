"""The main page's pictures of a table in a real browser (headless Chromium through Playwright,
against ``streamlit run app.py``): iris (4 features, 3 classes) at 1280 and 1600 pixels wide, each
boundary a slice through the two features chosen, redrawn when another is picked, and the views
that draw the field or the features inside their columns.  Screenshots go to test-artifacts/."""

import urllib.parse

import pytest

from tools import browser

pytestmark = pytest.mark.skipif(browser.missing_tools() is not None,
                                reason=f"needs {browser.missing_tools()}")

ARTIFACTS = browser.ROOT / "test-artifacts"
BOUNDARIES = "[class*='st-key-boundary_']"
IDLE = "() => document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState === 'notRunning'"
# The text drawn in the boundaries' charts (the slice's title, the axes), per boundary.
BOUNDARY_TEXT = """(selector) => [...document.querySelectorAll(selector)].map(
    (boundary) => [...boundary.querySelectorAll("svg text")].map((text) => text.textContent).join(" "))"""
# Anything drawn inside the page's main block that reaches past its edges (a chart over the page).
OUTSIDE = """() => {
    const main = document.querySelector("[data-testid='stMainBlockContainer']").getBoundingClientRect();
    return [...document.querySelectorAll("[data-testid='stVegaLiteChart'] :is(canvas, svg.marks)")]
        .map((chart) => chart.getBoundingClientRect())
        .filter((chart) => chart.width > 0 && (chart.left < main.left - 1 || chart.right > main.right + 1))
        .map((chart) => [Math.round(chart.left), Math.round(chart.right)]);
}"""


SLICE = "slice through {} and {}, other features at their training means"


def _squeezed(text):
    return "".join(text.split())


@pytest.fixture(scope="module")
def server(numba_cache_filled):
    with browser.StreamlitServer(ARTIFACTS / "streamlit-table-charts.log") as running:
        yield running


def _open(page, url):
    page.goto(url)
    page.wait_for_function(browser.TAB_DRAWN, arg=[BOUNDARIES, 3], timeout=browser.RENDER_TIMEOUT_MS)
    # Vega lays out its axes and legends after the first drawing.
    page.wait_for_timeout(1000)


@pytest.mark.parametrize("width", [1280, 1600])
@pytest.mark.parametrize("view, drawn, count", [("Inputs", "[data-testid='stTabs']", 1),
                                                ("Hidden units", "[class*='st-key-units_']", 3),
                                                ("Training replay", ".st-key-replay", 1)])
def test_iris_is_drawn_as_a_slice_and_every_chart_stays_on_the_page(server, width, view, drawn, count):
    query = urllib.parse.urlencode({"data": "iris", "view": view})
    with browser.browser_page() as page:
        page.set_viewport_size({"width": width, "height": 1000})
        _open(page, f"{server.url}/?{query}")
        page.wait_for_function(browser.TAB_DRAWN, arg=[drawn, count], timeout=browser.RENDER_TIMEOUT_MS)
        page.wait_for_timeout(1000)
        assert page.locator("[data-testid='stException']").count() == 0
        for text in page.evaluate(BOUNDARY_TEXT, BOUNDARIES):
            # The slice's title, in lines of the plot's width (their text runs on), and the axes by the
            # features' names.
            assert _squeezed(SLICE.format("petal length (cm)", "petal width (cm)")) in _squeezed(text)
            assert "petal length (cm) 0.0" in text and text.count("petal width (cm)") == 2
        assert page.evaluate(OUTSIDE) == []
        browser.full_page_screenshot(page, ARTIFACTS / f"iris-{view.lower().replace(' ', '-')}-{width}.png", width)


def test_picking_another_feature_redraws_every_boundary_on_its_slice(server):
    with browser.browser_page("dark") as page:
        page.set_viewport_size({"width": 1280, "height": 1000})
        _open(page, f"{server.url}/?data=iris")
        page.get_by_role("combobox", name="Feature across").click()
        page.get_by_role("option", name="sepal width (cm)").click()
        page.wait_for_timeout(300)
        page.wait_for_function(IDLE, timeout=browser.RENDER_TIMEOUT_MS)
        page.wait_for_timeout(1000)
        texts = page.evaluate(BOUNDARY_TEXT, BOUNDARIES)
        assert len(texts) == 3
        for text in texts:
            assert _squeezed(SLICE.format("sepal width (cm)", "petal width (cm)")) in _squeezed(text)
        browser.full_page_screenshot(page, ARTIFACTS / "iris-sepal-width-dark-1280.png", 1280)
