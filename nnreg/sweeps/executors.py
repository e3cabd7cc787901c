"""Where a sweep's models train: in this process on every core, or on a Dask cluster, one model
per task.  Both give the same rows: a model depends only on its settings and the data."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

from ..training import default_workers, train_many
from .rows import fit_dataset, model_key, model_row, train_row

# A retried model gives the same result, so retrying is always safe; this only bounds a task
# that fails on every worker.
DASK_RETRIES = 3
DASK_CONNECT_SECONDS = 15
MAX_LOCAL_WORKERS = 64
IN_PROCESS_CHUNK_PER_CORE = 4


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ImportError("a Dask scheduler or local cluster needs dask.distributed, which is not "
                          "installed: pip install 'dask[distributed]'") from None
    return distributed


def check_cluster_options(scheduler, local_cluster) -> None:
    if scheduler is not None and local_cluster is not None:
        raise ValueError("give a Dask scheduler or a local cluster, not both")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"scheduler must be an address such as tcp://host:8786, got {scheduler!r}")
    if local_cluster is not None and (isinstance(local_cluster, bool) or not isinstance(local_cluster, int)
                                      or not 1 <= local_cluster <= MAX_LOCAL_WORKERS):
        raise ValueError(f"local_cluster must be a number of workers from 1 to {MAX_LOCAL_WORKERS}, "
                         f"got {local_cluster!r}")


class _InProcess:
    """Trains here on every core (``train_many``), a few models per core at a time, so that a
    stop request waits for a second or so of training, not for the whole phase."""

    def __init__(self, heartbeat=None):
        self.heartbeat = heartbeat

    def run(self, dataset, jobs, on_done, should_stop) -> bool:
        """Call ``on_done(index, row)`` for each ``(split, settings)`` of ``jobs``; True if
        ``should_stop`` cut it short.  Consecutive jobs of one split train together."""
        chunk = IN_PROCESS_CHUNK_PER_CORE * default_workers()
        start = 0
        while start < len(jobs):
            split = jobs[start][0]
            end = start
            while end < len(jobs) and end - start < chunk and jobs[end][0] is split:
                end += 1
            if should_stop():
                return True
            fit = fit_dataset(dataset, split)
            batch = train_many(fit, [settings for _, settings in jobs[start:end]], heartbeat=self.heartbeat)
            for offset, result in enumerate(batch):
                on_done(start + offset, model_row(dataset, split, fit, result))
            start = end
        return False


class _OnDask:
    """Runs one task per model on a Dask cluster, collecting them as they finish."""

    def __init__(self, distributed, client):
        self.distributed, self.client = distributed, client

    def run(self, dataset, jobs, on_done, should_stop) -> bool:
        # pure=False: every task is submitted and kept, even two with equal arguments.
        futures = self.client.map(train_row, [dataset] * len(jobs), [split for split, _ in jobs],
                                  [settings for _, settings in jobs], retries=DASK_RETRIES, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in self.distributed.as_completed(futures, loop=self.client.loop):
                if should_stop():
                    return True
                on_done(index[future.key], future.result())
        finally:
            self.client.cancel(futures)
        return False


@contextmanager
def open_executor(scheduler, local_cluster, heartbeat):
    """Where the models train, open for as long as the ``with`` block: here, or on a Dask cluster
    (connected to, or started on this machine) that several phases share."""
    if scheduler is None and local_cluster is None:
        yield _InProcess(heartbeat)
        return
    distributed = _import_distributed()
    with ExitStack() as stack:
        if scheduler is not None:
            client = distributed.Client(scheduler.strip(), timeout=DASK_CONNECT_SECONDS, set_as_default=False)
        else:
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=local_cluster, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None))
            client = distributed.Client(cluster, set_as_default=False)
        stack.enter_context(client)
        yield _OnDask(distributed, client)


def counter(progress, total: int, on_row=None):
    """A callback to call with each model's row as it finishes: it calls ``on_row(row)``, then
    ``progress(done, total)``, those given.  A row taken from an earlier run (``resumed``) goes
    to ``on_row`` only: ``total`` counts the models to train.  ``on_done.finish()`` says the run
    ended short of ``total`` with nothing more to do (no setting to retrain): ``progress(done, done)``."""
    done = 0

    def on_done(row, resumed: bool = False):
        nonlocal done
        # The row first: a progress callback may raise to end the caller's run (Streamlit's does),
        # and the row has finished all the same.
        if on_row is not None:
            on_row(row)
        if resumed:
            return
        done += 1
        if progress is not None:
            progress(done, total)

    def finish():
        if progress is not None and done < total:
            progress(done, done)

    on_done.finish = finish
    return on_done


def run_phase(runner, dataset, jobs, on_done, should_stop, done=None) -> tuple[list[dict], bool]:
    """Rows in the order of ``jobs`` (``(split, settings)`` pairs, however the models finished),
    and whether it stopped.  A model whose row ``done`` holds (by ``row_key``) is not trained
    again: its row is taken as it is, first."""
    done = done or {}
    slots = [None] * len(jobs)

    def store(index, row, resumed=False):
        slots[index] = row
        on_done(row, resumed)

    todo = []
    for index, (split, settings) in enumerate(jobs):
        row = done.get(model_key(settings, split))
        if row is None:
            todo.append(index)
        else:
            store(index, row, resumed=True)
    stopped = runner.run(dataset, [jobs[index] for index in todo], lambda i, row: store(todo[i], row), should_stop)
    return [row for row in slots if row is not None], stopped
