"""What the page offers to download: a model's weights, the settings that reproduce the view."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence

import numpy as np

from .. import data
from ..settings import Settings
from ..specs import ModelSpec, parse_specs_kept
from ..training import TrainResult
from .controls import CONTROLS, parse_value, shown_value
from .models import seed_runs


def weights_npz(result: TrainResult) -> bytes:
    """The model's parameters under the course's names (W1, b1, ...), as .npz file content; with
    standardized inputs also ``input_mean`` and ``input_scale``, which a raw point x goes through
    first: W1 @ ((x - input_mean) / input_scale) + b1."""
    buffer = io.BytesIO()
    scaling = {} if result.input_mean is None else {"input_mean": result.input_mean, "input_scale": result.input_scale}
    np.savez(buffer, **result.parameters, **scaling)
    return buffer.getvalue()


def settings_json(values: Mapping, dataset: data.Dataset, specs: Sequence[ModelSpec], models: Mapping[str, Settings],
                  n_seeds: int) -> str:
    """Everything needed to reproduce the page: control values, the list of models (as in a link),
    the dataset, every model's runs' settings.  ``read_settings`` loads it back."""
    controls = {key: list(value) if isinstance(value, tuple) else value for key, value in values.items()}
    return json.dumps({
        "controls": controls,
        "model_list": [str(spec) for spec in specs],
        "dataset": {"name": dataset.name, "fingerprint": dataset.fingerprint,
                    "train_points": len(dataset.train_Y), "test_points": len(dataset.test_Y)},
        "models": {name: [run.to_dict() for run in seed_runs(settings, n_seeds)]
                   for name, settings in models.items()},
    }, indent=2)


def read_settings(content: bytes, choices: list[str]) -> tuple[dict[str, object], list[ModelSpec], list[str]]:
    """A ``settings_json`` file loaded back: the control values it sets (each read as a link's
    would be), its list of models, and a message for each part that cannot be used (the rest is
    kept).  A file that is not such a document is a ValueError naming the problem."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a settings file: it is not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("controls"), dict) \
            or not isinstance(document.get("model_list"), list):
        raise ValueError("not a settings file: it needs 'controls' and 'model_list', as the page's "
                         "Settings (JSON) download has them")
    values, problems = {}, []
    for key, value in document["controls"].items():
        if key not in CONTROLS:
            problems.append(f"`{key}` is not a control of this page and was not used.")
            continue
        text = shown_value(key, tuple(value) if isinstance(value, list) else value)
        try:
            values[key] = parse_value(key, text, choices)
        except ValueError as error:
            problems.append(f"`{key}={text}` was not used: {error}.")
    specs, spec_problems = parse_specs_kept(map(str, document["model_list"]))
    if not specs:
        raise ValueError("not a settings file the page can use: none of its models can be read ("
                         + "; ".join(spec_problems) + ")")
    return values, specs, problems + spec_problems
