"""One to six models read whole in a real browser, beside the sidebar at 1280 pixels and at 1600:
no metric's label, value or change cut short, no chart over its column's edge or a neighbour's
(nnreg.dashboard.models_per_row puts four models in two rows of two).  Also: the visitor's theme
choice holds on every page, and ``?embed=true`` leaves a clean page to project.  Screenshots go
to test-artifacts/."""

import urllib.parse

import pytest

from nnreg import dashboard
from nnreg.report import palette
from tools import browser

pytestmark = pytest.mark.skipif(browser.missing_tools() is not None,
                                reason=f"needs {browser.missing_tools()}")

ARTIFACTS = browser.ROOT / "test-artifacts"
MODELS = ["none", "L2:lambd=0.7", "Dropout:keep_prob=0.86", "L1:l1=0.05", "L2 big:lambd=3",
          "Early stopping:early_stopping=true"]
BOUNDARIES = "[class*='st-key-boundary_']"

# What does not read whole in the models' columns: text cut inside a metric (an ellipsis, or text
# wider than its box where the box hides the rest), and anything in a model's column that reaches
# past the column's edges (a chart over its neighbour, or off the page).  Columns must not overlap
# and must stay inside the page's main block.
LAYOUT_PROBLEMS = """() => {
    const problems = [];
    const box = (element) => element.getBoundingClientRect();
    const name = (element) => `${element.dataset.testid || element.tagName} "${element.textContent.slice(0, 30)}"`;
    for (const element of document.querySelectorAll("[data-testid='stMetric'] *")) {
        const style = getComputedStyle(element);
        if (element.scrollWidth > element.clientWidth + 1
                && (style.overflowX !== "visible" || style.textOverflow === "ellipsis")) {
            problems.push(`cut: ${name(element)} needs ${element.scrollWidth} px, has ${element.clientWidth}`);
        }
    }
    const main = box(document.querySelector("[data-testid='stMainBlockContainer']"));
    const columns = [...document.querySelectorAll("[data-testid='stColumn']")]
        .filter((column) => column.querySelector("[class*='st-key-boundary_']"));
    columns.forEach((column, index) => {
        const edges = box(column);
        if (edges.left < main.left - 1 || edges.right > main.right + 1) {
            problems.push(`column ${index} (${edges.left}-${edges.right}) outside the page `
                          + `(${main.left}-${main.right})`);
        }
        for (const other of columns.slice(index + 1).map(box)) {
            if (edges.left < other.right && other.left < edges.right
                    && edges.top < other.bottom && other.top < edges.bottom) {
                problems.push(`column ${index} overlaps another`);
            }
        }
        const inside = column.querySelectorAll(
            "[data-testid='stMetric'], [data-testid='stVegaLiteChart'] :is(canvas, svg.marks), h3, button");
        for (const element of inside) {
            const drawn = box(element);
            if (drawn.width > 0 && (drawn.left < edges.left - 1 || drawn.right > edges.right + 1)) {
                problems.push(`over the edge of column ${index}: ${name(element)} at `
                              + `${Math.round(drawn.left)}-${Math.round(drawn.right)}, column `
                              + `${Math.round(edges.left)}-${Math.round(edges.right)}`);
            }
        }
    });
    return {problems, tops: columns.map((column) => Math.round(box(column).top))};
}"""


@pytest.fixture(scope="module")
def server(numba_cache_filled):
    with browser.StreamlitServer(ARTIFACTS / "streamlit-layout.log") as running:
        yield running


def _open(page, url, boundaries):
    page.goto(url)
    page.wait_for_function(browser.TAB_DRAWN, arg=[BOUNDARIES, boundaries], timeout=browser.RENDER_TIMEOUT_MS)
    # Vega lays out its axes and legends after the first drawing.
    page.wait_for_timeout(1000)


@pytest.mark.parametrize("width", [1280, 1600])
@pytest.mark.parametrize("n_models, n_seeds", [(1, 1), (3, 1), (4, 1), (6, 3)])
def test_every_models_column_reads_whole(server, width, n_models, n_seeds):
    query = urllib.parse.urlencode({"model": MODELS[:n_models], "n_seeds": n_seeds}, doseq=True)
    with browser.browser_page() as page:
        page.set_viewport_size({"width": width, "height": 1000})
        _open(page, f"{server.url}/?{query}", n_models)
        found = page.evaluate(LAYOUT_PROBLEMS)
        assert found["problems"] == []
        # Rows of models_per_row: each row's columns side by side, the next row below.
        per_row = dashboard.models_per_row(n_models)
        rows = [found["tops"][start: start + per_row] for start in range(0, n_models, per_row)]
        assert all(len(set(row)) == 1 for row in rows) and [row[0] for row in rows] == sorted({*found["tops"]})
        assert page.locator("[data-testid='stException']").count() == 0
        if n_models >= 4:
            browser.full_page_screenshot(page, ARTIFACTS / f"layout-{n_models}-models-{width}.png", width)


@pytest.mark.parametrize("width", [1280, 1600])
@pytest.mark.parametrize("view, drawn", [("The network", "network"), ("Learning curves", "curves"),
                                         ("Hidden units", "units")])
def test_four_models_views_stay_in_their_columns(server, width, view, drawn):
    query = urllib.parse.urlencode({"model": MODELS[:4], "view": view}, doseq=True)
    with browser.browser_page() as page:
        page.set_viewport_size({"width": width, "height": 1000})
        _open(page, f"{server.url}/?{query}", 4)
        page.wait_for_function(browser.TAB_DRAWN, arg=[f"[class*='st-key-{drawn}_']", 4],
                               timeout=browser.RENDER_TIMEOUT_MS)
        page.wait_for_timeout(1000)
        overflowing = page.evaluate("""(drawn) => [...document.querySelectorAll(`[class*='st-key-${drawn}_']`)]
            .flatMap((container) => {
                const column = container.closest("[data-testid='stColumn']").getBoundingClientRect();
                return [...container.querySelectorAll("[data-testid='stVegaLiteChart'] :is(canvas, svg.marks)")]
                    .map((chart) => chart.getBoundingClientRect())
                    .filter((chart) => chart.left < column.left - 1 || chart.right > column.right + 1)
                    .map((chart) => [container.className.match(/st-key-\\S+/)[0], chart.right - column.right]);
            })""", drawn)
        assert overflowing == []


def _background(page) -> str:
    return page.evaluate("getComputedStyle(document.querySelector(\"[data-testid='stApp']\")).backgroundColor")


def _rgb(color: str) -> str:
    return "rgb({}, {}, {})".format(*(int(color[i: i + 2], 16) for i in (1, 3, 5)))


def _choose_theme(page, theme):
    page.locator("[data-testid='stMainMenu']").click()
    page.locator(f"[data-testid='stMainMenuItem-theme-{theme}']").click()
    page.keyboard.press("Escape")


IDLE = "() => document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState === 'notRunning'"


def test_the_theme_chosen_on_one_page_holds_when_the_other_is_opened(server):
    """Streamlit keeps the choice per page path: without nnreg.dashboard.theme, Dark chosen on the study
    page was lost when /sweep was opened from a link or reloaded."""
    with browser.browser_page(color_scheme="light") as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        _choose_theme(page, "Dark")
        assert _background(page) == _rgb(palette.BACKGROUNDS["dark"])
        for path in ("/sweep", "/sweep"):  # opened, then reloaded
            page.goto(f"{server.url}{path}")
            page.wait_for_function(IDLE, timeout=browser.RENDER_TIMEOUT_MS)
            assert _background(page) == _rgb(palette.BACKGROUNDS["dark"])
        browser.full_page_screenshot(page, ARTIFACTS / "sweep-dark.png", browser.VIEWPORT["width"])
        page.set_viewport_size(browser.VIEWPORT)
        # And back: Light chosen on /sweep holds on the study page.
        _choose_theme(page, "Light")
        page.goto(server.url)
        browser.seconds_to_render(page)
        assert _background(page) == _rgb(palette.BACKGROUNDS["light"])


def test_embed_leaves_a_clean_page_to_project(server):
    with browser.browser_page() as page:
        page.goto(f"{server.url}/?embed=true&{dashboard.LESSONS[0].query()}")
        page.wait_for_function(browser.TAB_DRAWN, arg=[BOUNDARIES, 2], timeout=browser.RENDER_TIMEOUT_MS)
        page.wait_for_timeout(1000)
        # No menu, the sidebar folded away (frame.py): the title, the models and the lesson's view.
        for chrome in ("stMainMenu", "stSidebar"):
            assert not page.locator(f"[data-testid='{chrome}']").is_visible(), chrome
        assert page.get_by_role("tab", name=dashboard.LESSONS[0].view).get_attribute("aria-selected") == "true"
        assert page.locator("[data-testid='stException']").count() == 0
        # The first screen, as a projector shows it.
        page.screenshot(path=ARTIFACTS / "embed.png")
