"""The dropout masks of the reference loop, one set per iteration; the compiled loop draws the
same masks itself (``compiled._train``)."""

from __future__ import annotations

import numpy as np

from .. import network
from ..settings import Settings


def dropout_masks(settings: Settings, m: int):
    """An endless source of per-iteration masks, or None when dropout is off."""
    if settings.keep_prob == 1.0:
        while True:
            yield None
    hidden = settings.layer_dims
    if settings.dropout_mask == "fixed":
        masks = network.fixed_masks(hidden, m, settings.keep_prob)
        while True:
            yield masks
    # SFC64 keys each iteration's masks: a few integer operations per output, which the compiled loop repeats.
    rng = np.random.Generator(np.random.SFC64(settings.dropout_seed))
    while True:
        yield network.fresh_masks(rng, hidden, m, settings.keep_prob)
