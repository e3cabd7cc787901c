"""The dashboard as a visitor gets it: ``streamlit run app.py`` on a free localhost port, opened in
headless Chromium through Playwright.  ``bench`` times the page with it; the browser and load tests
drive the same server and page.

Playwright for Python and Chromium are needed only here (``pip install -r tests/requirements.txt``,
``apt-get install -y chromium``); Playwright is imported when a browser is opened, and never
downloads a browser.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1600, "height": 1000}

# The default page draws the boundaries' legend, three boundaries and, in the tab open on a first
# visit, three weight charts.
DEFAULT_CHARTS = 7
# Generous: a slow machine may take long to train the three course models at 30,000 iterations.
RENDER_TIMEOUT_MS = 180_000
DISCRETIZE = "Discretize the boundaries (hard regions)"

# performance.now() once the script has finished and every chart and the table are drawn, else
# false.  performance.now() counts from the start of the navigation, so it is the time to render.
RENDERED = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const charts = document.querySelectorAll("[data-testid='stVegaLiteChart'] :is(canvas, svg.marks)").length;
    const table = document.querySelector(".st-key-accuracy_table [data-testid='stTable']");
    return app?.dataset.testScriptState === "notRunning" && charts >= %d && table !== null && performance.now();
}""" % DEFAULT_CHARTS

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


def chromium() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_tools() -> str | None:
    """What is missing to open the page in a browser, or None when nothing is."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (pip install -r tests/requirements.txt)")
    if chromium() is None:
        missing.append("Chromium (Debian: apt-get install -y chromium)")
    if not APP.is_file():
        missing.append(f"the dashboard's page script {APP}")
    return " and ".join(missing) or None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerError(RuntimeError):
    """The server exited or never answered; the message names its log."""


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def rss(pid: int, children: bool = True) -> int:
    """Resident memory (VmRSS) of a process in bytes, with that of its descendants unless
    ``children`` is False; a process that is gone counts 0."""
    pids, total = [pid], 0
    while pids:
        pid = pids.pop()
        try:
            # statm's second field is resident pages: one small read, no parsing of status lines.
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
        if children:
            pids += _children(pid)
    return total


class StreamlitServer:
    """``with StreamlitServer(log) as server:`` runs the app until the block ends.

    ``server.url`` is its address, ``server.rss()`` the resident memory of the server process and
    any processes it started, in bytes, ``server.started_in`` the seconds it took to answer.  Its
    output goes to ``log``; ``env`` is added to its environment.
    """

    def __init__(self, log: Path, script: str = "app.py", startup_timeout: float = 60.0,
                 env: dict[str, str] | None = None):
        self.log, self.script, self.startup_timeout = log, script, startup_timeout
        self.env = {**os.environ, **(env or {})}
        self.url, self.process, self.started_in = None, None, None

    def __enter__(self) -> "StreamlitServer":
        port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
                 "--server.port", str(port), "--server.address", "127.0.0.1"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.url = f"http://127.0.0.1:{port}"
        try:
            self._wait_for_health()
        except BaseException:
            self._stop()
            raise
        self.started_in = time.perf_counter() - start
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop()

    def _wait_for_health(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"streamlit exited with code {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.1)
        raise ServerError(f"streamlit did not answer {self.url}/_stcore/health within "
                          f"{self.startup_timeout:.0f} s; see {self.log}")

    def _stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss(self) -> int:
        """Resident memory of the server and its descendants, in bytes."""
        return rss(self.process.pid)


@contextlib.contextmanager
def browser_page(color_scheme: str = "light"):
    """A page in a fresh headless Chromium: nothing cached, as for a first visit.  The page's
    theme follows ``color_scheme`` ("light" or "dark"), as a visitor's system setting would."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=BROWSER_ARGS)
        try:
            yield browser.new_page(viewport=VIEWPORT, color_scheme=color_scheme)
        finally:
            browser.close()


def full_page_screenshot(page, path, width: int) -> None:
    """The whole page at ``width`` pixels: Streamlit scrolls inside its main area, so the viewport
    grows to the content to capture it all."""
    height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(1000)
    page.screenshot(path=path, full_page=True)


def seconds_to_render(page) -> float:
    """Seconds from the start of the page's last navigation until the whole default page is drawn."""
    return page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS).json_value() / 1000


def seconds_to_rerun(page, label: str) -> tuple[float | None, float | None]:
    """Click ``label``; the seconds from the click to the end of the script run it starts, and
    from that run's start to its end.  ``RECORD_RUNS`` must have been evaluated on the page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_text(label, exact=True).click()
    try:
        from_click, from_start = page.wait_for_function(RERUN_MS, timeout=30_000).json_value()
    except PlaywrightTimeout:
        # On a loaded machine the observer can miss a run's start; the timing is then unknown.
        return None, None
    return from_click / 1000, from_start / 1000


# A tab's charts drawn and the script idle: ``[selector, count]`` of the charts to wait for.
TAB_DRAWN = """([selector, count]) => {
    const app = document.querySelector("[data-testid='stApp']");
    const charts = document.querySelectorAll(`${selector} [data-testid='stVegaLiteChart'] :is(canvas, svg.marks)`);
    return app?.dataset.testScriptState === "notRunning" && charts.length >= count && performance.now();
}"""
# The tab the bench opens, its charts and how many: the learning curves, two per model.
CURVES_TAB, CURVES_CHARTS, CURVE_COUNT = "Learning curves", "[class*='st-key-curves_']", 6


def seconds_to_open_tab(page, name: str, selector: str, count: int) -> float:
    """Click the tab ``name``; the seconds until ``count`` charts under ``selector`` are drawn."""
    start = page.evaluate("performance.now()")
    page.get_by_role("tab", name=name).click()
    drawn = page.wait_for_function(TAB_DRAWN, arg=[selector, count], timeout=RENDER_TIMEOUT_MS).json_value()
    return (drawn - start) / 1000


# The replay's slider, and the drawn label that says which checkpoint the first model shows.
REPLAY_TAB, REPLAY_SLIDER = "Training replay", ".st-key-replay input[type=range]"
REPLAY_SHOWS = """(iteration) => [...document.querySelectorAll(".st-key-replay svg text")]
    .some(text => text.textContent.startsWith(`iteration ${iteration}:`)) && performance.now()"""


def scrub_replay(page) -> dict:
    """Open the training replay's tab, then move its slider to the first checkpoint as a drag
    does: the seconds until the chart shows it, and how many script runs the move started."""
    page.get_by_role("tab", name=REPLAY_TAB).click()
    page.locator(REPLAY_SLIDER).wait_for(timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(TAB_DRAWN, arg=[".st-key-replay", 1], timeout=RENDER_TIMEOUT_MS)
    page.evaluate(RECORD_RUNS)
    start = page.evaluate("performance.now()")
    page.locator(REPLAY_SLIDER).fill("0")
    drawn = page.wait_for_function(REPLAY_SHOWS, arg="0", timeout=30_000).json_value()
    # A rerun, had the move started one, would show within this pause.
    page.wait_for_timeout(1_000)
    runs = page.evaluate("window.nnregRuns.states.filter(([state]) => state === 'running').length")
    return {"scrub_s": (drawn - start) / 1000, "scrub_script_runs": runs}


def request_ms(url: str, requests: int = 10) -> tuple[float, float]:
    """Milliseconds the server takes to answer its health check: the first request on a new
    connection, and the median of ``requests`` more on the same one, as a browser reuses its
    connections for a page's files."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    times = []
    try:
        for _ in range(requests + 1):
            start = time.perf_counter()
            connection.request("GET", "/_stcore/health")
            connection.getresponse().read()
            times.append(1000 * (time.perf_counter() - start))
    finally:
        connection.close()
    return times[0], statistics.median(times[1:])


def measure_dashboard(log: Path, reruns: int = 6, check=None) -> dict:
    """Time the default page on a fresh server: the first render, ``reruns`` cached reruns
    (toggling "discretize" after a first toggle that draws the hard regions), a reload, opening
    the learning curves' tab, and scrubbing the training replay (``scrub_replay``).

    ``check(page, moment)``, if given, is called after the first render, after the reruns and
    after the reload ("first render", "reruns", "reload"), e.g. to look at what is drawn; its time
    is not counted.  The caller warms Numba's disk cache first, as a deployed server's was long
    before.
    """
    def checked(moment):
        if check is not None:
            check(page, moment)

    with StreamlitServer(log) as server, browser_page() as page:
        new_connection, kept_alive = request_ms(server.url)
        page.goto(server.url)
        first_render = seconds_to_render(page)
        checked("first render")
        page.evaluate(RECORD_RUNS)
        first_toggle = seconds_to_rerun(page, DISCRETIZE)
        cached = [seconds_to_rerun(page, DISCRETIZE) for _ in range(reruns)]
        checked("reruns")
        page.reload()
        reload_render = seconds_to_render(page)
        checked("reload")
        # Last, so that the reload above is the default page (the open tab goes into the link).
        open_tab = seconds_to_open_tab(page, CURVES_TAB, CURVES_CHARTS, CURVE_COUNT)
        scrub = scrub_replay(page)
    clicks = [from_click for from_click, _ in cached if from_click is not None]
    runs = [from_start for _, from_start in cached if from_start is not None]
    return {
        "server_start_to_health_s": server.started_in,
        "request_new_connection_ms": new_connection,
        "request_kept_alive_ms": kept_alive,
        "first_render_s": first_render,
        "first_toggle_s": first_toggle[0],
        "cached_rerun_click_to_idle_s": clicks,
        "cached_rerun_median_s": statistics.median(clicks) if clicks else None,
        "cached_rerun_running_to_idle_median_s": statistics.median(runs) if runs else None,
        "open_tab_s": open_tab,
        **scrub,
        "reload_render_s": reload_render,
    }
