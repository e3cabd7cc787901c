"""Sweeps on Dask: a local cluster on loopback gives the in-process results, even when a worker dies."""

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

import nnreg
from nnreg.sweeps import curve, data_size_curve
from nnreg.sweeps.executors import open_executor

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # every test starts a Dask cluster

ROOT = Path(__file__).resolve().parents[2]
GRID = {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}
SMALL = nnreg.Settings(num_iterations=300)
# Long enough per model that a worker is still busy when it is killed.
SLOWER = nnreg.Settings(num_iterations=2000)


def _without_seconds(rows):
    return rows.drop(columns="seconds")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        yield cluster


def test_local_cluster_gives_the_in_process_results(football):
    here = nnreg.sweep(football, GRID, 2, SMALL)
    there = nnreg.sweep(football, GRID, 2, SMALL, local_cluster=2)
    assert there.chosen == here.chosen
    pd.testing.assert_frame_equal(_without_seconds(there.rows), _without_seconds(here.rows))


def test_scheduler_address_gives_the_in_process_results_with_progress(football, cluster):
    calls = []
    here = nnreg.sweep(football, GRID, 2, SMALL)
    there = nnreg.sweep(football, GRID, 2, SMALL, scheduler=cluster.scheduler_address,
                        progress=lambda done, total: calls.append((done, total)))
    pd.testing.assert_frame_equal(_without_seconds(there.rows), _without_seconds(here.rows))
    assert calls == [(k, 10) for k in range(1, 11)]


def test_a_worker_killed_mid_sweep_loses_nothing(football, cluster):
    seeds = 2
    with distributed.Client(cluster, set_as_default=False) as client:
        pids = client.run(os.getpid)
        killed = []

        def kill_a_busy_worker(done, total):
            if killed:
                return
            busy = [address for address, keys in client.processing().items() if keys]
            assert busy, "no worker was busy: the models are too quick to kill one mid-sweep"
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append((busy[0], done, total))

        there = nnreg.sweep(football, GRID, seeds, SLOWER, scheduler=cluster.scheduler_address,
                            progress=kill_a_busy_worker)
        client.wait_for_workers(2, timeout=60)
    address, done, total = killed[0]
    assert done < total
    here = nnreg.sweep(football, GRID, seeds, SLOWER)
    assert len(there.rows) == total == 2 * 2 * seeds + seeds
    pd.testing.assert_frame_equal(_without_seconds(there.rows), _without_seconds(here.rows))


def test_command_line_local_cluster_writes_the_in_process_rows(tmp_path):
    # As a subprocess: Dask's worker processes must start cleanly under `python -m nnreg`.
    arguments = [sys.executable, "-m", "nnreg", "sweep", "--lambd", "0,0.7", "--keep-prob", "1", "--seeds", "2",
                 "--num-iterations", "200"]
    for name, extra in (("here.csv", []), ("there.csv", ["--local-cluster", "2"])):
        run = subprocess.run([*arguments, *extra, "--out", str(tmp_path / name)], cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
    here, there = (pd.read_csv(tmp_path / name) for name in ("here.csv", "there.csv"))
    pd.testing.assert_frame_equal(_without_seconds(there), _without_seconds(here))


def test_a_data_size_curve_on_the_cluster_gives_the_in_process_rows_from_one_client(football, cluster,
                                                                                   monkeypatch):
    grid = {"lambd": [0.0, 0.1, 0.7], "keep_prob": [1.0, 0.86]}
    here = data_size_curve(football, [0.25, 1], grid, 2, SMALL)
    opened = []

    @contextmanager
    def counted(*arguments):
        with open_executor(*arguments) as runner:
            opened.append(runner)
            yield runner

    monkeypatch.setattr(curve, "open_executor", counted)
    there = data_size_curve(football, [0.25, 1], grid, 2, SMALL, scheduler=cluster.scheduler_address)
    # One client for both phases and every fraction.
    assert len(opened) == 1
    pd.testing.assert_frame_equal(_without_seconds(there.rows), _without_seconds(here.rows))
    pd.testing.assert_frame_equal(there.summary, here.summary)


def test_a_table_of_three_classes_sweeps_on_the_cluster_as_in_process(cluster):
    # Wine: 13 features, three classes, standardized on each model's own fitted points; the dataset
    # and its scaling rule travel to the workers with the models.
    wine = nnreg.load_dataset("wine")
    assert (wine.n_features, wine.n_classes, wine.standardize) == (13, 3, True)
    grid = {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}
    here = nnreg.sweep(wine, grid, 2, SMALL)
    there = nnreg.sweep(wine, grid, 2, SMALL, scheduler=cluster.scheduler_address)
    assert there.chosen == here.chosen
    pd.testing.assert_frame_equal(_without_seconds(there.rows), _without_seconds(here.rows))
    # Folds run on the same executor: each fold's models on the cluster, as here.
    # (Two L2 strengths, so that there is a dev phase to fold.)
    grid = {"lambd": [0.0, 0.1, 0.7], "keep_prob": [1.0, 0.86]}
    curve_here = data_size_curve(wine, [0.5, 1], grid, 2, SMALL, folds=3)
    curve_there = data_size_curve(wine, [0.5, 1], grid, 2, SMALL, folds=3, scheduler=cluster.scheduler_address)
    assert sorted(curve_there.rows["fold"].dropna().unique()) == [0, 1, 2]
    pd.testing.assert_frame_equal(_without_seconds(curve_there.rows), _without_seconds(curve_here.rows))
    # Above chance: the rows are of models that learned the three cultivars, not of collapsed ones.
    assert here.rows.test_accuracy.max() > 0.9
