"""Learning curves: cost and accuracy over the iterations per split, the thinned network's
objective with dropout, and where early stopping stopped; one y-range for every model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ..report.palette import NEUTRAL, SPLIT_COLORS, THINNED_COLOR
from ..training import TrainResult

# The curves' names in their legends (the y-axis says cost or accuracy).
TRAIN, DEV, TEST = "train", "dev", "test"
THINNED_OBJECTIVE = "thinned"
# The data splits' colours, solid; the thinned network's objective, dashed grey.
CURVE_COLORS = {TRAIN: SPLIT_COLORS["train"], DEV: SPLIT_COLORS["dev"], TEST: SPLIT_COLORS["test"],
                THINNED_OBJECTIVE: THINNED_COLOR}
CURVE_DASHES = {TRAIN: [1, 0], DEV: [1, 0], TEST: [1, 0], THINNED_OBJECTIVE: [3, 2]}
# Where early stopping stopped, on the learning curves.
KEPT = "kept"
# The learning curves' plots, in pixels (their width is the column's).
CURVE_HEIGHT = 160


def curve_domains(results: Iterable[TrainResult]) -> tuple[list[float], list[float]]:
    """One y-range for the cost curves and one for the accuracy curves of all these models, so
    that a gap looks as large in one model's chart as in another's."""
    results = list(results)
    histories = [result.history for result in results]
    def drawn(metric):
        return [h[f"{split}_{metric}"].to_numpy() for h in histories for split in (TRAIN, DEV, TEST)
                if f"{split}_{metric}" in h]

    thinned = [h["objective"].to_numpy() for h, r in zip(histories, results) if _thinned(r)]
    costs = np.concatenate(drawn("cost") + thinned)
    accuracies = np.concatenate(drawn("accuracy"))
    # A log axis needs a positive floor; a cost under 0.001 is a training set learnt by heart.
    cost_domain = [max(float(costs.min()), 1e-3), float(costs.max())] if costs.size else [1e-3, 1.0]
    low = float(accuracies.min()) if accuracies.size else 0.5
    # Whole tens of percent, so the axis ticks fall on round numbers.
    return cost_domain, [np.floor(low * 10) / 10, 1.0]


def _thinned(result: TrainResult) -> bool:
    return result.settings.keep_prob < 1.0


def cost_curves(result: TrainResult, cost_domain: Sequence[float]) -> alt.Chart:
    """The cross-entropy on the training and the test points over the iterations; with dropout
    also the objective gradient descent actually saw, the thinned network's.

    A test cost that rises while the train cost falls is overfitting seen happening.  The
    thinned network's objective is not the model's cost, so it is drawn dashed and named.
    """
    return _curves(result, "cost", "cost (log scale)",
                   alt.Scale(type="log", domain=list(cost_domain), clamp=True), alt.Axis(format="~g", tickCount=4),
                   ".4f", thinned=_thinned(result))


def accuracy_curves(result: TrainResult, accuracy_domain: Sequence[float]) -> alt.Chart:
    """Train and test accuracy over the iterations: the gap between them is how much it overfits.
    With early stopping, the dev accuracy it chose on and a rule where it stopped."""
    return _curves(result, "accuracy", "accuracy", alt.Scale(domain=list(accuracy_domain), clamp=True),
                   alt.Axis(format=".0%", tickCount=5), ".1%")


def _curves(result, metric, title, scale, axis, number_format, thinned=False) -> alt.Chart | alt.LayerChart:
    """Each split's ``metric`` over the iterations (dev too with early stopping), the thinned
    network's objective if asked, and with early stopping a rule at the iteration kept."""
    history = result.history
    splits = [TRAIN, DEV, TEST] if f"{DEV}_{metric}" in history else [TRAIN, TEST]
    curves = [(split, history[f"{split}_{metric}"]) for split in splits]
    if thinned:
        curves.append((THINNED_OBJECTIVE, history["objective"]))
    frame = pd.concat([pd.DataFrame({"iteration": history["iteration"], "value": values, "curve": name})
                       for name, values in curves], ignore_index=True)
    names = [name for name, _ in curves]
    lines = alt.Chart(frame).mark_line(strokeWidth=1.8).encode(
        x=alt.X("iteration:Q", title="iteration"),
        y=alt.Y("value:Q", title=title, scale=scale, axis=axis),
        # Below the plot, two to a row: every entry fits a column a quarter of the page wide.
        color=alt.Color("curve:N", scale=alt.Scale(domain=names, range=[CURVE_COLORS[n] for n in names]),
                        title=None, legend=alt.Legend(orient="bottom", direction="horizontal", columns=2,
                                                      columnPadding=8, padding=0, offset=4, symbolSize=60,
                                                      labelLimit=120)),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=names, range=[CURVE_DASHES[n] for n in names]),
                                  legend=None),
        # The train and test curves are drawn last, on top of the thinned network's noise.
        order=alt.Order("curve:N", sort="descending"),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("iteration:Q"),
                 alt.Tooltip("value:Q", format=number_format)],
    )
    # The plot's own height, as wide as the column: every model's plot is then as tall, however
    # many rows its legend takes.
    size = dict(height=CURVE_HEIGHT, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    if result.best_iteration is None:
        return lines.properties(**size)
    kept = pd.DataFrame({"iteration": [result.best_iteration], "label": [f"{KEPT}: {result.best_iteration:,}"]})
    rule = alt.Chart(kept).mark_rule(color=NEUTRAL, strokeDash=[4, 3], strokeWidth=1.5).encode(
        x="iteration:Q", tooltip=[alt.Tooltip("label:N", title="early stopping")])
    label = alt.Chart(kept).mark_text(color=NEUTRAL, align="left", baseline="bottom", dx=4, dy=-2, fontSize=11).encode(
        x="iteration:Q", y=alt.value(0), text="label:N")
    return alt.layer(lines, rule, label).properties(**size)
