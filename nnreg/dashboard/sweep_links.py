"""The Sweep page's links: its own (every field of its form, read before the widgets exist), and
the main page's (a setting of a sweep opened there as a model beside the course's three).

Both pages share the URL's query parameters.  The Sweep page's are its widget keys, each starting
with ``sweep_``; the main page's are ``nnreg.dashboard.CONTROLS``' keys and ``model``, repeated,
one model each in the syntax of ``nnreg.specs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import pandas as pd

from .. import data, network
from ..charts import SYMBOLS
from ..limits import format_number, parse_flag, parse_layers, read
from ..specs import DEFAULT_SPECS, MAX_NAME, ModelSpec
from ..settings import Settings
from ..sweeps import GRID_FIELDS, shown_fields
from ..sweeps.grid import with_optional_fields
from .controls import UPLOAD, dataset_choices, parse_value, shown_value

PREFIX = "sweep_"
# Where the Sweep page is served: frame.py's url_path for it, at the app's root as the main page.
SWEEP_PAGE = "/sweep"
# Each field of a sweep request by its label on the page, for messages.
LABELS = {"lambd": "λ values", "l1": "L1 values", "weight_decay": "Weight decay values",
          "keep_prob": "keep_prob values", "hidden": "Hidden layer sizes", "activation": "Activation",
          "optimizer": "Optimizer", "batch_size": "Batch size",
          "learning_rate": "Learning rate", "num_iterations": "Iterations", "seeds": "Seeds",
          "dev_fraction": "Dev fraction", "train_fraction": "Training-set fractions", "folds": "Folds",
          "dev_seed": "Dev seed", "standardize": "Standardize inputs"}
# The standardize choice as the page offers it, and the request's text for each ("" the data's own:
# on for an analyst's table, off for data in the course's layout).
STANDARDIZE = {"data's default": "", "on": "on", "off": "off"}
# The form's number fields, typed as text, by their key (less the prefix): the request field they
# fill (LABELS' key) and the range of nnreg.limits that reads them.
NUMBER_FIELDS = {"seeds": ("seeds", "n_seeds"), "iterations": ("num_iterations", "num_iterations"),
                 "learning_rate": ("learning_rate", "learning_rate"), "folds": ("folds", "folds"),
                 "dev_seed": ("dev_seed", "dev_seed")}
# The fields the main page has too, read by its rules (nnreg.dashboard.CONTROLS).
CONTROL_FIELDS = ("data", "n_points", "noise", "data_seed", "test_fraction", "drop_missing", "dropout_mask",
                  "dev_fraction")
# The choices of how the models train, as the page offers them.
TRAINING_CHOICES = {"activation": network.ACTIVATIONS, "optimizer": network.OPTIMIZERS}
# Switches, and the choice of what the page shows.
TOGGLES = ("test_all",)
SOURCE = "source"


def check_link(params: Mapping[str, str], sources: Sequence[str]) -> dict[str, str]:
    """A message for each of the Sweep page's link values its field cannot take, by key (the
    other parameters are the main page's, left alone).  The grid's text fields (its values, the
    fractions, the hidden layers) take any text, which the checks on Run read; ``sources`` are
    the choices of what the page shows."""
    problems = {}
    for key, text in params.items():
        if not key.startswith(PREFIX):
            continue
        try:
            _check_field(key.removeprefix(PREFIX), str(text), sources)
        except ValueError as error:
            problems[key] = f"The link's `{key}={text}` was not used: {error}. The field starts from its default."
    return problems


def _check_field(name: str, text: str, sources: Sequence[str]) -> None:
    if name in CONTROL_FIELDS:
        parse_value(name, text, dataset_choices())
    elif name in NUMBER_FIELDS:
        field, limit = NUMBER_FIELDS[name]
        read(limit, text, LABELS[field])
    elif name in TOGGLES:
        parse_flag(text, name)
    elif name in TRAINING_CHOICES and text not in TRAINING_CHOICES[name]:
        raise ValueError(f"{LABELS[name]} must be one of {', '.join(TRAINING_CHOICES[name])}, got {text!r}")
    elif name == "standardize" and text not in STANDARDIZE:
        raise ValueError(f"{LABELS['standardize']} must be one of {', '.join(STANDARDIZE)}, got {text!r}")
    elif name == SOURCE and text not in sources:
        raise ValueError(f"{name} must be one of {', '.join(sources)}, got {text!r}")


def setting_name(setting: Mapping[str, float], fields: Sequence[str] | None = None) -> str:
    """A grid setting as the page names it, "λ=0.1/L1=0/keep_prob=0.86": by ``fields``, its sweep's
    ``shown_fields`` (by default the setting's own: "/wd=0.01" only with weight decay on); a name too
    long for a model's (``nnreg.specs.MAX_NAME``, values of many digits) is cut, its values kept
    whole in the model's keys."""
    fields = fields or shown_fields({field: [value] for field, value in setting.items()})
    name = "/".join(f"{SYMBOLS[field]}={setting[field]:g}" for field in fields)
    return name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"


def _data_params(name: str) -> dict[str, str]:
    # A synthetic set's name carries its options, "moons:n_points=400,noise=0.1,seed=0"
    # (nnreg.data.make_dataset's); a file neither built in nor in data/, or a name no generator
    # reads, must be uploaded there.
    try:
        synthetic = data.parse_synthetic(name)
    except data.DatasetError:
        return {"data": UPLOAD}
    if synthetic is None:
        return {"data": name if name in dataset_choices() else UPLOAD}
    kind, options = synthetic
    keys = {"n_points": "n_points", "noise": "noise", "seed": "data_seed"}
    return {"data": kind, **{keys[key]: format_number(value) for key, value in options.items()}}


def _training_changes(row) -> tuple[tuple[str, object], ...]:
    """A sweep row's activation, optimizer and batch size as a model's spec changes, where not the
    course's (a file without the columns: the course's)."""
    course = Settings()
    changes = []
    for key in ("activation", "optimizer"):
        if key in row and pd.notna(row[key]) and str(row[key]) != getattr(course, key):
            changes.append((key, str(row[key])))
    if "batch_size" in row and pd.notna(row["batch_size"]):
        changes.append(("batch_size", int(row["batch_size"])))
    return tuple(changes)


def main_page_query(rows: pd.DataFrame, setting: Mapping[str, float]) -> str:
    """The main page's query string that opens the course's three models (``DEFAULT_SPECS``) and,
    after them, ``setting`` (a value per GRID_FIELDS) of a sweep's ``rows``, named by
    ``setting_name`` as the sweep shows its settings, on the data and with the network, learning
    rate, iterations, dropout masks and share of the training points its models had, over as many
    seeds: a sweep's seeds are 0 to N − 1 with the dropout seed following the init seed, as the
    main page's are, and one seed is the main page's init seed.  The activation, optimizer and
    batch size its models had go with the model where they are not the course's.  A column a
    results file lacks leaves that setting out; rows and a setting without weight decay had none."""
    rows = with_optional_fields(rows)
    setting = {field: float(setting.get(field, getattr(Settings(), field))) for field in GRID_FIELDS}
    at = rows[rows[list(GRID_FIELDS)].eq([setting[field] for field in GRID_FIELDS]).all(axis=1)]
    if at.empty:
        raise ValueError(f"no rows have {setting_name(setting)}")
    changes = tuple((key, setting[key]) for key in shown_fields({key: [setting[key]] for key in GRID_FIELDS}))
    first = at.iloc[0]
    changes += _training_changes(first)
    if "standardized" in at and pd.notna(first["standardized"]):
        # As its models were: a sweep may have standardized data the main page would leave raw.
        changes += (("standardize", bool(first["standardized"])),)
    model = ModelSpec(setting_name(setting, shown_fields(rows)), changes)
    params = {"model": [*DEFAULT_SPECS, str(model)]}
    if "dataset" in at:
        params.update(_data_params(str(first["dataset"])))
    if "layer_dims" in at:
        params["layers"] = shown_value("layers", parse_layers(str(first["layer_dims"])))
    for key in ("learning_rate", "num_iterations", "dropout_mask", "train_fraction"):
        if key in at and pd.notna(first[key]):
            params[key] = shown_value(key, first[key])
    seeds = sorted(set(at["seed"]))
    params["n_seeds"] = len(seeds)
    if len(seeds) == 1:
        params["seed"] = int(seeds[0])
    return urlencode(params, doseq=True)
