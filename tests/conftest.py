"""Shared fixtures: small datasets that make tests fast, and the course's file when it is available."""

import os
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

import nnreg

COURSE_DATA_ENV = "NNREG_COURSE_DATA"
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(items):
    """Marked by their folder, so no browser test can be forgotten by the fast tier's `-m "not browser"`."""
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def football():
    return nnreg.load_dataset("football")


@pytest.fixture(scope="session")
def moons():
    return nnreg.make_dataset("moons", n_points=120, noise=0.15, seed=4)


@pytest.fixture(scope="session")
def course_data_path():
    """The course's data.mat, from $NNREG_COURSE_DATA; the test skips when it is not set."""
    value = os.environ.get(COURSE_DATA_ENV)
    if not value:
        pytest.skip(f"{COURSE_DATA_ENV} is not set: the course's data.mat is reference material "
                    "that is never shipped (.ci/run sets it when ../shared/reference/data.mat exists)")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{COURSE_DATA_ENV}={value} does not name a file")
    return path


@pytest.fixture(scope="session")
def numba_cache_filled():
    """Servers then start as a deployed one runs: the kernel compiled once, long before."""
    if nnreg.training.NUMBA_AVAILABLE:
        from nnreg.engines import compiled

        compiled.warm_up()


@pytest.fixture
def downloads(monkeypatch):
    """Every file the page offers for download, by its name, as Streamlit keeps it for the browser."""
    files = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        files[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return files
