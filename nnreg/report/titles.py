"""A model's title on the page and the command line: its name with what it changes."""

from __future__ import annotations

from ..settings import Settings, title
from ..specs import ModelSpec, describe
from .formatting import percent_cell


def model_strength(spec: ModelSpec, settings: Settings) -> str:
    """What a model changes, in the course's names, e.g. "λ = 0.7" ("" when nothing), and early
    stopping where every model stops early."""
    strength = describe(spec)
    if settings.early_stopping and "early stopping" not in strength:
        strength = ", ".join(filter(None, [strength, f"early stopping, dev {percent_cell(settings.dev_fraction, 0)}"]))
    return strength


def model_title(spec: ModelSpec, settings: Settings) -> str:
    """The model's name with what it changes, e.g. "L2 (λ = 0.7)"."""
    strength = model_strength(spec, settings)
    # "Early stopping (early stopping)" would only repeat the name.
    return title(spec.name) + (f" ({strength})" if strength and strength != spec.name.lower() else "")
