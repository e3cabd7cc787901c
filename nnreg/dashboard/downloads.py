"""What the page offers to download: a model's weights, the settings that reproduce the view."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import numpy as np

from .. import data
from ..settings import Settings
from ..training import TrainResult
from .models import seed_runs


def weights_npz(result: TrainResult) -> bytes:
    """The model's parameters under the course's names (W1, b1, ...), as .npz file content."""
    buffer = io.BytesIO()
    np.savez(buffer, **result.parameters)
    return buffer.getvalue()


def settings_json(values: Mapping, dataset: data.Dataset, models: Mapping[str, Settings], n_seeds: int) -> str:
    """Everything needed to reproduce the page: control values, the dataset, every model's settings."""
    controls = {key: list(value) if isinstance(value, tuple) else value for key, value in values.items()}
    return json.dumps({
        "controls": controls,
        "dataset": {"name": dataset.name, "fingerprint": dataset.fingerprint,
                    "train_points": len(dataset.train_Y), "test_points": len(dataset.test_Y)},
        "models": {name: [run.to_dict() for run in seed_runs(settings, n_seeds)]
                   for name, settings in models.items()},
    }, indent=2)
