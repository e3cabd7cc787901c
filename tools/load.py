"""Many visitors at once: twenty headless Chromium pages on one ``streamlit run app.py``, each with its
own settings in the URL, each opening the deeper views' tabs, while the server's memory is sampled.
``python -m nnreg bench`` reports the figures; tests/browser/test_load.py also checks every page's table.

Needs Playwright for Python and Chromium, as ``tools.browser`` does.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from .browser import BROWSER_ARGS, StreamlitServer, chromium

MB = 10**6
SCRIPT_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"

# Twenty different visitors: every λ, keep_prob and init seed differs, so every table differs and a
# table delivered to the wrong session cannot pass for the right one.
SESSIONS = [{"lambd": round(0.1 * (k + 1), 1), "keep_prob": round(0.6 + 0.02 * k, 2), "seed": k + 1,
             "learning_rate": (0.2, 0.25, 0.3, 0.35)[k % 4], "num_iterations": 3000} for k in range(20)]
# The deeper views each visitor opens after the first screen, and an element each draws.
TABS = {"The network": ".st-key-network_2", "Training replay": ".st-key-replay",
        "Hidden units": ".st-key-units_2"}


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
    if not found:
        raise RuntimeError(f"no active_sessions in {url}/_stcore/metrics:\n{text}")
    return int(found.group(1))


def visit_query(visit: dict) -> str:
    """A visit's link: the course's three models with its λ and keep_prob, and its shared settings."""
    shared = {key: value for key, value in visit.items() if key not in ("lambd", "keep_prob")}
    models = ["No regularization", f"L2:lambd={visit['lambd']}", f"Dropout:keep_prob={visit['keep_prob']}"]
    return urllib.parse.urlencode({**shared, "model": models}, doseq=True)


async def visit_page(browser, url: str, visit: dict) -> list[tuple[float, ...]]:
    """Open the dashboard with ``visit``'s settings in a fresh browser context, wait for the script
    to finish, open the deeper views' tabs one by one, and return the accuracy table the page
    offers for download.  The page stays open."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True,
                                          reduced_motion="reduce")
    page = await context.new_page()
    # Twenty pages parsing Streamlit's scripts at once on two cores can take longer than the
    # default 30 s "load" wait; readiness is the table's button below, given its own time.
    await page.goto(f"{url}/?{visit_query(visit)}", wait_until="commit", timeout=60_000)
    download_button = page.get_by_role("button", name="Table (CSV)")
    await download_button.wait_for(timeout=150_000)
    await page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    problems = await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()
    if problems:
        raise RuntimeError(f"{visit}: the page shows {problems}")
    async with page.expect_download(timeout=30_000) as download_info:
        await download_button.click()
    download = await download_info.value
    for tab, drawn in TABS.items():
        await page.get_by_role("tab", name=tab).click()
        await page.locator(f"{drawn} [data-testid='stVegaLiteChart']").first.wait_for(timeout=150_000)
        await page.wait_for_selector(SCRIPT_DONE, timeout=60_000)
    problems = await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()
    if problems:
        raise RuntimeError(f"{visit}: with its tabs open, the page shows {problems}")
    return table_from_csv((await download.path()).read_text())


async def visit_all(url: str) -> tuple[list, int]:
    """Every session at once in one Chromium; then, with all pages still open, the server's count."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium(), args=BROWSER_ARGS)
        try:
            tables = await asyncio.gather(*(visit_page(browser, url, visit) for visit in SESSIONS),
                                          return_exceptions=True)
            return tables, active_sessions(url)
        finally:
            await browser.close()




def measure_load(log: Path) -> dict:
    """Start a server, visit it with every session of SESSIONS at once, and return the figures:
    sessions held, the server's own count of open sessions, its memory idle and at peak, the wall
    time, and each session's table (or the exception that ended its visit) under "tables"."""
    start = time.monotonic()
    with StreamlitServer(log) as server:
        idle = server.rss()
        with PeakMemory(server.rss) as memory:
            tables, server_sessions = asyncio.run(visit_all(server.url))
    failures = [table for table in tables if isinstance(table, BaseException)]
    return {"sessions": len(SESSIONS), "sessions_held": len(SESSIONS) - len(failures),
            "server_active_sessions": server_sessions, "idle_rss_mb": round(idle / MB, 1),
            "peak_rss_mb": round(memory.peak / MB, 1), "wall_seconds": round(time.monotonic() - start, 1),
            "num_iterations": SESSIONS[0]["num_iterations"], "models_per_session": 3, "tabs_opened": list(TABS),
            "tables": tables}
