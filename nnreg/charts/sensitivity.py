"""How far each model's run from a start nudged by 10^-12 drifts from the model while both train
(``nnreg.sensitivity``), on a log scale: a chaotic model's drift grows exponentially, a stable
one's stays near the nudge."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ..report.palette import NEUTRAL
from ..sensitivity import CHAOTIC_FROM, STABLE_BELOW, Sensitivity
from ..settings import title
from ..training import TrainResult
from .weights import model_colors

DRIFT_TITLE = "largest ‖ΔW_l‖ / ‖W_l‖"


def drift_frame(sensitivities: Mapping[str, Sensitivity]) -> pd.DataFrame:
    """Columns model, iteration, change: each model's ``Sensitivity.changes`` at its checkpoints,
    those of exactly 0 (identical weights) or not finite left out, which a log scale cannot place."""
    parts = [pd.DataFrame({"model": title(name), "iteration": np.array(found.iterations, dtype=np.int64),
                           "change": np.array(found.changes, dtype=float)})
             for name, found in sensitivities.items()]
    frame = pd.concat(parts, ignore_index=True)
    return frame[np.isfinite(frame["change"]) & (frame["change"] > 0)].reset_index(drop=True)


def drift(results: Mapping[str, TrainResult], sensitivities: Mapping[str, Sensitivity]) -> alt.LayerChart:
    """Each model's drift (``drift_frame``) in its colour (``model_colors`` of ``results``), with
    the verdict's two thresholds as dashed lines: a run ending below the lower one is stable, one
    ending above the upper one chaotic."""
    colors = model_colors(results)
    frame = drift_frame(sensitivities)
    y = alt.Y("change:Q", title=DRIFT_TITLE, scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e"))
    lines = alt.Chart(frame).mark_line(strokeWidth=1.8, point=alt.OverlayMarkDef(size=14)).encode(
        x=alt.X("iteration:Q", title="iteration", axis=alt.Axis(format=",d")), y=y,
        color=alt.Color("model:N", title="model",
                        scale=alt.Scale(domain=[title(name) for name in colors], range=list(colors.values())),
                        legend=alt.Legend(orient="bottom", columns=2 if len(colors) <= 4 else 1, symbolType="stroke",
                                          symbolStrokeWidth=2.5, labelLimit=260)),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("iteration:Q", format=","),
                 alt.Tooltip("change:Q", title=DRIFT_TITLE, format=".1e")])
    thresholds = pd.DataFrame({"change": [STABLE_BELOW, CHAOTIC_FROM],
                               "label": ["stable below", "chaotic from"]})
    rules = alt.Chart(thresholds).mark_rule(color=NEUTRAL, strokeDash=[4, 4]).encode(y=y)
    labels = alt.Chart(thresholds).mark_text(color=NEUTRAL, align="left", baseline="bottom", dx=4, dy=-2).encode(
        y=y, x=alt.value(0), text="label:N")
    return alt.layer(rules, labels, lines)
