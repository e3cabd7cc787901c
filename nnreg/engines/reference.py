"""The reference engine: the course's training loop in NumPy, one equation per line of
``network``.  The compiled engine (``compiled.py``) is checked against it."""

from __future__ import annotations

import numpy as np

from .. import network
from ..settings import Settings
from .masks import dropout_masks
from .record import Record, StopFlag, TrainingStopped


def _all_finite(parameters) -> bool:
    return all(np.isfinite(value).all() for value in parameters.values())


def numpy_loop(X, Y, parameters, settings: Settings, stop: StopFlag | None = None) -> Record:
    """The reference loop: the course's model() with every regularizer allowed at once."""
    lambd, keep_prob = settings.lambd, settings.keep_prob
    masks_source = dropout_masks(settings, X.shape[1])
    record = Record(parameters, [], [], [], None)
    # Overflow is detected below and reported as divergence, so NumPy need not warn about it.
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(settings.num_iterations):
            if stop is not None and stop.is_set():
                raise TrainingStopped("training was stopped before it finished")
            masks = next(masks_source)
            ZL, activations = network.forward(X, parameters, keep_prob, masks)
            if not np.isfinite(ZL).all():
                record.diverged_at = i + 1
                break
            if i % settings.record_every == 0:
                objective = (network.cross_entropy(ZL, Y)
                             + network.penalty(parameters, lambd, settings.l1, X.shape[1]))
                record.record_iterations.append(i)
                record.objectives.append(objective)
                record.snapshots.append(parameters)
            grads = network.backward(Y, parameters, ZL, activations, lambd, keep_prob, masks)
            updated = network.update_parameters(parameters, grads, settings.learning_rate, settings.l1, X.shape[1])
            if not _all_finite(updated):
                # Keep the last finite parameters: a result must never carry NaN or inf.
                record.diverged_at = i + 1
                break
            parameters = updated
    record.parameters = parameters
    return record
