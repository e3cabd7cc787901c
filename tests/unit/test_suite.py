"""The tests' own layout: every test file in one of three folders, every browser test marked so (the
fast tier leaves them out by that mark), and a fast tier that still runs every unit and page module."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
FOLDERS = ("unit", "pages", "browser")
FAST_TIER = 'python -m pytest -m "not browser and not slow"'

# A plugin for a fresh pytest that collects the suite as a developer's command does and writes down
# each test's marks: those of its function, its module (pytestmark) and conftest's hooks.
RECORD_MARKS = """
import json
import os


def pytest_collection_finish(session):
    marks = {item.nodeid: sorted({mark.name for mark in item.iter_markers()}) for item in session.items}
    with open(os.environ["NNREG_TEST_MARKS"], "w") as out:
        json.dump(marks, out)
"""


@pytest.fixture(scope="module")
def marks(tmp_path_factory):
    where = tmp_path_factory.mktemp("marks")
    (where / "record_marks.py").write_text(RECORD_MARKS)
    written = where / "marks.json"
    env = dict(os.environ, NNREG_TEST_MARKS=str(written),
               PYTHONPATH=os.pathsep.join(filter(None, [str(where), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "record_marks",
                           "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(written.read_text())


def test_every_test_file_lives_in_one_of_the_folders():
    files = sorted(TESTS.rglob("test_*.py"))
    misplaced = [str(path.relative_to(TESTS)) for path in files
                 if path.parent.parent != TESTS or path.parent.name not in FOLDERS]
    assert not misplaced
    assert {path.parent.name for path in files} == set(FOLDERS)


def test_the_browser_tests_and_only_they_carry_the_browser_mark(marks):
    in_folder = {nodeid for nodeid in marks if nodeid.startswith("tests/browser/")}
    marked = {nodeid for nodeid, names in marks.items() if "browser" in names}
    assert in_folder and marked == in_folder


def test_the_fast_tier_runs_every_unit_and_page_module(marks):
    # A module leaves the fast tier only whole, by its own pytestmark, never by its last test marked slow.
    fast = {nodeid.split("::")[0] for nodeid, names in marks.items() if not {"browser", "slow"} & set(names)}
    modules = {path.relative_to(ROOT).as_posix() for folder in ("unit", "pages")
               for path in (TESTS / folder).glob("test_*.py")
               if "\npytestmark = pytest.mark.slow" not in path.read_text()}
    assert fast == modules


def test_the_readme_gives_the_fast_tiers_command():
    assert FAST_TIER in (ROOT / "README.md").read_text()
