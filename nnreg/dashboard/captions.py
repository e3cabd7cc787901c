"""Sentences computed from the numbers they sit beside."""

from __future__ import annotations

from collections.abc import Mapping

import math

import numpy as np

from .. import network
from ..network_charts import largest_weight
from ..settings import title
from ..training import TrainResult


def _change(before: float, after: float) -> str:
    return f"{after / before - 1:+.0%}".replace("-", "−") if before else "from 0"


def weight_decay_caption(results: Mapping[str, TrainResult]) -> str:
    """What each model did to each layer's weights, in numbers, against the first model (the
    course's: no regularization): which layers it shrank and which it grew.  Diverged models are
    named and left out: their weights say nothing about regularization."""
    first = next(iter(results))
    if results[first].diverged_at is not None:
        return (f"{title(first)} diverged, so there are no trained weights to compare the others with: "
                "lower the learning rate.")
    baseline = results[first].weight_norms()
    sentences, left_out = [], []
    for name, result in results.items():
        if name == first:
            continue
        shown = title(name)
        if result.diverged_at is not None:
            left_out.append(shown)
            continue
        norms = result.weight_norms()
        moves = {"shrank": [], "grew": []}
        for layer, norm in norms.items():
            moves["shrank" if norm < baseline[layer] else "grew"].append(
                f"‖{layer}‖ from {baseline[layer]:.2f} to {norm:.2f} ({_change(baseline[layer], norm)})")
        said = " and ".join(f"{verb} {_listed(items)}" for verb, items in moves.items() if items)
        sentence = f"{shown} {said}"
        if result.settings.keep_prob < 1.0 and moves["grew"]:
            sentence += (": dropout fights overfitting by making each unit work without the others, not by "
                         "penalizing weights, so it need not shrink them")
        elif (result.settings.lambd > 0 or result.settings.l1 > 0) and not moves["grew"]:
            sentence += ": the penalty pulls every weight towards zero"
        zeros, total = result.zero_weights()
        if zeros:
            sentence += f"; {zeros} of its {total} weights are exactly 0"
        sentences.append(sentence + ".")
    if left_out:
        sentences.append(f"{' and '.join(left_out)} diverged and {'is' if len(left_out) == 1 else 'are'} left out "
                         "of this comparison.")
    return " ".join(sentences)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# A curve that travels at most this many times its drop is said to fall smoothly.
SMOOTH = 1.1


def dropout_note(result: TrainResult) -> str:
    """For a dropout model, what its cost curves show, from their numbers: the objective each step
    lowered is a thinned network's, while the model that predicts is the full network ("" without
    dropout or with a diverged run)."""
    if result.settings.keep_prob >= 1.0 or result.diverged_at is not None or len(result.history) < 2:
        return ""
    history = result.history
    objective, cost = history["objective"].to_numpy(), history["train_cost"].to_numpy()
    # How far the curve travels for how far it falls: 1 for a curve that only falls.
    steps = np.diff(objective)
    drop = objective[0] - objective[-1]
    winding = float(np.sum(np.abs(steps)) / drop) if drop > 0 else math.inf
    shape = (f"from {objective[0]:.3f} to {objective[-1]:.3f}, travelling {winding:.3g} times its drop on the way "
             f"(largest rise {max(float(steps.max()), 0.0):.4f})")
    if result.settings.dropout_mask == "fixed":
        note = ("With fixed masks every step trains the same thinned network, so its objective (dashed) is one "
                "function gradient descent drives down" + (" smoothly" if winding <= SMOOTH else "") + f": {shape}. ")
    else:
        note = ("Each step trains a new randomly thinned network, so its objective (dashed) is "
                + ("noisy" if winding > SMOOTH else "a different function at each step") + f": {shape}. ")
    lowest = int(np.argmin(cost))
    note += "The model that predicts is the full network (solid lines), never trained as such: its train cost "
    if cost[-1] > cost[lowest] * 1.01:
        note += (f"was lowest, {cost[lowest]:.3f}, at iteration {history['iteration'].iloc[lowest]:,} "
                 f"and rose to {cost[-1]:.3f} by the end")
    else:
        note += f"ended at {cost[-1]:.3f}"
    accuracy = history["test_accuracy"].to_numpy()
    best = int(np.argmax(accuracy))
    if accuracy[-1] >= accuracy[best]:
        note += f", while its test accuracy ended at its best, {accuracy[-1]:.1%}."
    else:
        note += (f"; its test accuracy ended at {accuracy[-1]:.1%}, its best being {accuracy[best]:.1%} at "
                 f"iteration {history['iteration'].iloc[best]:,}.")
    return note


def masks_caption(summary, single: TrainResult) -> str:
    """What "Is dropout's 95 % real?" found: the notebook's single run (fixed masks, one init seed)
    against the same model over many seeds with fixed and with fresh masks (``study.mask_summary``)."""
    fixed, fresh = summary.loc["fixed"], summary.loc["fresh"]
    runs = int(fixed["runs"])
    one = f"{single.test_accuracy:.1%}"
    caption = (f"The notebook trained dropout once: init seed {single.settings.seed}, with one set of masks drawn "
               f"once and reused at every iteration, giving {one} test accuracy. Over init seeds 0 to {runs - 1}, "
               f"the same fixed masks give {_mean_std(fixed)} (from {fixed['lowest']:.1%} to "
               f"{fixed['highest']:.1%}; {_reaching(fixed, one)}), and fresh masks, as the course teaches dropout, "
               f"{_mean_std(fresh)} ({_reaching(fresh, one)}). ")
    z = fresh["single_in_std"]
    if z > 1:
        caption += (f"So {one} is {z:.1f} standard deviations above the fresh masks' mean: the luck of one seed "
                    "and one set of masks, not what dropout gives on this data.")
    elif z < -1:
        caption += f"So {one} is {-z:.1f} standard deviations below the fresh masks' mean: this seed was unlucky."
    else:
        caption += (f"So {one} is within one standard deviation of the fresh masks' mean: here the single run "
                    "is typical.")
    return caption


def _reaching(row, accuracy: str) -> str:
    count = int(row["reaching_single"])
    return f"{count} of {int(row['runs'])} runs {'reaches' if count == 1 else 'reach'} {accuracy}"


def _mean_std(row) -> str:
    return f"{row['test_accuracy']:.1%} ± {row['test_accuracy_std']:.1%}"


def units_caption(result: TrainResult, train_X, mask=None) -> str:
    """How many hidden units are dead on the training points (rows of ``train_X``), and what the
    sampled dropout ``mask`` keeps."""
    dead = network.dead_units(train_X.T, result.parameters)
    count, units = int(sum(d.sum() for d in dead)), int(sum(d.size for d in dead))
    caption = (f"{count} of {units} hidden units {'is' if count == 1 else 'are'} dead: zero on every training point."
               if count else f"None of the {units} hidden units is dead: each is active on some training point.")
    if mask is not None:
        kept = int(sum(m.sum() for m in mask))
        caption += (f" One sampled dropout mask fades the dropped units: {kept} of {units} kept ({kept / units:.0%}; "
                    f"keep_prob = {result.settings.keep_prob:g}).")
    return caption


def training_problem(result: TrainResult) -> str | None:
    """Why a run is not a trained model (it diverged), in words for the page, or None."""
    if result.diverged_at is None:
        return None
    return (f"Training diverged at iteration {result.diverged_at:,}: lower the learning rate "
            f"(now {result.settings.learning_rate:g}).")


def network_caption(results: Mapping[str, TrainResult]) -> str:
    """The drawings' shared scale and what it shows: the thickest link, and each model's total |w|
    (the sum of every link's width)."""
    totals = {name: sum(float(np.abs(value).sum()) for layer, value in result.parameters.items()
                        if layer.startswith("W")) for name, result in results.items()}
    top, owner, weight = largest_weight(results)
    return (f"One scale for every model: the thickest link is |w| = {top:.2f}, {title(owner)}'s {weight}. "
            "Sum of |w| over all links: "
            + ", ".join(f"{title(name)} {total:.1f}" for name, total in totals.items())
            + ". A link's colour is its weight's sign; a node's area is its bias's size, its colour the bias's sign; "
              "hover for the values.")


def replay_caption(accuracies) -> str:
    """Per model name, from its ``study.checkpoint_accuracies``: where test accuracy peaked among the
    checkpoints and where it ended, i.e. what stopping at the best checkpoint would have kept."""
    parts = []
    for name, frame in accuracies.items():
        best = frame.loc[frame["test_accuracy"].idxmax()]
        last = frame.iloc[-1]
        if best["test_accuracy"] == last["test_accuracy"]:
            parts.append(f"{title(name)} {last['test_accuracy']:.1%} at the end, as high as at any checkpoint")
        else:
            parts.append(f"{title(name)} {best['test_accuracy']:.1%} at iteration {int(best['iteration']):,}, "
                         f"its highest, then {last['test_accuracy']:.1%} at the end")
    return "Test accuracy at the checkpoints: " + "; ".join(parts) + "."


def points_caption(results: Mapping[str, TrainResult], train_points: int) -> str:
    """Which of the ``train_points`` training points the models fitted, when not all of them:
    the share every model trains on, and the dev points early stopping holds out (as the
    boundaries draw them), for the run shown."""
    result = next(iter(results.values()))
    first = result.settings
    sentences = []
    if first.train_fraction < 1:
        used = result.train_size + (0 if result.dev_index is None else len(result.dev_index))
        sentences.append(f"Every model trains on {used} of the {train_points} training points, a stratified "
                         f"{first.train_fraction:.0%} drawn with init seed {first.seed}; the others are not drawn.")
    stopping = [result for result in results.values() if result.dev_index is not None]
    if stopping:
        held = len(stopping[0].dev_index)
        sentences.append(f"Early stopping holds {held} of {'these' if first.train_fraction < 1 else 'the training points'}"
                         " out as dev points (diamonds), never fitted, and keeps the recorded iteration with the best "
                         "accuracy on them.")
    return " ".join(sentences)
