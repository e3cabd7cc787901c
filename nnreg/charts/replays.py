"""The training replayed from its checkpoints: per model the boundary, ‖W_l‖ per layer (on one
scale for every model) and the accuracy curves at the slider's iteration.

The replay sends every checkpoint's picture once and scrubs through them with a Vega-Lite
parameter bound to a slider: moving it redraws in the browser, with no request to the server.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ..data import Dataset
from ..network import predict_proba, probabilities
from ..report.formatting import percent_cell
from ..report.palette import NEUTRAL, SPLIT_COLORS
from ..settings import title
from ..study import checkpoint_accuracies
from ..training import TrainResult
from .boundary import boundary_height, region_colors
from .curves import curve_domains
from .field import Pair, field_corners, field_image, field_points, points_frame, points_layer, slice_title
from .pictures import png_url

# The replay's pictures: 80 pixels a side, stretched to the boundary's 200 (the probability is
# smooth, so the picture stays sharp enough), with P(label 1) rounded to 1/64: colour steps under
# 4 of 255, not seen, and a third smaller.  About 4.4 KB each as sent, 270 KB a model.
REPLAY_RESOLUTION = 80
REPLAY_LEVELS = 64
# The replay's parameter, on its slider: the iteration shown; each model shows its last checkpoint
# at or before it.
ITERATION = "iteration"
# Playing shows each checkpoint this long: the course's 61 in about 15 s.
FRAME_MS = 250
NORM_HEIGHT = 70
CURVE_HEIGHT = 90
# A model's panel: its plots this wide, three panels to a row, which with their axes fill the
# 820-pixel page beside the sidebar at 1280 (and a fourth model starts a second row).
REPLAY_WIDTH = 170
REPLAY_COLUMNS = 3
REPLAY_SPACING = 16


def replay_frame(result: TrainResult, dataset: Dataset, resolution: int = REPLAY_RESOLUTION,
                 end: int | None = None, pair: Pair | None = None) -> pd.DataFrame:
    """One row per checkpoint of ``result``: ``study.checkpoint_accuracies``' columns, ‖W_l‖ per
    layer (columns norm_W1, ...), the boundary as a PNG data URL (column url), and the slider's
    iterations that show it, from ``iteration`` up to, not including, ``until``: the next
    checkpoint's, or for the last one the slider's ``end`` (by default its own last iteration) + 1."""
    points = result.network_inputs(field_points(dataset, resolution, pair))
    k = dataset.n_classes
    urls, norms = [], []
    for iteration in result.checkpoint_iterations:
        parameters = result.checkpoints[iteration]
        # P(label 1) for two classes; P(class j) in a last axis for more, as the boundary paints them.
        p = predict_proba(points, parameters) if k == 2 else probabilities(points, parameters).T
        field = (np.round(p * REPLAY_LEVELS) / REPLAY_LEVELS).reshape(resolution, resolution, *p.shape[1:])
        urls.append(png_url(region_colors(field, k)))
        norms.append({f"norm_{name}": float(np.linalg.norm(value)) for name, value in parameters.items()
                      if name.startswith("W")})
    frame = pd.concat([checkpoint_accuracies(result, dataset), pd.DataFrame(norms)], axis=1).assign(url=urls)
    iterations = frame["iteration"].tolist()
    return frame.assign(until=[*iterations[1:], max(iterations[-1], end or 0) + 1])


def replay_steps(results: Mapping[str, TrainResult]) -> tuple[int, int]:
    """The slider's step and the play button's stride, in iterations: the step divides every
    model's checkpoint iterations (the greatest common divisor), so the slider reaches each of
    them exactly; the stride is the longest run's spacing, so playing takes its CHECKPOINTS steps
    whatever the step."""
    iterations = [int(iteration) for result in results.values() for iteration in result.checkpoint_iterations]
    longest = max(results.values(), key=lambda result: result.checkpoint_iterations[-1]).checkpoint_iterations
    stride = int(longest[1] - longest[0]) if len(longest) > 1 else 1
    return max(1, math.gcd(*iterations)), stride


def replay_param(last: int, step: int) -> alt.Parameter:
    """The replay's iteration, on a slider under the chart from 0 to ``last`` by ``step``: it
    starts at the end (the trained models), and moving it redraws every model in the browser."""
    return alt.param(name=ITERATION, value=last,
                     bind=alt.binding_range(min=0, max=last, step=step, name=f"{ITERATION} "))


def _replay_panel(title: str, result: TrainResult, frame: pd.DataFrame, dataset: Dataset, norm_max: float,
                  accuracy_domain, show_test: bool, pair: Pair | None) -> alt.VConcatChart:
    shown = f"datum.iteration <= {ITERATION} && {ITERATION} < datum.until"
    # Each picture is sent once: the other layers get frames without the pictures.
    pictures = frame[["iteration", "until", "url"]].assign(**field_corners(dataset, pair))
    steps = frame[["iteration", "until"]].assign(label=[
        f"iteration {i:,}:\ntrain {percent_cell(a)}, test {percent_cell(b)}"
        for i, a, b in zip(frame["iteration"], frame["train_accuracy"], frame["test_accuracy"])])
    points = points_layer(points_frame(dataset, show_test, result, pair), dataset, pair, legend=False)
    boundary = alt.layer(field_image(pictures, dataset, pair).transform_filter(shown), points).properties(
        width=REPLAY_WIDTH, height=boundary_height(dataset, REPLAY_WIDTH, pair))
    # Two lines, no wider than the plot, so that three panels fit the page.
    label = alt.Chart(steps).mark_text(align="left", baseline="top", x=0, y=0, fontSize=12, lineBreak="\n",
                                       color=NEUTRAL).encode(
        text="label:N").transform_filter(shown).properties(width=REPLAY_WIDTH, height=30,
                                                          title=alt.Title(title, anchor="start"))
    norms = frame.melt(id_vars=["iteration", "until"], value_vars=[c for c in frame if c.startswith("norm_")],
                       var_name="layer", value_name="norm")
    norms["layer"] = norms["layer"].str.removeprefix("norm_")
    layers = list(norms["layer"].unique())
    bars = alt.Chart(norms).mark_bar(color=NEUTRAL).encode(
        x=alt.X("norm:Q", title="‖W‖ at this checkpoint", scale=alt.Scale(domain=[0, norm_max])),
        y=alt.Y("layer:N", title=None, sort=layers),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("norm:Q", format=".2f")],
    ).transform_filter(shown).properties(width=REPLAY_WIDTH, height=NORM_HEIGHT)
    history = result.history
    curves = pd.concat([pd.DataFrame({"iteration": history["iteration"], "accuracy": history[f"{split}_accuracy"],
                                      "split": split}) for split in ("train", "test")], ignore_index=True)
    lines = alt.Chart(curves).mark_line(strokeWidth=1.5).encode(
        x=alt.X("iteration:Q", title="iteration"),
        y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=list(accuracy_domain), clamp=True),
                axis=alt.Axis(format=".0%", tickCount=3)),
        color=alt.Color("split:N", scale=alt.Scale(domain=["train", "test"],
                                                   range=[SPLIT_COLORS["train"], SPLIT_COLORS["test"]]),
                        title=None, legend=alt.Legend(orient="top", direction="horizontal")),
    )
    now = alt.Chart(steps).mark_rule(color=NEUTRAL, strokeWidth=1.5).encode(x="iteration:Q").transform_filter(shown)
    accuracy = alt.layer(lines, now).properties(width=REPLAY_WIDTH, height=CURVE_HEIGHT)
    # The points' legends are off and the curves' is on: kept apart, so that one does not turn off the other.
    return alt.vconcat(label, boundary, bars, accuracy, spacing=8).resolve_legend(color="independent",
                                                                                  fill="independent")


def replay(results: Mapping[str, TrainResult], dataset: Dataset, show_test: bool = False,
           pair: Pair | None = None) -> alt.ConcatChart:
    """Per model, at the slider's iteration (its last checkpoint up to it): the boundary, train and
    test accuracy, and ‖W_l‖ per layer on one scale for all models, above the accuracy curves with
    the checkpoint marked; REPLAY_COLUMNS models to a row.  One slider drives every model, in the
    browser.  With more than two features, each boundary is the pair's slice, as the title says."""
    last = max(int(result.checkpoint_iterations[-1]) for result in results.values())
    frames = {name: replay_frame(result, dataset, end=last, pair=pair) for name, result in results.items()}
    norm_max = max(float(frame.filter(like="norm_").to_numpy().max()) for frame in frames.values())
    _, accuracy_domain = curve_domains(results.values())
    panels = [_replay_panel(title(name), results[name], frame, dataset, norm_max, accuracy_domain, show_test, pair)
              for name, frame in frames.items()]
    chart = alt.concat(*panels, columns=REPLAY_COLUMNS, spacing=REPLAY_SPACING).add_params(
        replay_param(last, replay_steps(results)[0]))
    said = slice_title(dataset, pair)
    return chart.properties(title=alt.TitleParams(said.capitalize(), anchor="start", fontSize=12, fontWeight="normal",
                                                  color=NEUTRAL)) if said else chart
