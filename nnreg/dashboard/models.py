"""The models a page compares: a list of named specs (``nnreg.specs``) on the shared settings of
the controls, how the list is edited as a table, and how older links that set λ and keep_prob
are read."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from .. import limits
from ..settings import Settings, title
from ..specs import (DEFAULT_SPECS, SPEC_KEYS, ModelSpec, kept_specs, parse_specs, spec_from_fields,
                     spec_settings, spec_text, specs_from_settings)
from ..study import repetitions, study_models
from ..training import fitted_points
from .controls import CONTROLS


def shared_settings(values: Mapping) -> Settings:
    """What every model shares, from the controls' values: the network, training and data share."""
    return Settings(layer_dims=values["layers"], activation=values["activation"], learning_rate=values["learning_rate"],
                    optimizer=values["optimizer"], batch_size=values["batch_size"],
                    num_iterations=values["num_iterations"], seed=values["seed"],
                    dropout_mask=values["dropout_mask"], train_fraction=values["train_fraction"],
                    dev_fraction=values["dev_fraction"], early_stopping=values["stop_early"])


def model_settings(specs: Sequence[ModelSpec], values: Mapping) -> dict[str, Settings]:
    """Each model's settings by its name: its spec's changes on the shared settings."""
    return spec_settings(specs, shared_settings(values))


def first_using(models: Mapping[str, Settings], field: str) -> tuple[str, Settings] | None:
    """The first model (name, settings) that uses a regularizer: ``field`` "lambd" or "l1" above
    0, or "keep_prob" below 1; None if no model does."""
    for name, settings in models.items():
        if (getattr(settings, field) < 1) if field == "keep_prob" else (getattr(settings, field) > 0):
            return name, settings
    return None


def seed_runs(settings: Settings, n_seeds: int) -> list[Settings]:
    """The runs of a model: one with the chosen init seed, or with several seeds init seeds
    0..n_seeds-1 as ``reproduce --seeds n_seeds`` trains them (``study.repetitions``)."""
    return repetitions(settings, None if n_seeds == 1 else n_seeds)


def default_values() -> dict:
    """Every control at its default, as the models read them (hidden layers as a tuple)."""
    values = {key: control.default for key, control in CONTROLS.items()}
    values["layers"] = limits.parse_layers(values["layers"])
    return values


def default_runs() -> list[Settings]:
    """Every run the page trains for a visitor with no values in the link: the course's three."""
    values = default_values()
    return [run for settings in model_settings(parse_specs(DEFAULT_SPECS), values).values()
            for run in seed_runs(settings, values["n_seeds"])]


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


# --- The list as a table: one row per model, an empty cell meaning "as shared" -------------------
EDITOR_COLUMNS = ("name", *SPEC_KEYS)


def specs_frame(specs: Sequence[ModelSpec]) -> pd.DataFrame:
    """The list as the page's table shows it: a column per key, each value as text with every
    digit (typed cells reach the page as typed: "1e9" and "abc" are named, not changed), empty
    where a model keeps the shared value (early_stopping: False)."""
    rows = []
    for spec in specs:
        changes = dict(spec.changes)
        row = {"name": spec.name, "early_stopping": bool(changes.pop("early_stopping", False))}
        rows.append(row | {key: spec_text(value, key) for key, value in changes.items()})
    frame = pd.DataFrame(rows, columns=list(EDITOR_COLUMNS))
    # Types the editor's columns can hold even where every cell is empty.
    return frame.astype({key: "bool" if key == "early_stopping" else "string" for key in EDITOR_COLUMNS})


def edited_frame(frame: pd.DataFrame, edits: Mapping) -> pd.DataFrame:
    """``frame`` with a table editor's edits applied (``st.data_editor``'s state: ``edited_rows``
    by row, then ``deleted_rows``, then ``added_rows`` at the end), as the editor shows it."""
    frame = frame.copy()
    for row, changes in edits.get("edited_rows", {}).items():
        for column, value in changes.items():
            frame.loc[int(row), column] = value
    frame = frame.drop(index=[int(row) for row in edits.get("deleted_rows", [])])
    added = pd.DataFrame(list(edits.get("added_rows", [])), columns=frame.columns)
    return pd.concat([frame, added], ignore_index=True) if len(added) else frame.reset_index(drop=True)


def _cell(value) -> str | None:
    """A table cell's text, or None where it is empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def frame_specs(frame: pd.DataFrame) -> tuple[list[ModelSpec], list[str]]:
    """The models of an edited table and a message for each row that cannot be used (the others
    are kept); rows left wholly empty, as a newly added one is, are skipped.  Each cell is read
    by its own column's rules, so a cell cannot set another column's value."""
    readers = []
    for row in frame.to_dict("records"):
        cells = {key: _cell(row.get(key)) for key in EDITOR_COLUMNS}
        if cells["early_stopping"] in ("False", "false"):
            cells["early_stopping"] = None
        if not any(cells.values()):
            continue
        name = cells.pop("name") or ""
        fields = {key: text for key, text in cells.items() if text is not None}
        written = name + (":" + ",".join(f"{key}={text}" for key, text in fields.items()) if fields else "")
        readers.append((written, lambda name=name, fields=fields, written=written:
                        spec_from_fields(name, fields, written)))
    return kept_specs(readers)


# --- Links from before the list: lambd, keep_prob and the optional models as controls ------------
LEGACY_KEYS = ("lambd", "keep_prob", "l1", "l1_model", "early_stopping_model", "l2_dropout")
_LEGACY_NUMBERS = ("lambd", "keep_prob", "l1")


def legacy_specs(params: Mapping[str, str]) -> tuple[list[ModelSpec] | None, list[str]]:
    """The list an older link means (``?lambd=0.3&l2_dropout=true``: the course's models with those
    strengths and the optional ones it switched on), and a message for each value it cannot use;
    (None, []) for a link without such values."""
    if not any(key in params for key in LEGACY_KEYS):
        return None, []
    values = {"lambd": 0.7, "keep_prob": 0.86, "l1": 0.1, "l1_model": False, "early_stopping_model": False,
              "l2_dropout": False}
    problems = []
    for key in LEGACY_KEYS:
        if key not in params:
            continue
        text = str(params[key])
        try:
            if key in _LEGACY_NUMBERS:
                values[key] = limits.read(key, text)
            else:
                values[key] = limits.parse_flag(text, key)
        except ValueError as error:
            problems.append(f"The link's `{key}={text}` was not used: {error}.")
    models = study_models(Settings(), lambd=values["lambd"], keep_prob=values["keep_prob"],
                          l1=values["l1"] if values["l1_model"] else None,
                          early_stopping=values["early_stopping_model"], l2_dropout=values["l2_dropout"])
    return specs_from_settings({title(name): settings for name, settings in models.items()}, Settings()), problems
