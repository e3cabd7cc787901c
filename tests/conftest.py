"""Shared fixtures: small datasets that make tests fast, and the course's file when it is available."""

import os
from pathlib import Path

import pytest

import nnreg

COURSE_DATA_ENV = "NNREG_COURSE_DATA"


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
