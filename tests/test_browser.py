"""The dashboard in a real browser: `streamlit run app.py` with the default settings, opened in
headless Chromium through Playwright.  Saves a full-page screenshot to test-artifacts/, and prints
and saves (test-artifacts/timings.json) how long the page takes; times are measured, not asserted."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from nnreg import training

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
LOG = ARTIFACTS / "streamlit.log"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Generous: a slow machine may take long to train the three course models at 30,000 iterations.
RENDER_TIMEOUT_MS = 180_000
CHARTS = 10
DISCRETIZE = "Discretize the boundaries (hard regions)"
COMPILING = "Compiling the fast training engine (first start only)…"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (Debian: apt-get install -y chromium)")

# performance.now() once the script has finished and every chart and the table are drawn, else
# false.  performance.now() counts from the start of the navigation, so it is the time to render.
RENDERED = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const charts = document.querySelectorAll("[data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").length;
    const table = document.querySelector(".st-key-accuracy_table [data-testid='stDataFrame']");
    return app?.dataset.testScriptState === "notRunning" && charts >= %d && table !== null && performance.now();
}""" % CHARTS

# Records when each click happens and when the script starts and stops running.
RECORD_RUNS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.nnregRuns = {clicks: [], states: []};
    document.addEventListener("click", () => window.nnregRuns.clicks.push(performance.now()), {capture: true});
    new MutationObserver(() => window.nnregRuns.states.push([app.dataset.testScriptState, performance.now()]))
        .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""

# Once the script run that the last click started has ended: milliseconds from the click to its
# end, and from the page showing it running (the server has started it) to its end.
RERUN_MS = """() => {
    const {clicks, states} = window.nnregRuns;
    const click = clicks[clicks.length - 1];
    const started = states.findIndex(([state, at]) => state === "running" && at >= click);
    const ended = states.slice(started + 1).find(([state]) => state === "notRunning");
    return started >= 0 && ended !== undefined && [ended[1] - click, ended[1] - states[started][1]];
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(url: str, server: subprocess.Popen, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with code {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")


@contextlib.contextmanager
def _streamlit(log_path: Path, **env):
    """`streamlit run app.py` on a free port, with ``env`` added to its environment: its URL and
    the seconds it took to answer."""
    port = _free_port()
    with open(log_path, "w") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(url, process, log_path)
            yield url, time.perf_counter() - start
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def _browser_page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser.new_page(viewport={"width": 1600, "height": 1000})
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server():
    """A fresh server and the seconds it took to answer.  Numba's disk cache is filled first, so
    the page is timed as a deployed server runs it: compiled once, long before."""
    ARTIFACTS.mkdir(exist_ok=True)
    if training.NUMBA_AVAILABLE:
        from nnreg import kernel

        kernel.warm_up()
    with _streamlit(LOG) as started:
        yield started


def _rendered_charts(page, selector: str) -> int:
    """Charts under ``selector`` that Vega has drawn (a canvas or svg exists inside)."""
    return page.locator(f"{selector} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").count()


def _seconds_to_render(page) -> float:
    return page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS).json_value() / 1000


def _seconds_to_rerun(page, label: str) -> tuple[float, float]:
    """Click ``label``; the seconds from the click to the end of the script run it starts, and
    from that run's start to its end."""
    page.get_by_text(label, exact=True).click()
    try:
        from_click, from_start = page.wait_for_function(RERUN_MS, timeout=30_000).json_value()
    except sync_api.TimeoutError:
        # On a loaded machine the observer can miss a run's start; the timing is then unknown,
        # and the page is still checked below.
        return None, None
    return from_click / 1000, from_start / 1000


def _assert_the_whole_study_is_shown(page):
    for name in ("none", "l2", "dropout"):
        assert _rendered_charts(page, f".st-key-boundary_{name}") == 1, name
    assert _rendered_charts(page, ".st-key-weight_charts") == 3
    assert page.locator(".st-key-accuracy_table [data-testid='stDataFrame']").count() == 1
    for title in ("No regularization", "L2", "Dropout"):
        assert page.get_by_role("heading", name=title, exact=True).count() == 1, title
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def _screenshot(page, path: Path):
    # Streamlit scrolls inside its main area, so grow the viewport to the content to capture it all.
    height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1600, "height": height})
    page.wait_for_timeout(1000)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": 1600, "height": 1000})


def test_the_default_page_renders_completely_and_reruns_from_the_cache(server):
    url, server_start = server
    with _browser_page() as page:
        page.goto(url)
        first_render = _seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)
        _screenshot(page, ARTIFACTS / "dashboard.png")

        page.evaluate(RECORD_RUNS)
        reruns = [_seconds_to_rerun(page, DISCRETIZE) for _ in range(4)]
        _seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)

        page.reload()
        reload_render = _seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 0
    timings = {
        "server_start_to_health_s": round(server_start, 3),
        "first_render_fresh_server_s": round(first_render, 3),
        # Toggling "discretize" four times: the first draws the hard regions, the others replay.
        "rerun_click_to_idle_s": [from_click and round(from_click, 3) for from_click, _ in reruns],
        "rerun_running_to_idle_s": [from_start and round(from_start, 3) for _, from_start in reruns],
        "reload_render_cached_s": round(reload_render, 3),
    }
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print(f"\ndashboard timings: {json.dumps(timings)}")


@pytest.mark.skipif(not training.NUMBA_AVAILABLE, reason="without Numba there is nothing to compile")
def test_a_first_start_says_it_is_compiling_instead_of_waiting_silently(tmp_path):
    # An empty Numba cache: this server compiles the kernel as on its very first start.
    with _streamlit(ARTIFACTS / "streamlit-cold.log", NUMBA_CACHE_DIR=str(tmp_path)) as (url, _), \
            _browser_page() as page:
        page.goto(url)
        page.get_by_text(COMPILING).wait_for(timeout=RENDER_TIMEOUT_MS)
        _seconds_to_render(page)
        _assert_the_whole_study_is_shown(page)
        assert page.get_by_text(COMPILING).count() == 0
