"""The dashboard in a real browser: `streamlit run app.py` with the default settings, opened in
headless Chromium through Playwright.  Saves a full-page screenshot to test-artifacts/, and prints
and saves (test-artifacts/timings.json) how long the page takes; times are measured, not asserted
(`python -m nnreg bench` judges them against the targets)."""

import json
from pathlib import Path

import pytest

from nnreg import browser, training

pytestmark = pytest.mark.skipif(browser.missing_tools() is not None,
                                reason=f"needs {browser.missing_tools()}")

ARTIFACTS = browser.ROOT / "test-artifacts"
COMPILING = "Compiling the fast training engine (first start only)…"


@pytest.fixture(scope="module")
def server():
    """A fresh server.  Numba's disk cache is filled first, so the page is timed as a deployed
    server runs it: compiled once, long before."""
    if training.NUMBA_AVAILABLE:
        from nnreg import kernel

        kernel.warm_up()
    with browser.StreamlitServer(ARTIFACTS / "streamlit.log") as running:
        yield running


def _rendered_charts(page, selector: str) -> int:
    """Charts under ``selector`` that Vega has drawn (a canvas or svg exists inside)."""
    return page.locator(f"{selector} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").count()


def _assert_the_whole_study_is_shown(page):
    for name in ("none", "l2", "dropout"):
        assert _rendered_charts(page, f".st-key-boundary_{name}") == 1, name
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


def test_the_default_page_renders_completely_and_reruns_from_the_cache(server):
    with browser.browser_page() as page:
        page.goto(server.url)
        first_render = browser.seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)
        _screenshot(page, ARTIFACTS / "dashboard.png")

        page.evaluate(browser.RECORD_RUNS)
        reruns = [browser.seconds_to_rerun(page, browser.DISCRETIZE) for _ in range(4)]
        browser.seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)

        page.reload()
        reload_render = browser.seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 0
    timings = {
        "server_start_to_health_s": round(server.started_in, 3),
        "first_render_fresh_server_s": round(first_render, 3),
        # Toggling "discretize" four times: the first draws the hard regions, the others replay.
        "rerun_click_to_idle_s": [from_click and round(from_click, 3) for from_click, _ in reruns],
        "rerun_running_to_idle_s": [from_start and round(from_start, 3) for _, from_start in reruns],
        "reload_render_cached_s": round(reload_render, 3),
    }
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print(f"\ndashboard timings: {json.dumps(timings)}")


DRAWING = ".st-key-boundary_none [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)"


def test_discretize_redraws_the_boundary_in_place(server):
    """The hard regions change the chart's data, not its spec, so the browser updates the drawn
    chart instead of building a new one: the same drawing element shows the new image."""
    with browser.browser_page() as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        page.wait_for_timeout(500)
        chart = page.locator(".st-key-boundary_none [data-testid='stVegaLiteChart']")
        soft = chart.screenshot()
        page.locator(DRAWING).evaluate("drawing => { drawing.nnregMark = true; }")
        page.evaluate(browser.RECORD_RUNS)
        shots = []
        for _ in range(2):
            browser.seconds_to_rerun(page, browser.DISCRETIZE)
            browser.seconds_to_render(page)
            page.wait_for_timeout(500)
            assert page.locator(DRAWING).evaluate("drawing => drawing.nnregMark === true")
            shots.append(chart.screenshot())
        hard, back = shots
        assert hard != soft and back != hard


def test_the_math_section_draws_its_formulas_when_opened(server):
    with browser.browser_page() as page:
        page.goto(server.url)
        browser.seconds_to_render(page)
        assert page.locator(".katex").count() == 0
        page.get_by_text("The math, with this run's numbers").click()
        page.locator(".katex").first.wait_for(timeout=30_000)
        assert page.locator(".katex-display").count() == 5
        assert "math=true" in page.url


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


def test_the_bench_measures_a_fresh_server_and_cached_reruns(tmp_path):
    page = browser.measure_dashboard(tmp_path / "streamlit.log", reruns=2)
    assert page["server_start_to_health_s"] > 0 and page["reload_render_s"] > 0
    assert page["first_render_s"] > 0 and page["first_toggle_s"] > 0
    assert 1 <= len(page["cached_rerun_click_to_idle_s"]) <= 2 and page["cached_rerun_median_s"] > 0
