"""The Sensitivity view's sentences and table, computed from ``nnreg.sensitivity``'s comparisons of
each model with its run from the nudged start."""

from __future__ import annotations

from collections.abc import Mapping

import math

import pandas as pd

from ..report.formatting import MINUS, percent_cell, plural
from ..sensitivity import CHAOTIC, CHAOTIC_FROM, NUDGE, STABLE, STABLE_BELOW, Sensitivity
from ..settings import title

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent: int) -> str:
    """ "10⁻¹²": 10 to a whole ``exponent``, in superscripts."""
    return f"10{str(exponent).translate(_SUPERSCRIPTS)}"


def scientific(value: float, digits: int = 1) -> str:
    """A small or large number as "3·10⁻²" (``digits`` significant digits), "10⁻¹²" for a power of
    ten; "0" for 0, and "∞" for a change no number measures (from a layer of zeros, or overflow)."""
    if not math.isfinite(value):
        return "∞"
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    exponent = int(exponent)
    mantissa = mantissa.replace("-", MINUS)
    if exponent == 0:
        return mantissa
    return power_of_ten(exponent) if mantissa == "1" else f"{mantissa}·{power_of_ten(exponent)}"


def change_text(change: float) -> str:
    """A relative weight change with the fewest significant digits (1 to 4) that keep it on the
    side of each verdict's threshold it is on: 9.96·10⁻³, sensitive, never reads as 1·10⁻²."""
    for digits in range(1, 5):
        shown = float(f"{change:.{digits - 1}e}") if math.isfinite(change) else change
        if all((shown < threshold) == (change < threshold) for threshold in (STABLE_BELOW, CHAOTIC_FROM)):
            break
    return scientific(change, digits)


NUDGE_TEXT = f"1 ± {power_of_ten(round(math.log10(NUDGE)))}"


def _changed_labels(found: Sensitivity) -> str:
    """ "12 training points and 29 test points" that changed label, the counts that are not 0."""
    counts = [plural(found.train_flipped, "training point")] if found.train_flipped else []
    counts += [plural(found.test_flipped, "test point")] if found.test_flipped else []
    return " and ".join(counts)


def _clause(name: str, found: Sensitivity) -> str:
    change = change_text(found.largest_change)
    if found.verdict == CHAOTIC:
        apart = change if math.isfinite(found.largest_change) else "infinitely far"
        moved = f"{title(name)}'s weights ended {apart} apart"
        labels = _changed_labels(found)
        return moved + (f" and {labels} changed label" if labels else "") + ": chaotic"
    # "Ended": a stable model's runs may drift further apart for a while (L2 at seed 0: 1.4·10⁻⁹)
    # before they come back together, which the chart beside the sentence shows.
    if found.verdict == STABLE:
        return f"{title(name)}'s weights ended {change} apart: stable"
    return f"{title(name)}'s weights ended {change} apart but labelled every point the same: sensitive"


def sensitivity_notice(sensitivities: Mapping[str, Sensitivity]) -> str:
    """The view's sentence: each model's largest relative change of a layer's final weights, the
    points that changed label and its verdict."""
    clauses = [_clause(name, found) for name, found in sensitivities.items()]
    return (f"Look at how far a nudge of one part in {power_of_ten(round(math.log10(1 / NUDGE)))} carries each "
            f"model. Each was trained again from its initial weights, every one multiplied by {NUDGE_TEXT} (the "
            f"sign drawn at random, seeded), on the same points with the same dropout masks: "
            + "; ".join(clauses) + ".")


def sensitivity_legend() -> str:
    """What the chart and the verdicts read, with the thresholds."""
    return (f"The chart follows the layer that moved most, ‖W_l(nudged) − W_l‖ / ‖W_l‖, at every checkpoint: "
            f"it starts at the nudge, {scientific(NUDGE)}, grows exponentially in a chaotic model and ends below "
            f"{scientific(STABLE_BELOW)} in a stable one. Stable: every layer's final weights "
            f"within {scientific(STABLE_BELOW)} of the model's; chaotic: a layer {scientific(CHAOTIC_FROM)} apart or "
            "more, or any point labelled differently; sensitive in between. The table's accuracies are the "
            "model's, then its nudged run's.")


def sensitivity_table(sensitivities: Mapping[str, Sensitivity]) -> pd.DataFrame:
    """One row per model: its verdict, the largest layer's and the whole network's relative weight
    change, the points that changed label and both runs' accuracies."""
    # No-break spaces around the arrow: a cell that wraps at 1280 pixels reads as two numbers in a column.
    def accuracies(before: float, after: float) -> str:
        return f"{percent_cell(before)}\u00a0→\u00a0{percent_cell(after)}"

    rows = []
    for name, found in sensitivities.items():
        test = accuracies(found.test_accuracy, found.nudged_test_accuracy) if found.test_size else "no test set"
        rows.append({"Model": title(name), "Verdict": found.verdict,
                     "Largest layer change": change_text(found.largest_change),
                     "Whole network": scientific(found.change),
                     "Labels changed (train)": f"{found.train_flipped} of {found.train_size}",
                     "Labels changed (test)": f"{found.test_flipped} of {found.test_size}" if found.test_size
                                              else "no test set",
                     "Train accuracy": accuracies(found.train_accuracy, found.nudged_train_accuracy),
                     "Test accuracy": test})
    return pd.DataFrame(rows)
