"""Many users at once: one `streamlit run app.py` serving twenty headless browsers, each with its own
settings in the URL, and the memory of trained models staying bounded however many settings come by.
The figures are printed and written to test-artifacts/load.json and test-artifacts/cache.json."""

import ctypes
import gc
import importlib.util
import json
import os
import time

import pyarrow
import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg.cli.bench import LOAD_MEMORY_MB
from nnreg.report.table import CSV_DIGITS
from tools.browser import ROOT, chromium, rss
from tools.load import MB, SESSIONS, measure_load

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = chromium()


def expected_table(football, visit: dict) -> list[tuple[float, ...]]:
    """λ, keep_prob, train and test accuracy of the page's three models, from the library itself."""
    base = nnreg.Settings(learning_rate=visit["learning_rate"], num_iterations=visit["num_iterations"],
                          seed=visit["seed"])
    rows = []
    for settings in (base, base.replace(lambd=visit["lambd"]), base.replace(keep_prob=visit["keep_prob"])):
        result = nnreg.train(football, settings)
        # As the page's CSV writes them, to CSV_DIGITS significant digits.
        rows.append((settings.lambd, settings.keep_prob,
                     *(float(f"{value:.{CSV_DIGITS}g}") for value in (result.train_accuracy, result.test_accuracy))))
    return rows


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (Debian: apt-get install -y chromium)")
@pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="Playwright for Python is not installed")
def test_twenty_concurrent_sessions_each_get_their_own_correct_table(football):
    expected = [expected_table(football, visit) for visit in SESSIONS]
    assert len({tuple(table) for table in expected}) == len(SESSIONS)

    figures = measure_load(ARTIFACTS / "streamlit-load.log")
    tables = figures.pop("tables")
    failures = [f"{visit}: {table!r}" for visit, table in zip(SESSIONS, tables) if isinstance(table, BaseException)]
    figures["tables_correct"] = correct = sum(table == want for table, want in zip(tables, expected))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nload: {figures['sessions_held']} of {len(SESSIONS)} sessions held ({figures['server_active_sessions']} "
          f"open on the server at once), {correct} tables correct, server RSS {figures['idle_rss_mb']} MB idle, "
          f"{figures['peak_rss_mb']} MB at peak, {figures['wall_seconds']} s")

    assert not failures, "\n".join(failures)
    assert figures["server_active_sessions"] == len(SESSIONS)
    for visit, table, want in zip(SESSIONS, tables, expected):
        assert table == want, visit
    assert figures["peak_rss_mb"] < LOAD_MEMORY_MB


def live_memory() -> int:
    """This process's resident memory once garbage is collected and the allocators have handed
    their free pages back (the C library's, and Arrow's mimalloc, which the tables go through):
    what the process holds, without the allocators' slack, which comes and goes by several MB
    from one step to the next."""
    gc.collect()
    ctypes.CDLL(None).malloc_trim(0)
    pyarrow.default_memory_pool().release_unused()
    return rss(os.getpid(), children=False)


# Each step trains 3 models × 10 init seeds that no earlier step had (the learning rate moves on), so
# 200 steps make 6,000 models, far beyond what the cache may keep.  A kept model holds about 10 kB (a
# small network and its history): with the cache's bound lifted, the last 100 steps add about 50 MB.
CACHE_STEPS = 200
CACHE_SAMPLE_EVERY = 20
# Between the two: an unbounded cache adds about 51 MB over the last 100 steps, while the process's
# own steps, the allocators trimmed, reached 16 MB at once in one CI run (454 -> 475 MB, then flat).
CACHE_GROWTH_LIMIT = 25 * MB


def test_memory_levels_off_over_200_distinct_settings():
    # In-process: a real server and browser need over a second per step on two cores (drawing the
    # charts), AppTest a quarter of that, and the trained models live in the process either way.
    app = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=60)
    app.query_params.update({"n_seeds": "10", "num_iterations": "100"})
    app.run()
    assert not app.exception
    series = []
    start = time.monotonic()
    first_table = app.table[0].value
    for step in range(CACHE_STEPS + 1):
        if step:
            app.text_input(key="learning_rate").set_value(str(round(0.5 + 0.001 * step, 3)))
            app.run()
            assert not app.exception and not app.error, step
        if step % CACHE_SAMPLE_EVERY == 0:
            series.append(live_memory())
    seconds = time.monotonic() - start
    # The last step's models are the ones on the page: the steps really changed the settings.
    assert app.text_input(key="learning_rate").value == str(round(0.5 + 0.001 * CACHE_STEPS, 3))
    assert not app.table[0].value[["Train accuracy", "Test accuracy"]].equals(first_table[["Train accuracy",
                                                                                            "Test accuracy"]])
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
