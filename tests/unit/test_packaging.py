"""`pip install .` gives a working nnreg and its `nnreg` command, away from the checkout."""

import shutil
import subprocess
import venv
from pathlib import Path

import pytest

import nnreg

pytestmark = pytest.mark.slow  # every test pip-installs nnreg into a virtual environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtual environment that sees this Python's packages (the dependencies) and holds nnreg
    installed from the checkout."""
    where = tmp_path_factory.mktemp("installed")
    # A copy of what the build reads, so that building leaves nothing in the checkout.
    source = where / "source"
    shutil.copytree(ROOT / "nnreg", source / "nnreg", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv.create(where / "venv", system_site_packages=True, with_pip=True)
    done = subprocess.run([str(where / "venv" / "bin" / "pip"), "install", "--quiet", "--no-deps", str(source)],
                          capture_output=True, text=True, timeout=600, cwd=where)
    assert done.returncode == 0, done.stderr
    return where


def test_the_nnreg_command_lists_the_datasets_without_the_checkout(installed):
    done = subprocess.run([str(installed / "venv" / "bin" / "nnreg"), "datasets"], capture_output=True,
                          text=True, timeout=120, cwd=installed)
    assert done.returncode == 0, done.stderr
    # No data/ folder there: the built-in set comes from its seeded generator, the same points.
    assert done.stdout.splitlines()[1].split() == ["football", "211", "200", "2", "2", "0,", "1"]


def test_the_installed_package_trains_from_its_own_files(installed):
    probe = ("import nnreg\n"
             "print(nnreg.__file__)\n"
             "result = nnreg.train(nnreg.load_dataset('football'), nnreg.Settings(num_iterations=200), engine='numpy')\n"
             "print(result.train_correct)\n")
    done = subprocess.run([str(installed / "venv" / "bin" / "python"), "-c", probe], capture_output=True,
                          text=True, timeout=120, cwd=installed)
    assert done.returncode == 0, done.stderr
    location, train_correct = done.stdout.split()
    assert not Path(location).is_relative_to(ROOT)
    here = nnreg.train(nnreg.load_dataset("football"), nnreg.Settings(num_iterations=200), engine="numpy")
    assert int(train_correct) == here.train_correct
