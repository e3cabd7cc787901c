"""Trained models shared by every session of a server, and the engine's warm-up."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from .. import data
from ..settings import Settings
from ..training import NUMBA_AVAILABLE, TrainResult, as_finished, train_many


# A course model holds about 20 kB (127 parameters and a 300-row history), so the entry bound
# keeps a few MB; the byte bound is for the largest networks the controls allow (10 hidden layers
# of 500 units hold 18 MB of weights), a share a Community Cloud app's 1 GB can spare.
CACHE_ENTRIES = 256
CACHE_BYTES = 256 * 2**20


def result_bytes(result: TrainResult) -> int:
    """The memory a trained model holds: its parameters, its checkpoints, its points and its history."""
    return (sum(value.nbytes for value in result.parameters.values())
            + sum(index.nbytes for index in (result.train_index, result.dev_index) if index is not None)
            + sum(value.nbytes for kept in result.checkpoints.values() for value in kept.values())
            + int(result.history.memory_usage(index=True).sum()))


class ModelCache:
    """Trained models shared by every session of a server, by dataset fingerprint and Settings.

    Models it lacks are trained together by ``train_many`` (one per core), then kept, so going
    back to an earlier setting is a lookup.  Streamlit runs each session's script on its own
    thread, hence the lock; beyond ``max_entries`` models or ``max_bytes`` the least recently
    used are dropped.  Models are shared, not copied, so their arrays are made read-only.  A
    model that one session is training is not trained again by another: a class opening the
    same link at once waits for one training, not thirty.  With ``nudge`` above 0 it trains and
    keeps the models from their nudged starts instead (``nnreg.sensitivity``).
    """

    def __init__(self, max_entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES, nudge: float = 0.0):
        self.max_entries, self.max_bytes, self.nudge = max_entries, max_bytes, nudge
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, Settings], tuple[TrainResult, int]] = OrderedDict()
        self._bytes = 0
        # Models being trained, by key: the future is set when the session training them ends.
        self._training: dict[tuple[str, Settings], Future] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return self._bytes

    def get(self, fingerprint: str, settings: Settings) -> TrainResult | None:
        key = (fingerprint, settings)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, fingerprint: str, settings: Settings, result: TrainResult) -> None:
        for parameters in (result.parameters, *result.checkpoints.values()):
            for value in parameters.values():
                value.setflags(write=False)
        for index in (result.train_index, result.dev_index):
            if index is not None:
                index.setflags(write=False)
        key, size = (fingerprint, settings), result_bytes(result)
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (result, size)
            self._bytes += size
            # A model larger than the whole bound evicts everything, itself included.
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def missing(self, dataset: data.Dataset, runs: Sequence[Settings]) -> list[Settings]:
        """The distinct settings among ``runs`` that have no model yet."""
        return [run for run in dict.fromkeys(runs) if self.get(dataset.fingerprint, run) is None]

    def results(self, dataset: data.Dataset, runs: Sequence[Settings],
                progress: Callable[[int, int], None] | None = None,
                heartbeat: Callable[[], None] | None = None) -> list[TrainResult]:
        """One model per run, in order: those kept as they are, those another session is
        training when they are done, the others trained now, together.

        ``progress(done, total)`` is called after each model trained or waited for, and
        ``heartbeat()`` about every ``training.HEARTBEAT_SECONDS`` meanwhile.  If either raises
        (the page reran or closed), the models this call trains stop within an iteration and the
        sessions waiting for them train them themselves.  Every model is held here from the
        start, so another session filling the cache meanwhile cannot lose one.
        """
        fingerprint = dataset.fingerprint
        found, ours, theirs = {}, {}, {}
        with self._lock:
            for run in dict.fromkeys(runs):
                key = (fingerprint, run)
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[run] = self._entries[key][0]
                elif key in self._training:
                    theirs[run] = self._training[key]
                else:
                    ours[run] = self._training[key] = Future()
        total = len(ours) + len(theirs)

        def report(done: int, _ours: int = 0) -> None:
            # Counts over everything this call lacked, not only what it trains itself.
            if progress is not None:
                progress(done, total)

        try:
            if ours:
                for run, result in zip(ours, train_many(dataset, list(ours), progress=report, heartbeat=heartbeat,
                                                          nudge=self.nudge)):
                    self.put(fingerprint, run, result)
                    found[run] = result
                    ours[run].set_result(result)
        finally:
            # Stopped or failed: sessions waiting for these models are told to train them themselves.
            with self._lock:
                for run, future in ours.items():
                    # cancel() alone does not wake threads in wait(); this does.
                    if future.cancel():
                        future.set_running_or_notify_cancel()
                    self._training.pop((fingerprint, run), None)
        pending = {future: run for run, future in theirs.items()}
        for future, run in as_finished(pending, heartbeat):
            found[run] = (self.results(dataset, [run], heartbeat=heartbeat)[0] if future.cancelled()
                          else future.result())
            report(total - len(pending))
        return [found[run] for run in runs]


def _warm_up() -> None:
    from ..engines import compiled  # imported here, on the background thread: loading Numba takes a moment

    compiled.warm_up()


def warm_up_in_background() -> threading.Thread | None:
    """Start compiling the training kernel (or loading it from Numba's disk cache) on a daemon
    thread, so the page can say that it is compiling rather than wait on it silently.  None
    when Numba is not installed: there is nothing to compile then."""
    if not NUMBA_AVAILABLE:
        return None
    thread = threading.Thread(target=_warm_up, name="nnreg-warm-up", daemon=True)
    thread.start()
    return thread
