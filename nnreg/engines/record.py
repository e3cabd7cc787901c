"""What both engines share: the record a training loop returns and the flag that stops it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Record:
    """What either engine's loop hands back; ``training`` derives the history from it.

    ``snapshots[j]`` are the parameters after ``record_iterations[j]`` updates and
    ``objectives[j]`` the training objective of the forward pass that followed them
    (the thinned network's cost when dropout is on).
    """

    parameters: dict[str, np.ndarray]
    record_iterations: list[int]
    objectives: list[float]
    snapshots: list[dict[str, np.ndarray]]
    diverged_at: int | None


class TrainingStopped(Exception):
    """Training was stopped through its ``StopFlag`` before it finished; nothing was kept."""


class StopFlag:
    """Asks training loops to stop: both engines look at it before every iteration, so a model
    stops within one iteration of ``set()`` (microseconds to milliseconds), from any thread."""

    def __init__(self):
        # An array, so that the compiled loop reads the same byte this object writes.
        self.array = np.zeros(1, np.uint8)

    def set(self) -> None:
        self.array[0] = 1

    def is_set(self) -> bool:
        return bool(self.array[0])
