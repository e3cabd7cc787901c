"""The dashboard in a real browser: `streamlit run app.py` with the default settings, opened in
headless Chromium through Playwright.  Saves a full-page screenshot to test-artifacts/, and prints
and saves (test-artifacts/timings.json) how long the page takes; times are measured, not asserted
(`python -m nnreg bench` judges them against the targets)."""

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

import nnreg
from nnreg import charts, dashboard, training
from nnreg.report import palette
from tools import browser

pytestmark = pytest.mark.skipif(browser.missing_tools() is not None,
                                reason=f"needs {browser.missing_tools()}")

ARTIFACTS = browser.ROOT / "test-artifacts"
COMPILING = "Compiling the fast training engine (first start only)…"


@pytest.fixture(scope="module")
def server(numba_cache_filled):
    """A server for the tests that do not time its first page."""
    with browser.StreamlitServer(ARTIFACTS / "streamlit.log") as running:
        yield running


def _rendered_charts(page, selector: str) -> int:
    """Charts under ``selector`` that Vega has drawn (a canvas or svg exists inside)."""
    return page.locator(f"{selector} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").count()


def _assert_the_whole_study_is_shown(page):
    for index in range(3):
        assert _rendered_charts(page, f".st-key-boundary_{index}") == 1, index
    assert _rendered_charts(page, ".st-key-weight_charts") == 3
    assert page.locator(".st-key-accuracy_table [data-testid='stTable']").count() == 1
    for title in ("No regularization", "L2", "Dropout"):
        assert page.get_by_role("heading", name=title, exact=True).count() == 1, title
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def _screenshot(page, path: Path):
    # Streamlit scrolls inside its main area, so grow the viewport to the content to capture it all.
    height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": browser.VIEWPORT["width"], "height": height})
    page.wait_for_timeout(1000)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(browser.VIEWPORT)


def test_the_default_page_renders_completely_and_reruns_from_the_cache(tmp_path, numba_cache_filled):
    def check(page, moment):
        if moment == "reruns":
            browser.seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)
        if moment == "first render":
            _screenshot(page, ARTIFACTS / "dashboard.png")

    timings = browser.measure_dashboard(tmp_path / "streamlit.log", reruns=3, check=check)
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 0
    # A loaded machine can leave a rerun's timing unknown (None, or missing from the list).
    assert timings["first_render_s"] > 0 and timings["reload_render_s"] > 0 and timings["open_tab_s"] > 0
    assert timings["scrub_s"] > 0 and timings["scrub_script_runs"] == 0
    # Without TCP_NODELAY each answer after a connection's first waits for the delayed
    # acknowledgement, 40 ms (nnreg.dashboard.server.no_delay).
    assert timings["request_kept_alive_ms"] < 40
    assert len(timings["cached_rerun_click_to_idle_s"]) <= 3
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print(f"\ndashboard timings: {json.dumps(timings)}")




DRAWING = ".st-key-boundary_0 [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)"


def test_discretize_redraws_the_boundary_in_place_and_the_legend_says_what_it_shows(server):
    """The hard regions change the chart's data, not its spec, so the browser updates the drawn
    chart instead of building a new one: the same drawing element shows the new image.  The one
    legend of the boundaries shows P(label 1), or the two predicted labels."""
    with browser.browser_page() as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        page.wait_for_timeout(500)
        chart = page.locator(".st-key-boundary_0 [data-testid='stVegaLiteChart']")
        soft = chart.screenshot()
        page.locator(DRAWING).evaluate("drawing => { drawing.nnregMark = true; }")
        page.evaluate(browser.RECORD_RUNS)
        shots = []
        for hard in (True, False):
            browser.seconds_to_rerun(page, browser.DISCRETIZE)
            browser.seconds_to_render(page)
            page.wait_for_timeout(500)
            assert page.locator(DRAWING).evaluate("drawing => drawing.nnregMark === true")
            shots.append(chart.screenshot())
            # Vega draws SVG here, so the legend's labels are text in the page.
            assert (page.get_by_text("predicted 1", exact=True).count() == 1) == hard
            assert (page.get_by_text("P(label 1)", exact=True).count() == 1) != hard
        hard_shot, back = shots
        assert hard_shot != soft and back != hard_shot


def test_a_tab_draws_its_view_when_opened_and_the_link_says_which(server):
    with browser.browser_page() as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        assert page.locator(".katex").count() == 0
        page.get_by_role("tab", name="The math").click()
        page.locator(".katex").first.wait_for(timeout=30_000)
        # L2's five lines (cost, gradient, λ/2m, update, decay factor) and dropout's two.
        assert page.locator(".katex-display").count() == 7
        assert "view=The+math" in page.url
        page.get_by_role("tab", name="Learning curves").click()
        page.locator(".st-key-curves_2 [data-testid='stVegaLiteChart'] svg.marks").nth(1).wait_for(
            timeout=30_000)
        assert _rendered_charts(page, ".st-key-curves_0") == 2
        assert "view=Learning+curves" in page.url


@pytest.mark.skipif(not training.NUMBA_AVAILABLE, reason="without Numba there is nothing to compile")
def test_a_first_start_says_it_is_compiling_instead_of_waiting_silently(tmp_path):
    # An empty Numba cache: this server compiles the kernel as on its very first start.
    with browser.StreamlitServer(ARTIFACTS / "streamlit-cold.log", env={"NUMBA_CACHE_DIR": str(tmp_path)}) as cold, \
            browser.browser_page() as page:
        page.goto(cold.url)
        page.get_by_text(COMPILING).wait_for(timeout=browser.RENDER_TIMEOUT_MS)
        browser.seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)
        assert page.get_by_text(COMPILING).count() == 0



def test_the_course_file_and_the_notebook_preset_give_the_published_table(server, course_data_path):
    # What a teacher does: upload the course's data.mat, press "Exactly as the notebook".
    with browser.browser_page() as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        page.get_by_role("combobox", name="Dataset").click()
        page.get_by_role("option", name=dashboard.UPLOAD, exact=True).click()
        page.get_by_role("region", name="Your data").locator("input[type=file]").set_input_files(str(course_data_path))
        page.get_by_role("button", name=dashboard.NOTEBOOK_PRESET).click()
        page.wait_for_function("() => document.body.innerText.includes('data.mat')", timeout=60_000)
        browser.seconds_to_render(page)
        rows = page.locator(".st-key-accuracy_table tbody tr").all()
        published = {"No regularization": ("94.8%", "91.5%"), "L2": ("93.8%", "93.0%"), "Dropout": ("92.9%", "95.0%")}
        for (model, (train, test)), row in zip(published.items(), rows, strict=True):
            cells = [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            assert cells[0].startswith(model) and train in cells and test in cells, cells
        masks = page.get_by_role("radiogroup", name="Dropout masks")
        assert masks.get_by_role("radio", name="fixed").is_checked()


def test_the_first_screen_holds_the_three_boundaries_at_equal_aspect_with_their_accuracies(server):
    (x_lo, x_hi), (y_lo, y_hi) = charts.field_extent(nnreg.load_dataset("football"))
    with browser.browser_page() as page:
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(server.url)
        browser.seconds_to_render(page)
        for index in range(3):
            field = page.locator(f".st-key-boundary_{index} svg image").bounding_box()
            assert field["y"] > 0 and field["y"] + field["height"] <= 900, (index, field)
            # A unit of x1 as long on screen as a unit of x2.
            assert field["height"] / field["width"] == pytest.approx((y_hi - y_lo) / (x_hi - x_lo), rel=0.02)
        metrics = page.locator("[data-testid='stMetric']").all()
        assert len(metrics) == 6
        assert all(0 < m.bounding_box()["y"] + m.bounding_box()["height"] <= 900 for m in metrics)


REPLAY = ".st-key-replay"
REPLAY_DRAWN = f"{REPLAY} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)"


def _open_view(page, server, view):
    page.goto(f"{server.url}/?view={view.replace(' ', '+')}")
    page.wait_for_function(browser.TAB_DRAWN, arg=["[data-testid='stMain']", 4 + 1], timeout=browser.RENDER_TIMEOUT_MS)


def test_the_replay_scrubs_and_plays_in_the_browser_without_a_rerun(server):
    with browser.browser_page() as page:
        _open_view(page, server, "Training replay")
        page.locator(REPLAY_DRAWN).first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        slider = page.locator(f"{REPLAY} input[type=range]")
        # The slider is the iteration, from 0 to the course's 30,000 by the checkpoints' spacing.
        step = 30_000 // training.CHECKPOINTS
        assert (slider.get_attribute("max"), slider.get_attribute("step")) == ("30000", str(step))
        assert slider.input_value() == "30000"
        assert page.locator(f"{REPLAY} .vega-bind-name").inner_text().strip() == "iteration"
        chart = page.locator(f"{REPLAY} [data-testid='stVegaLiteChart']")
        trained = chart.screenshot()
        assert page.get_by_text("iteration 30,000:", exact=False).count() == 3
        page.evaluate(browser.RECORD_RUNS)
        slider.fill("0")
        page.get_by_text("iteration 0:", exact=False).first.wait_for(timeout=10_000)
        page.wait_for_timeout(300)
        assert chart.screenshot() != trained
        page.get_by_role("button", name="▶ Play").click()
        page.wait_for_timeout(1_500)
        # Played on one checkpoint at a time: multiples of the spacing, at least three of them.
        assert int(slider.input_value()) >= 3 * step and int(slider.input_value()) % step == 0
        page.get_by_role("button", name="❚❚ Pause").click()
        paused = slider.input_value()
        page.wait_for_timeout(600)
        assert slider.input_value() == paused
        # Scrubbing and playing happened in the browser: the script never ran again.
        assert page.evaluate("window.nnregRuns.states.filter(([state]) => state === 'running').length") == 0
        assert page.locator("[data-testid='stException']").count() == 0


# Each chart's right edge against its column's, in pixels, for every chart under ``selector``.
CHART_EDGES = """(selector) => [...document.querySelectorAll(selector)].map(column => {
    const chart = column.querySelector("[data-testid='stVegaLiteChart'] :is(canvas, svg.marks)");
    return [Math.round(column.getBoundingClientRect().right), Math.round(chart.getBoundingClientRect().right)];
})"""


@pytest.mark.parametrize("width", [1280, 1600])
def test_the_replay_and_the_hidden_units_fit_their_columns_and_a_boundary_tells_p_on_hover(server, width):
    with browser.browser_page() as page:
        page.set_viewport_size({"width": width, "height": 1000})
        for view, selector, count in (("Training replay", REPLAY, 1), ("Hidden units", "[class*='st-key-units_']", 3)):
            _open_view(page, server, view)
            page.wait_for_function(browser.TAB_DRAWN, arg=[selector, count], timeout=browser.RENDER_TIMEOUT_MS)
            edges = page.evaluate(CHART_EDGES, selector)
            assert len(edges) == count and all(chart <= column for column, chart in edges), (view, edges)
        # Anywhere on the field, not only on a point: P(label 1) there.
        boundary = page.locator(".st-key-boundary_0 [data-testid='stVegaLiteChart']")
        boundary.scroll_into_view_if_needed()
        box = boundary.bounding_box()
        tooltip = page.locator("#vg-tooltip-element")
        said = []
        for step in range(30, 95, 5):
            page.mouse.move(box["x"] + box["width"] * step / 100, box["y"] + box["height"] * 0.12)
            page.wait_for_timeout(80)
            if tooltip.count() and tooltip.is_visible() and "P(label 1)" in tooltip.inner_text():
                said.append(tooltip.inner_text())
        assert len(said) >= 5, said
        assert all(0 <= float(text.split("P(label 1)")[1].split()[0]) <= 1 for text in said)


def test_the_network_is_drawn_for_each_model_and_tells_a_weight_on_hover(server):
    with browser.browser_page() as page:
        _open_view(page, server, "The network")
        for index in range(3):
            page.locator(f".st-key-network_{index} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").wait_for(
                timeout=30_000)
        drawing = page.locator(".st-key-network_0 [data-testid='stVegaLiteChart']")
        drawing.scroll_into_view_if_needed()
        box = drawing.bounding_box()
        tooltip = page.locator("#vg-tooltip-element")
        # Across the middle of the drawing, between the inputs and the first hidden layer: links everywhere.
        for step in range(5, 40):
            page.mouse.move(box["x"] + box["width"] * step / 100, box["y"] + box["height"] * 0.3)
            page.wait_for_timeout(60)
            if tooltip.count() and tooltip.is_visible() and "W1[" in tooltip.inner_text():
                break
        assert "W1[" in tooltip.inner_text() and "w" in tooltip.inner_text()


def _pixels_near(png_bytes, color, tolerance=40):
    from io import BytesIO

    from PIL import Image

    image = np.asarray(Image.open(BytesIO(png_bytes)).convert("RGB")).reshape(-1, 3).astype(int)
    target = np.array([int(color[i: i + 2], 16) for i in (1, 3, 5)])
    return int(np.sum(np.abs(image - target).sum(axis=1) < tolerance))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_themes_keep_blue_for_label_1_and_red_for_label_0(server, scheme):
    with browser.browser_page(color_scheme=scheme) as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        page.wait_for_timeout(500)
        background = page.evaluate(
            "getComputedStyle(document.querySelector(\"[data-testid='stApp']\")).backgroundColor")
        expected = palette.BACKGROUNDS[scheme]
        assert background == "rgb({}, {}, {})".format(*(int(expected[i: i + 2], 16) for i in (1, 3, 5)))
        shot = page.locator(".st-key-boundary_0 [data-testid='stVegaLiteChart']").screenshot()
        assert _pixels_near(shot, palette.BLUE) > 50 and _pixels_near(shot, palette.RED) > 50
        bars = page.locator(".st-key-weight_charts [data-testid='stVegaLiteChart']").first.screenshot()
        for color in [palette.MODEL_COLORS[name] for name in ("none", "l2", "dropout")]:
            assert _pixels_near(bars, color, 30) > 20, color
        _screenshot(page, ARTIFACTS / f"dashboard-{scheme}.png")


FIVE_MODELS = ["No regularization", "L2:lambd=0.7", "L1:l1=0.05", "Dropout:keep_prob=0.86",
               "Early stopping:early_stopping=true"]


def test_a_five_model_link_draws_every_model_in_its_colour_and_the_list_takes_typing(server):
    query = urllib.parse.urlencode({"model": FIVE_MODELS}, doseq=True)
    with browser.browser_page() as page:
        page.goto(f"{server.url}/?{query}")
        browser.seconds_to_render(page)
        for index in range(5):
            page.locator(f".st-key-boundary_{index} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").wait_for(
                timeout=60_000)
        # Five models: three in the first row, two below.
        tops = [page.locator(f".st-key-boundary_{index}").bounding_box()["y"] for index in (0, 2, 3)]
        assert tops[0] == tops[1] < tops[2]
        header = page.locator(".st-key-accuracy_table [data-testid='stTable'] thead").inner_text()
        assert "l1" in header.split() and "Stopped at" in " ".join(header.split())
        weights = page.locator(".st-key-weight_charts")
        weights.scroll_into_view_if_needed()
        shot = weights.screenshot()
        # Each model in its regularizer's colour.
        for color in (palette.MODEL_COLORS["l2"], palette.MODEL_COLORS["l1"], palette.MODEL_COLORS["early_stopping"]):
            assert _pixels_near(shot, color, tolerance=30) > 50, color
        # Typed into the list: L2's λ becomes 3.
        page.get_by_text("Edit the models: change").click()
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        row_height = 35
        def type_cell(row, text):
            # Select the row's name, step right to λ, type: the grid needs a moment between keys.
            page.mouse.click(box["x"] + 100, box["y"] + (row + 1.5) * row_height)
            for key in ("ArrowRight", *text, "Enter"):
                page.keyboard.press(key)
                page.wait_for_timeout(150)

        type_cell(1, "3")
        page.wait_for_function("() => location.search.includes('L2%3Alambd%3D3')", timeout=60_000)
        browser.seconds_to_render(page)
        assert "L2 (λ = 3)" in page.locator(".st-key-accuracy_table").inner_text()
        # A value no model can take: named, the rest of the list kept.
        type_cell(2, "-1")
        warning = page.locator("[data-testid='stAlertContentWarning']", has_text="lambd must be a number from 0 to 1,000")
        warning.wait_for(timeout=60_000)
        assert "L1:lambd=-1,l1=0.05" in warning.inner_text() and "The other models are compared" in warning.inner_text()
        browser.seconds_to_render(page)
        assert page.locator(".st-key-accuracy_table tbody tr").count() == 4
        assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("width", [1280, 1600])
def test_a_penalty_too_strong_is_shown_collapsed_and_table_cells_keep_one_line(server, width):
    # The link: λ = 50 learned nothing; its column warns (no error), its boundary is drawn,
    # the table names it collapsed.  With ten seeds every cell of the table stays on one line.
    with browser.browser_page() as page:
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(f"{server.url}/?model=none&model=L2:lambd=0.7&model=L2%20huge:lambd=50&num_iterations=3000")
        browser.seconds_to_render(page)
        page.locator(".st-key-boundary_2 [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").wait_for(
            timeout=60_000)
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        warning = page.locator("[data-testid='stAlertContentWarning']")
        assert warning.count() == 1
        assert warning.inner_text().startswith("Collapsed: the penalty is too strong and the model underfits")
        rows = page.locator(".st-key-accuracy_table tbody tr").all_inner_texts()
        assert [row.split("\t")[-2].strip() for row in rows] == ["trained", "trained", "collapsed"]
        page.screenshot(path=ARTIFACTS / f"collapsed-{width}.png")
        page.goto(f"{server.url}/?n_seeds=10&num_iterations=300")
        browser.seconds_to_render(page)
        heights = page.evaluate("""() => [...document.querySelectorAll(".st-key-accuracy_table tbody td")]
            .map(cell => cell.getBoundingClientRect().height)""")
        # A cell on one line is as tall as the shortest; one wrapped is about twice as tall.
        assert len(heights) == 3 * 14 and max(heights) < 1.5 * min(heights)
