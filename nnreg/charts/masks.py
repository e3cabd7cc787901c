"""Dropout runs: test accuracy of every run, fixed masks above fresh ones, with each
row's mean and the notebook's single run ringed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ..report.palette import MODEL_COLORS, NEUTRAL
from ..training import TrainResult

NOTEBOOK_RUN = "the notebook's run"
# Each row of "Dropout runs" is a band one unit tall around its number (the first row 0,
# at the top); its dots are spread over MASK_JITTER either side of its middle, leaving a clear gap
# between the rows, shaded bands showing where each row's dots go.
MASK_JITTER = 0.3
MASK_BAND = 0.42


def mask_runs_frame(results: Mapping[str, Sequence[TrainResult]], single: TrainResult) -> pd.DataFrame:
    """Columns masks, row, y, seed, test_accuracy, run: every run of "Dropout runs", and
    the notebook's single run (fixed masks) as a run of its own, at the middle of its row.  ``y``
    is the row's number plus the run's jitter: the runs of a row in their order, spread evenly
    within MASK_JITTER of its middle."""
    rows = []
    for row, (mask, runs) in enumerate(results.items()):
        spread = np.linspace(-MASK_JITTER, MASK_JITTER, len(runs)) if len(runs) > 1 else np.zeros(len(runs))
        rows += [{"masks": mask, "row": row, "y": row + float(offset), "seed": run.settings.seed,
                  "test_accuracy": run.test_accuracy, "run": "init seed"} for run, offset in zip(runs, spread)]
    row = list(results).index("fixed")
    rows.append({"masks": "fixed", "row": row, "y": float(row), "seed": single.settings.seed,
                 "test_accuracy": single.test_accuracy, "run": NOTEBOOK_RUN})
    return pd.DataFrame(rows)


def mask_runs(results: Mapping[str, Sequence[TrainResult]], single: TrainResult) -> alt.LayerChart:
    """Test accuracy of each run, one row of dots per kind of masks (fixed above fresh) in a shaded
    band of its own, with each row's mean as a bar and the notebook's single run ringed."""
    frame = mask_runs_frame(results, single)
    names = list(results)
    # The rows' labels at their middles; the y-axis runs down, the first row at the top.
    y_scale = alt.Scale(domain=[-0.5, len(names) - 0.5], reverse=True, nice=False, zero=False)
    labels = "[" + ", ".join(f"'{name}'" for name in names) + "][datum.value]"
    axis = alt.Axis(values=list(range(len(names))), labelExpr=labels, grid=False, ticks=False, domain=False,
                    labelFontSize=12, labelPadding=6)
    y = alt.Y("y:Q", scale=y_scale, title="dropout masks", axis=axis)
    x = alt.X("test_accuracy:Q", title="test accuracy", axis=alt.Axis(format=".0%", tickMinStep=0.01),
              scale=alt.Scale(zero=False, padding=12))
    band = {"low": f"datum.row - {MASK_BAND}", "high": f"datum.row + {MASK_BAND}"}
    band_y = alt.Y("low:Q", scale=y_scale, title="dropout masks", axis=axis)
    bands = alt.Chart(pd.DataFrame({"row": range(len(names))})).transform_calculate(**band).mark_rect(
        color=NEUTRAL, opacity=0.12).encode(y=band_y, y2="high:Q")
    seeds = frame[frame["run"] != NOTEBOOK_RUN]
    runs = alt.Chart(seeds).mark_circle(size=70, opacity=0.7, color=MODEL_COLORS["dropout"]).encode(
        x=x, y=y, tooltip=[alt.Tooltip("masks:N"), alt.Tooltip("seed:Q", title="init seed"),
                           alt.Tooltip("test_accuracy:Q", format=".1%")])
    # A row's mean: a bar as tall as its band.
    means = alt.Chart(seeds).transform_aggregate(
        mean="mean(test_accuracy)", groupby=["masks", "row"]).transform_calculate(**band).mark_rule(
        strokeWidth=3, color=NEUTRAL).encode(
        x=alt.X("mean:Q"), y=band_y, y2="high:Q",
        tooltip=[alt.Tooltip("masks:N"), alt.Tooltip("mean:Q", title="mean", format=".1%")])
    notebook = alt.Chart(frame[frame["run"] == NOTEBOOK_RUN]).mark_point(
        size=260, shape="diamond", strokeWidth=2.5, color=NEUTRAL, filled=False).encode(
        x=x, y=y, tooltip=[alt.Tooltip("run:N"), alt.Tooltip("seed:Q", title="init seed"),
                           alt.Tooltip("test_accuracy:Q", format=".1%")])
    return alt.layer(bands, runs, means, notebook)
