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


def batches(m: int, settings: Settings):
    """Each update's training points: all m (``batch_size`` None, the course's full batch), or
    consecutive mini-batches of a seeded shuffle of the m points (``network.batch_order``), a new
    shuffle each epoch, the last batch of an epoch smaller."""
    epoch = 0
    while True:
        if settings.batch_size is None or settings.batch_size >= m:
            yield slice(None)
            continue
        order = network.batch_order(m, settings.seed, epoch)
        for start in range(0, m, settings.batch_size):
            yield order[start: start + settings.batch_size]
        epoch += 1


def numpy_loop(X, Y, parameters, settings: Settings, stop: StopFlag | None = None) -> Record:
    """The reference loop: the course's model() with every regularizer allowed at once, any
    hidden activation, full batch or mini-batches, and gradient descent, momentum or Adam."""
    lambd, keep_prob, activation = settings.lambd, settings.keep_prob, settings.activation
    m = X.shape[1]
    masks_source = dropout_masks(settings, m)
    batch_source = batches(m, settings)
    state = network.initialize_optimizer(parameters, settings.optimizer)
    record = Record(parameters, [], [], [], None)
    # Overflow is detected below and reported as divergence, so NumPy need not warn about it.
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(settings.num_iterations):
            if stop is not None and stop.is_set():
                raise TrainingStopped("training was stopped before it finished")
            # Every update draws masks for all m points; a mini-batch uses its points' columns, so
            # a point's mask at an update does not depend on the batches.
            masks = next(masks_source)
            batch = next(batch_source)
            if i % settings.record_every == 0:
                ZL_all, _ = network.forward(X, parameters, keep_prob, masks, activation)
                if not np.isfinite(ZL_all).all():
                    record.diverged_at = i + 1
                    break
                objective = network.cross_entropy(ZL_all, Y) + network.penalty(parameters, lambd, settings.l1, m)
                record.record_iterations.append(i)
                record.objectives.append(objective)
                record.snapshots.append(parameters)
            batch_masks = None if masks is None else [mask[:, batch] for mask in masks]
            ZL, activations = network.forward(X[:, batch], parameters, keep_prob, batch_masks, activation)
            if not np.isfinite(ZL).all():
                record.diverged_at = i + 1
                break
            grads = network.backward(Y[:, batch], parameters, ZL, activations, lambd, keep_prob, batch_masks,
                                     activation, m)
            updated, state = network.optimizer_step(parameters, grads, state, settings.optimizer,
                                                    settings.learning_rate, i + 1, settings.weight_decay,
                                                    settings.l1, m)
            if not _all_finite(updated):
                # Keep the last finite parameters: a result must never carry NaN or inf.
                record.diverged_at = i + 1
                break
            parameters = updated
    record.parameters = parameters
    return record
