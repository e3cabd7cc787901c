"""The models a set of control values means, and their names and strengths in the course's words."""

from __future__ import annotations

from collections.abc import Mapping

from .. import limits
from ..settings import STUDY_TITLES, Settings
from ..study import repetitions, study_models
from ..training import fitted_points
from .controls import CONTROLS


def model_settings(values: Mapping) -> dict[str, Settings]:
    """The study's models for these control values (``study.study_models``, as ``reproduce``):
    the course's three, and L1, early stopping and L2 + dropout on request."""
    base = Settings(layer_dims=values["layers"], learning_rate=values["learning_rate"],
                    num_iterations=values["num_iterations"], seed=values["seed"],
                    dropout_mask=values["dropout_mask"], train_fraction=values["train_fraction"],
                    dev_fraction=values["dev_fraction"])
    return study_models(base, lambd=values["lambd"], keep_prob=values["keep_prob"],
                        l1=values["l1"] if values["l1_model"] else None,
                        early_stopping=values["early_stopping_model"], l2_dropout=values["l2_dropout"],
                        stop_early=values["stop_early"])


def model_strength(name: str, settings: Settings) -> str:
    """The model's regularization in the course's names, e.g. "λ = 0.7" ("" for none): the
    strengths its name stands for, and early stopping wherever it is on."""
    strengths = {"l2": [f"λ = {settings.lambd:g}"], "l1": [f"l1 = {settings.l1:g}"],
                 "dropout": [f"keep_prob = {settings.keep_prob:g}"],
                 "l2_dropout": [f"λ = {settings.lambd:g}", f"keep_prob = {settings.keep_prob:g}"]}.get(name, [])
    if settings.early_stopping:
        dev = f"dev {settings.dev_fraction:.0%}"
        strengths.append(dev if name == "early_stopping" else f"early stopping, {dev}")
    return ", ".join(strengths)


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


def data_problem(dataset, models: Mapping[str, Settings]) -> str | None:
    """Why these models cannot train on ``dataset``: a share of its training points (or the dev
    set held out of them) too small to learn from; None if they can.  The shares' sizes are the
    same for every seed, so one run per model tells."""
    for settings in models.values():
        try:
            fitted_points(dataset, settings)
        except ValueError as error:
            return str(error)
    return None
