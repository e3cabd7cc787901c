"""The models a set of control values means, and their names and strengths in the course's words."""

from __future__ import annotations

from collections.abc import Mapping

from .. import limits
from ..settings import STUDY_TITLES, Settings
from ..study import repetitions
from .controls import CONTROLS


def model_settings(values: Mapping) -> dict[str, Settings]:
    """The study's models for these control values: the course's three, and L2 + dropout on request."""
    base = Settings(layer_dims=values["layers"], learning_rate=values["learning_rate"],
                    num_iterations=values["num_iterations"], seed=values["seed"],
                    dropout_mask=values["dropout_mask"])
    models = {
        "none": base,
        "l2": base.replace(lambd=values["lambd"]),
        "dropout": base.replace(keep_prob=values["keep_prob"]),
    }
    if values["l2_dropout"]:
        models["l2_dropout"] = base.replace(lambd=values["lambd"], keep_prob=values["keep_prob"])
    return models


def model_strength(name: str, settings: Settings) -> str:
    """The model's regularization strength in the course's names, e.g. "λ = 0.7" ("" for none)."""
    lambd, keep_prob = f"λ = {settings.lambd:g}", f"keep_prob = {settings.keep_prob:g}"
    return {"none": "", "l2": lambd, "dropout": keep_prob, "l2_dropout": f"{lambd}, {keep_prob}"}[name]


def model_title(name: str, settings: Settings) -> str:
    """The model's name with its strength, e.g. "L2 (λ = 0.7)"."""
    strength = model_strength(name, settings)
    return STUDY_TITLES[name] + (f" ({strength})" if strength else "")


def seed_runs(settings: Settings, n_seeds: int) -> list[Settings]:
    """The runs of a model: one with the chosen init seed, or with several seeds init seeds
    0..n_seeds-1 as ``reproduce --seeds n_seeds`` trains them (``study.repetitions``)."""
    return repetitions(settings, None if n_seeds == 1 else n_seeds)


def default_runs() -> list[Settings]:
    """Every run the page trains for a visitor with no values in the link: its controls' defaults."""
    values = {key: control.default for key, control in CONTROLS.items()}
    values["layers"] = limits.parse_layers(values["layers"])
    return [run for settings in model_settings(values).values() for run in seed_runs(settings, values["n_seeds"])]
