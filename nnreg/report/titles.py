"""A model's title on the page and the command line: its name with what it changes."""

from __future__ import annotations

import math

from ..settings import Settings, title
from ..specs import ModelSpec, batch_words, describe
from .formatting import percent_cell


def epochs_text(updates: int, batch_size: int, points: int) -> str:
    """How many epochs ``updates`` mini-batch updates make on ``points`` points: "≈ 4,285.7 epochs of
    211 points", "= 300 epochs of 26 points" (an epoch is ceil(points / batch_size) updates, its
    last batch smaller; a batch of every point is one update an epoch)."""
    epochs = updates / math.ceil(points / batch_size)
    shown = f"= {epochs:,.0f}" if epochs.is_integer() else f"≈ {epochs:,.1f}" if epochs >= 1 else f"≈ {epochs:.2g}"
    return f"{shown} {'epoch' if epochs == 1 else 'epochs'} of {points:,} points"


def model_strength(spec: ModelSpec, settings: Settings, fitted: int | None = None) -> str:
    """What a model changes, in the course's names, e.g. "λ = 0.7" ("" when nothing), and what every
    model shares that changes how it trains: mini-batches (with ``fitted``, the points it fits, how
    many epochs its updates are) and early stopping."""
    parts = [describe(spec)]
    if settings.batch_size is not None:
        if "batch_size" not in dict(spec.changes):
            parts.append(batch_words(settings.batch_size))
        if fitted is not None:
            parts.append(f"each the full batch of its {fitted:,} points" if settings.batch_size >= fitted else
                         f"{settings.num_iterations:,} updates {epochs_text(settings.num_iterations, settings.batch_size, fitted)}")
    if settings.early_stopping and "early stopping" not in parts[0]:
        parts.append(f"early stopping, dev {percent_cell(settings.dev_fraction, 0)}")
    return ", ".join(filter(None, parts))


def model_title(spec: ModelSpec, settings: Settings) -> str:
    """The model's name with what it changes, e.g. "L2 (λ = 0.7)"."""
    name = title(spec.name)
    # "Early stopping (early stopping)" and "Adam + L2 (Adam, ...)" would only repeat the name.
    parts = [part for part in model_strength(spec, settings).split(", ")
             if part and not (name.casefold() + " ").startswith(part.casefold() + " ")]
    return name + (f" ({', '.join(parts)})" if parts else "")


def training_text(settings: Settings, points) -> str:
    """How ``settings`` train where it is not the course's way, for a command's header ("" when it
    is): "optimizer adam, activation tanh, mini-batches of 32: 30,000 updates = 10,000 epochs of
    80 points".  ``points`` is the number of points a model fits (m), or several numbers when
    models fit different numbers (a sweep's dev and retrained ones: "... or ..."; a curve's
    shares: the fewest points' "... to ..." the most's)."""
    course = Settings()
    parts = [f"{field} {getattr(settings, field)}" for field in ("optimizer", "activation")
             if getattr(settings, field) != getattr(course, field)]
    if settings.batch_size is not None:
        counts = sorted(set(points if isinstance(points, (list, tuple, set)) else [points]))
        ends = counts if len(counts) <= 2 else [counts[0], counts[-1]]
        parts.append(f"mini-batches of {settings.batch_size}: {settings.num_iterations:,} updates "
                     + (" or " if len(counts) <= 2 else " to ").join(
                         epochs_text(settings.num_iterations, settings.batch_size, m) for m in ends))
    return ", ".join(parts)
