"""Many users at once: one `streamlit run app.py` serving twenty headless browsers, each with its own
settings in the URL, and the memory of trained models staying bounded however many settings come by.
The figures are printed and written to test-artifacts/load.json and test-artifacts/cache.json."""

import asyncio
import csv
import ctypes
import gc
import io
import json
import os
import re
import threading
import time
import urllib.parse
import urllib.request

import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from tools.browser import BROWSER_ARGS, ROOT, StreamlitServer, chromium, rss

try:
    from playwright.async_api import async_playwright
except ImportError:
    async_playwright = None

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = chromium()
MB = 10**6
SCRIPT_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"

# Twenty different visitors: every λ, keep_prob and init seed differs, so every table differs and a
# table delivered to the wrong session cannot pass for the right one.
SESSIONS = [{"lambd": round(0.1 * (k + 1), 1), "keep_prob": round(0.6 + 0.02 * k, 2), "seed": k + 1,
             "learning_rate": (0.2, 0.25, 0.3, 0.35)[k % 4], "num_iterations": 3000} for k in range(20)]
# The smallest app on Streamlit Community Cloud.
MEMORY_LIMIT = 690 * MB
# The deeper views each visitor opens after the first screen, and an element each draws.
TABS = {"The network": ".st-key-network_dropout", "Training replay": ".st-key-replay",
        "Hidden units": ".st-key-units_dropout"}


def expected_table(football, visit: dict) -> list[tuple[float, ...]]:
    """λ, keep_prob, train and test accuracy of the page's three models, from the library itself."""
    base = nnreg.Settings(learning_rate=visit["learning_rate"], num_iterations=visit["num_iterations"],
                          seed=visit["seed"])
    rows = []
    for settings in (base, base.replace(lambd=visit["lambd"]), base.replace(keep_prob=visit["keep_prob"])):
        result = nnreg.train(football, settings)
        rows.append((settings.lambd, settings.keep_prob, result.train_accuracy, result.test_accuracy))
    return rows


def table_from_csv(text: str) -> list[tuple[float, ...]]:
    # The csv module and float() round-trip the app's values exactly; pandas' default parser may not.
    return [(float(row["λ"]), float(row["keep_prob"]), float(row["Train accuracy"]), float(row["Test accuracy"]))
            for row in csv.DictReader(io.StringIO(text))]


class PeakMemory:
    """Samples a process tree's resident memory on a thread until stopped; keeps the peak."""

    def __init__(self, sample, interval: float = 0.05):
        self.sample, self.interval, self.peak = sample, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())


def active_sessions(url: str) -> int:
    """The server's own count of connected sessions, from Streamlit's metrics endpoint."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics?families=active_sessions", timeout=10) as response:
        text = response.read().decode()
    found = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    assert found, f"no active_sessions in {url}/_stcore/metrics:\n{text}"
    return int(found.group(1))


async def visit_page(browser, url: str, visit: dict) -> list[tuple[float, ...]]:
    """Open the dashboard with ``visit``'s settings in a fresh browser context, wait for the script
    to finish, open the deeper views' tabs one by one, and return the accuracy table the page
    offers for download.  The page stays open."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True,
                                          reduced_motion="reduce")
    page = await context.new_page()
    # Twenty pages parsing Streamlit's scripts at once on two cores can take longer than the
    # default 30 s "load" wait; readiness is the table's button below, given its own time.
    await page.goto(f"{url}/?{urllib.parse.urlencode(visit)}", wait_until="commit", timeout=60_000)
    download_button = page.get_by_role("button", name="Table (CSV)")
    await download_button.wait_for(timeout=150_000)
    await page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    problems = await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()
    assert not problems, f"{visit}: the page shows {problems}"
    async with page.expect_download(timeout=30_000) as download_info:
        await download_button.click()
    download = await download_info.value
    for tab, drawn in TABS.items():
        await page.get_by_role("tab", name=tab).click()
        await page.locator(f"{drawn} [data-testid='stVegaLiteChart']").first.wait_for(timeout=150_000)
        await page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    problems = await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()
    assert not problems, f"{visit}: with its tabs open, the page shows {problems}"
    return table_from_csv((await download.path()).read_text())


async def visit_all(url: str) -> tuple[list, int]:
    """Every session at once in one Chromium; then, with all pages still open, the server's count."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            tables = await asyncio.gather(*(visit_page(browser, url, visit) for visit in SESSIONS),
                                          return_exceptions=True)
            return tables, active_sessions(url)
        finally:
            await browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (Debian: apt-get install -y chromium)")
@pytest.mark.skipif(async_playwright is None, reason="Playwright for Python is not installed")
def test_twenty_concurrent_sessions_each_get_their_own_correct_table(football):
    expected = [expected_table(football, visit) for visit in SESSIONS]
    assert len({tuple(table) for table in expected}) == len(SESSIONS)

    start = time.monotonic()
    with StreamlitServer(ARTIFACTS / "streamlit-load.log") as server:
        idle = server.rss()
        with PeakMemory(server.rss) as memory:
            tables, server_sessions = asyncio.run(visit_all(server.url))
    seconds = time.monotonic() - start

    failures = [f"{visit}: {table!r}" for visit, table in zip(SESSIONS, tables) if isinstance(table, BaseException)]
    correct = sum(table == want for table, want in zip(tables, expected))
    figures = {"sessions": len(SESSIONS), "sessions_held": len(SESSIONS) - len(failures),
               "server_active_sessions": server_sessions, "tables_correct": correct,
               "idle_rss_mb": round(idle / MB, 1), "peak_rss_mb": round(memory.peak / MB, 1),
               "wall_seconds": round(seconds, 1),
               "num_iterations": SESSIONS[0]["num_iterations"], "models_per_session": 3, "tabs_opened": list(TABS)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nload: {figures['sessions_held']} of {len(SESSIONS)} sessions held ({server_sessions} open on "
          f"the server at once), {correct} tables correct, server RSS {figures['idle_rss_mb']} MB idle, "
          f"{figures['peak_rss_mb']} MB at peak, {figures['wall_seconds']} s")

    assert not failures, "\n".join(failures)
    assert server_sessions == len(SESSIONS)
    for visit, table, want in zip(SESSIONS, tables, expected):
        assert table == want, visit
    assert memory.peak < MEMORY_LIMIT


def live_memory() -> int:
    """This process's resident memory once garbage is collected and the C allocator has handed
    its free pages back: what the process holds, without the allocator's slack, which comes and
    goes by several MB from one step to the next."""
    gc.collect()
    ctypes.CDLL(None).malloc_trim(0)
    return rss(os.getpid(), children=False)


# Each step trains 3 models × 10 init seeds that no earlier step had (the learning rate moves on), so
# 200 steps make 6,000 models, far beyond what the cache may keep.  A kept model holds about 10 kB (a
# small network and its history): with the cache's bound lifted, the last 100 steps add about 50 MB.
CACHE_STEPS = 200
CACHE_SAMPLE_EVERY = 20
CACHE_GROWTH_LIMIT = 10 * MB


def test_memory_levels_off_over_200_distinct_settings():
    # In-process: a real server and browser need over a second per step on two cores (drawing the
    # charts), AppTest a quarter of that, and the trained models live in the process either way.
    app = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=60)
    app.query_params.update({"n_seeds": "10", "num_iterations": "100"})
    app.run()
    assert not app.exception
    series = []
    start = time.monotonic()
    for step in range(CACHE_STEPS + 1):
        if step:
            app.number_input(key="lambd").set_value(round(0.1 * step, 1))
            app.number_input(key="learning_rate").set_value(round(0.1 + 0.001 * step, 3))
            app.run()
            assert not app.exception and not app.error, step
        if step % CACHE_SAMPLE_EVERY == 0:
            series.append(live_memory())
    seconds = time.monotonic() - start
    # The last step's models are the ones on the page: the steps really changed the settings.
    assert app.table[0].value.loc["l2", "λ"] == round(0.1 * CACHE_STEPS, 1)
    middle = CACHE_STEPS // CACHE_SAMPLE_EVERY // 2
    first_half, second_half = series[middle] - series[0], series[-1] - series[middle]
    figures = {"settings": CACHE_STEPS, "models_trained": CACHE_STEPS * 3 * 10, "process": "pytest (AppTest)",
               "rss_mb_every_20_settings": [round(value / MB, 1) for value in series],
               "growth_mb_first_100": round(first_half / MB, 1), "growth_mb_last_100": round(second_half / MB, 1),
               "wall_seconds": round(seconds, 1)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "cache.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\ncache: RSS every {CACHE_SAMPLE_EVERY} settings (MB): {figures['rss_mb_every_20_settings']}; "
          f"growth {figures['growth_mb_first_100']} MB over the first 100, "
          f"{figures['growth_mb_last_100']} MB over the last 100; {figures['wall_seconds']} s")
    assert second_half < CACHE_GROWTH_LIMIT
