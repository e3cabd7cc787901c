"""Sentences computed from the numbers they sit beside."""

from __future__ import annotations

from collections.abc import Mapping

import math

import numpy as np

from .. import data, network
from ..charts import axis_titles, equal_aspect, largest_weight
from ..report.formatting import mean_std, percent_cell, points
from ..report.table import outcome_note
from ..settings import Settings, title
from ..training import TRAINED, TrainResult
from ..study import STUDY
from .models import first_using
from .sweep_links import SWEEP_PAGE
from .latex import (DECAY_DIGITS, adam_latex, decay_factor, dropout_latex, early_stopping_latex, l1_latex, l2_latex,
                    mini_batch_latex, momentum_latex, weight_decay_latex,
                    latex_number, softmax_latex)


def _change(before: float, after: float) -> str:
    return percent_cell(after / before - 1, 0, sign=True) if before else "from 0"


def kept_iteration(result: TrainResult) -> int:
    """The iteration of the parameters a result predicts with, those its accuracies are of: early
    stopping's kept one, else the last update (``num_iterations``, or where a diverged run stopped)."""
    return result.best_iteration if result.best_iteration is not None else result.checkpoint_iterations[-1]


def _weights(name: str, result: TrainResult, iteration: int | None = None) -> str:
    """ "L2's final weights", early stopping's "kept" ones, with their iteration unless it is ``iteration``."""
    kept = kept_iteration(result)
    return (f"{title(name)}'s {'kept' if result.best_iteration is not None else 'final'} weights"
            + ("" if kept == iteration else f" (iteration {kept:,})"))


def _layer_norms(parameters) -> dict[str, float]:
    return {layer: float(np.linalg.norm(value)) for layer, value in parameters.items() if layer.startswith("W")}


def _moved(start: Mapping[str, float], end: Mapping[str, float]) -> str:
    """ "shrank ‖W1‖ and grew ‖W2‖ and ‖W3‖" from ``start`` to ``end``, or "grew every layer"."""
    moves = {"shrank": [], "grew": []}
    for layer, norm in end.items():
        moves["shrank" if norm < start[layer] else "grew"].append(f"‖{layer}‖")
    if not moves["grew"] or not moves["shrank"]:
        return f"{'grew' if moves['grew'] else 'shrank'} every layer"
    return " and ".join(f"{verb} {_listed(layers)}" for verb, layers in moves.items())


def weight_decay_caption(results: Mapping[str, TrainResult]) -> str:
    """What training did to each layer's weights, in numbers.  The first model's (the course's: no
    regularization) from their start (iteration 0) to its final weights; every other model's
    final weights against the first model's final ones, layer by layer, and which of its layers
    shrank or grew from its own start.  Final weights are those a model predicts with
    (``kept_iteration``).  A model with other layer shapes is only compared with its own start;
    diverged models are named and left out: their weights say nothing about regularization."""
    first = next(iter(results))
    reference = results[first]
    if reference.diverged_at is not None:
        return (f"{title(first)} diverged, so there are no trained weights to compare the others with: "
                "lower the learning rate.")
    baseline, shapes = reference.weight_norms(), {layer: value.shape for layer, value in reference.parameters.items()}
    iteration = kept_iteration(reference)
    reference_start = _layer_norms(reference.checkpoints[0])
    sentences = [f"{title(first)}'s weights went from "
                 + _listed([f"‖{layer}‖ = {norm:.2f}" for layer, norm in reference_start.items()])
                 + " at iteration 0 to " + _listed([f"{norm:.2f}" for norm in baseline.values()])
                 + f" at iteration {iteration:,}, "
                 + ("the weights early stopping kept." if reference.best_iteration is not None else
                    "its final weights.")]
    left_out = []
    for name, result in results.items():
        if name == first:
            continue
        if result.diverged_at is not None:
            left_out.append(title(name))
            continue
        norms, start = result.weight_norms(), _layer_norms(result.checkpoints[0])
        if {layer: value.shape for layer, value in result.parameters.items()} != shapes:
            sentences.append(f"{title(name)}'s layers have other shapes than {title(first)}'s, so it compares with its "
                             f"own start only: from iteration 0 to {_weights(name, result, iteration)}, "
                             + _listed([f"‖{layer}‖ went from {start[layer]:.2f} to {norm:.2f}"
                                        for layer, norm in norms.items()]) + ".")
            continue
        sides = {"smaller": [layer for layer, norm in norms.items() if norm < baseline[layer]]}
        sides["larger"] = [layer for layer in norms if layer not in sides["smaller"]]
        compared = (f"{side} in every layer" if len(layers) == len(norms) else
                    f"{side} in {_listed([f'‖{layer}‖' for layer in layers])}"
                    for side, layers in sides.items() if layers)
        sentence = (f"Against {_weights(first, reference, iteration)}, {_weights(name, result, iteration)} are "
                    + " and ".join(compared) + ": "
                    + ", ".join(f"‖{layer}‖ {norm:.2f} against {baseline[layer]:.2f}"
                                + (f" ({_change(baseline[layer], norm)})" if baseline[layer] else "")
                                for layer, norm in norms.items()))
        if result.settings.keep_prob < 1.0 and sides["larger"]:
            sentence += (": dropout fights overfitting by making each unit work without the others, not by "
                         "penalizing weights, so it need not shrink them")
        elif (result.settings.lambd > 0 or result.settings.l1 > 0) and not sides["larger"]:
            sentence += ": the penalty pulls every weight towards zero"
        elif result.settings.weight_decay > 0 and not sides["larger"]:
            sentence += ": the decay pulls every weight towards zero"
        zeros, total = result.zero_weights()
        if zeros:
            sentence += f"; {zeros} of its {total} weights are exactly 0"
        same = all(np.array_equal(value, reference.checkpoints[0][layer])
                   for layer, value in result.checkpoints[0].items())
        sentences.append(f"{sentence}. From {'the same' if same else 'its own'} start it {_moved(start, norms)}.")
    if left_out:
        sentences.append(f"{' and '.join(left_out)} diverged and {'is' if len(left_out) == 1 else 'are'} left out "
                         "of this comparison.")
    return " ".join(sentences)


# Adam + L2 and gradient descent + L2 whose layers' ‖W‖ agree within this share are said to settle
# at weights of the same size (on football they agree within 2 %, seeds 0-9).
SAME_SIZE = 0.05
# Two shrinkages per step this close are "about the same" (a preset's wd is rounded to 3 digits).
SAME_SHRINK = 0.01


# What the models compared by l2_or_weight_decay_caption must share.
_ALIKE = ("activation", "batch_size", "num_iterations", "train_fraction", "early_stopping", "seed", "standardize")


def _role(results: Mapping[str, TrainResult], optimizer: str, penalty: str) -> str | None:
    """The first model that trains with ``optimizer`` and regularizes by ``penalty`` alone ("lambd"
    or "weight_decay"), dropout and L1 aside."""
    other = "weight_decay" if penalty == "lambd" else "lambd"
    return next((name for name, result in results.items()
                 if result.settings.optimizer == optimizer and getattr(result.settings, penalty) > 0
                 and getattr(result.settings, other) == 0 and result.settings.l1 == 0
                 and result.settings.keep_prob == 1), None)


def _norms_text(result: TrainResult) -> str:
    return ", ".join(f"{norm:.2f}" for norm in result.weight_norms().values())


def adam_preset_help(specs, points: int) -> str:
    """The preset "L2 or weight decay? (Adam)"'s help: its models (``specs``, as
    ``specs.l2_or_weight_decay_specs`` makes them for data of ``points`` training points) and the
    shrinkage per step that makes weight decay and gradient descent's L2 alike at the start."""
    settings = {spec.name: spec.settings(Settings()) for spec in specs}
    adam, decayed, descent = (settings[name] for name in ("Adam + L2", "Adam + weight decay", "Gradient descent + L2"))
    shrink, l2_shrink = decayed.learning_rate * decayed.weight_decay, descent.learning_rate * descent.lambd / points
    return (f"Four models on this data: Adam (α = {adam.learning_rate:g}) without regularization, with L2 (λ = "
            f"{adam.lambd:g}) and with weight decay (wd = {decayed.weight_decay:g}), and gradient descent (α = "
            f"{descent.learning_rate:g}) with the same L2. Weight decay shrinks every weight by α·wd = "
            f"{percent_cell(shrink, 4)} per step, "
            + ("about what gradient descent's L2 does from the same start" if abs(shrink / l2_shrink - 1) <= SAME_SHRINK
               else "where gradient descent's L2 shrinks them by")
            + f": αλ/m = {descent.learning_rate:g} · {descent.lambd:g} / {points} = {percent_cell(l2_shrink, 4)}. "
            "Open Weight decay to see where each "
            "ends. The other shared controls go back to the course's, as with Course settings.")


def l2_or_weight_decay_caption(results: Mapping[str, TrainResult]) -> str:
    """What the preset "L2 or weight decay? (Adam)" shows, from the numbers: whether Adam + L2 ends
    with weights the size of gradient descent + L2's, and how large Adam + weight decay leaves its
    weights against Adam + L2's, with the shrinkage per step of each.  "" unless the models include
    Adam + weight decay and an L2 model (or Adam + L2 and gradient descent + L2), each trained."""
    trained, _ = _trained(results)
    adam_l2, adam_wd, gd_l2 = (_role(trained, optimizer, penalty) for optimizer, penalty in
                               (("adam", "lambd"), ("adam", "weight_decay"), ("gd", "lambd")))
    # Only models that differ in their optimizer, its step size and their penalty are compared.
    alike = {name: (str([value.shape for value in trained[name].parameters.values()]),
                    *(getattr(trained[name].settings, field) for field in _ALIKE))
             for name in (adam_l2, adam_wd, gd_l2) if name}
    if len(set(alike.values())) > 1:
        return ""
    sentences = []
    if adam_l2 and gd_l2:
        a, g = trained[adam_l2].weight_norms(), trained[gd_l2].weight_norms()
        apart = max(abs(a[layer] / g[layer] - 1) for layer in a)
        sentence = (f"{title(adam_l2)}'s ‖W‖ per layer, {_norms_text(trained[adam_l2])}, "
                    + (f"is within {percent_cell(apart, 0)} of" if apart <= SAME_SIZE else
                       f"differs by up to {percent_cell(apart, 0)} from")
                    + f" {title(gd_l2)}'s, {_norms_text(trained[gd_l2])}")
        if apart <= SAME_SIZE:
            sentence += (": L2 is part of the cost, so both optimizers settle where its gradient is 0, at weights of "
                         "the same size")
        sentences.append(sentence + ".")
    l2 = adam_l2 or gd_l2
    if adam_wd and l2:
        decayed, penalized = trained[adam_wd], trained[l2]
        wd, alpha = decayed.settings.weight_decay, decayed.settings.learning_rate
        shrink = alpha * wd
        sentence = (f"{title(adam_wd)} shrinks every weight by α·wd = {alpha:g} · {wd:g} = {percent_cell(shrink, 4)} per "
                    "step")
        if gd_l2:
            gd = trained[gd_l2].settings
            l2_shrink = gd.learning_rate * gd.lambd / trained[gd_l2].train_size
            sentence += (f", {'about what' if abs(shrink / l2_shrink - 1) <= SAME_SHRINK else 'where'} {title(gd_l2)}'s "
                         f"L2 {'does,' if abs(shrink / l2_shrink - 1) <= SAME_SHRINK else 'shrinks by'} "
                         f"αλ/m = {gd.learning_rate:g} · {gd.lambd:g} / {trained[gd_l2].train_size} = "
                         f"{percent_cell(l2_shrink, 4)}")
        ratios = [decayed.weight_norms()[layer] / norm for layer, norm in penalized.weight_norms().items()]
        sentence += (f"; its ‖W‖ per layer end at {_norms_text(decayed)}, "
                     + (f"{min(ratios):.1f} to {max(ratios):.1f} times" if round(min(ratios), 1) != round(max(ratios), 1)
                        else f"{min(ratios):.1f} times")
                     + f" {title(l2)}'s.")
        sentences.append(sentence)
        largest, l2_largest = _largest_weight(decayed), _largest_weight(penalized)
        if min(ratios) > 1 and largest <= 1 / wd:
            sentences.append(
                "Adam moves a weight by about α per step whatever its gradient's size, so under weight decay a weight "
                f"settles where that step balances α·wd·|w|, which allows up to 1/wd = {1 / wd:.2f} (its largest |w| "
                f"is {largest:.2f}); under L2 the penalty joins the gradient, so a weight settles where its own gradient "
                f"balances λ/m·w, and a small gradient holds only a small weight ({title(l2)}'s largest |w| is "
                f"{l2_largest:.2f}).")
    return " ".join(sentences)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# A curve that travels at most this many times its drop is said to fall smoothly.
SMOOTH = 1.1


def dropout_note(result: TrainResult, dataset) -> str:
    """For a dropout model, what its cost curves show, from their numbers: the objective each step
    lowered is a thinned network's, while the model that predicts is the full network; the curves'
    lowest cost and best test accuracy against the final model's (``kept_iteration``, the model the
    table shows), computed on ``dataset``.  "" without dropout or with a diverged run."""
    if result.settings.keep_prob >= 1.0 or result.diverged_at is not None or len(result.history) < 2:
        return ""
    history = result.history
    iterations = history["iteration"]
    objective, cost = history["objective"].to_numpy(), history["train_cost"].to_numpy()
    # How far the curve travels for how far it falls: 1 for a curve that only falls.
    steps = np.diff(objective)
    drop = objective[0] - objective[-1]
    winding = float(np.sum(np.abs(steps)) / drop) if drop > 0 else math.inf
    shape = (f"from {objective[0]:.3f} at iteration {iterations.iloc[0]:,} to {objective[-1]:.3f} at iteration "
             f"{iterations.iloc[-1]:,}, travelling {winding:.3g} times its drop on the way "
             f"(largest rise {max(float(steps.max()), 0.0):.4f})")
    if result.settings.dropout_mask == "fixed":
        note = ("With fixed masks every step trains the same thinned network, so its objective (dashed) is one "
                "function gradient descent drives down" + (" smoothly" if winding <= SMOOTH else "") + f": {shape}. ")
    else:
        note = ("Each step trains a new randomly thinned network, so its objective (dashed) is "
                + ("noisy" if winding > SMOOTH else "a different function at each step") + f": {shape}. ")
    train_X, train_Y = result.fitted(dataset)
    final_cost = network.compute_cost(result.network_inputs(train_X), train_Y.reshape(1, -1), result.parameters,
                                      activation=result.settings.activation)
    lowest, best = int(np.argmin(cost)), int(np.argmax(history["test_accuracy"].to_numpy()))
    note += (f"The model that predicts is the full network (solid lines), never trained as such. The final model "
             f"(iteration {kept_iteration(result):,}) has a train cost of {final_cost:.3f}, the curve's lowest being "
             f"{cost[lowest]:.3f} at iteration {iterations.iloc[lowest]:,}, and tests at {percent_cell(result.test_accuracy)}, "
             f"the curve's best being {percent_cell(history['test_accuracy'].iloc[best])} at iteration "
             f"{iterations.iloc[best]:,}.")
    return note


def masks_caption(summary, single: TrainResult) -> str:
    """Where the notebook's way of training dropout once (fixed masks, one init seed: ``single``)
    stands on this data against the same model over many seeds with fixed and with fresh masks
    (``study.mask_summary``)."""
    fixed, fresh = summary.loc["fixed"], summary.loc["fresh"]
    runs = int(fixed["runs"])
    one = f"{percent_cell(single.test_accuracy)}"
    caption = (f"The notebook trains dropout once, with one set of masks drawn once and reused at every iteration; "
               f"trained so on this data (init seed {single.settings.seed}) it gives {one} test accuracy. Over init "
               f"seeds 0 to {runs - 1}, the same fixed masks give {_mean_std(fixed)} (from {percent_cell(fixed['lowest'])} to "
               f"{percent_cell(fixed['highest'])}; {_reaching(fixed, one)}), and fresh masks, as the course teaches dropout, "
               f"{_mean_std(fresh)} ({_reaching(fresh, one)}). ")
    z = fresh["single_in_std"]
    if fresh["test_accuracy_std"] == 0:
        caption += (f"Every fresh-mask run gives {percent_cell(fresh['test_accuracy'])}, so {one} is "
                    + ("what dropout gives on this data." if single.test_accuracy == fresh["test_accuracy"] else
                       "the luck of one seed and one set of masks." if single.test_accuracy > fresh["test_accuracy"]
                       else "an unlucky seed and set of masks."))
    elif z > 1:
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
    return f"{mean_std(row['test_accuracy'], row['test_accuracy_std'])} %"


def units_caption(result: TrainResult, train_X, mask=None) -> str:
    """How many hidden units are dead on the training points (rows of ``train_X``), or why none can
    be (an activation whose slope is never 0), and what the sampled dropout ``mask`` keeps."""
    activation = result.settings.activation
    dead = network.dead_units(result.network_inputs(train_X), result.parameters, activation)
    count, units = int(sum(d.sum() for d in dead)), int(sum(d.size for d in dead))
    if activation in network.UNDYING:
        caption = (f"No {network.ACTIVATION_NAMES[activation]} unit can die: {network.UNDYING[activation]}, so each "
                   f"of the {units} hidden units keeps learning.")
    elif count:
        caption = f"{count} of {units} hidden units {'is' if count == 1 else 'are'} dead: zero on every training point."
    else:
        caption = f"None of the {units} hidden units is dead: each is active on some training point."
    if mask is not None:
        kept = int(sum(m.sum() for m in mask))
        caption += (f" The sampled dropout mask keeps {kept} of {units} ({percent_cell(kept / units, 0)}; keep_prob = "
                    f"{result.settings.keep_prob:g}).")
    return caption


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


def replay_caption(results: Mapping[str, TrainResult], accuracies) -> str:
    """Per model name, from its ``study.checkpoint_accuracies``: where test accuracy peaked among the
    checkpoints and what it was at the last one (where training ended), i.e. what stopping at the
    best checkpoint would have kept; for early stopping, the iteration it kept (``results``)."""
    parts = []
    for name, frame in accuracies.items():
        best = frame.loc[frame["test_accuracy"].idxmax()]
        last = frame.iloc[-1]
        end = f"at iteration {int(last['iteration']):,}, the last"
        if best["test_accuracy"] == last["test_accuracy"]:
            part = f"{title(name)} {percent_cell(last['test_accuracy'])} {end}, as high as at any checkpoint"
        else:
            part = (f"{title(name)} {percent_cell(best['test_accuracy'])} at iteration {int(best['iteration']):,}, its highest, "
                    f"then {percent_cell(last['test_accuracy'])} {end}")
        kept = results[name].best_iteration
        if kept is not None:
            part += (f" (early stopping kept iteration {kept:,}: "
                     f"{percent_cell(frame.loc[frame['iteration'] == kept, 'test_accuracy'].iloc[0])})")
        parts.append(part)
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
                         f"{percent_cell(first.train_fraction, 0)} drawn with init seed {first.seed}; the others are not drawn.")
    stopping = [result for result in results.values() if result.dev_index is not None]
    if stopping:
        held = len(stopping[0].dev_index)
        these = "these" if first.train_fraction < 1 else "the training points"
        sentences.append(f"Early stopping holds {held} of {these}"
                         " out as dev points (diamonds), never fitted, and keeps the recorded iteration with the best "
                         "accuracy on them.")
    return " ".join(sentences)


# --- What to notice: the one sentence each view opens with, computed from the run it shows --------

def _trained(results: Mapping[str, TrainResult]) -> tuple[dict[str, TrainResult], str]:
    """The models that did not diverge, and a clause naming those that did ("" if none)."""
    failed = [title(name) for name, result in results.items() if result.diverged_at is not None]
    clause = f"; {_listed(failed)} diverged" if failed else ""
    return {name: result for name, result in results.items() if result.diverged_at is None}, clause


def weights_notice(results: Mapping[str, TrainResult]) -> str:
    """The Weight decay view's sentence: the size of all weights together (``total_weight_norm``,
    the "‖W‖ while training" chart) of the first model from its start to its final weights, and
    every other model's final size against the first's."""
    trained, failed = _trained(results)
    if not trained:
        return "Every model diverged: there are no trained weights to look at."
    first, reference = next(iter(trained.items()))
    start = float(np.sqrt(sum(norm ** 2 for norm in _layer_norms(reference.checkpoints[0]).values())))
    end = reference.total_weight_norm()
    others = []
    for name, result in trained.items():
        if name != first:
            size, iteration = result.total_weight_norm(), kept_iteration(result)
            # The first of them says what the others do too: "L2's ends at 4.62 (−81% against it), Dropout's at ...".
            others.append(f"{title(name)}'s {'' if others else 'ends '}at {size:.2f} ({_change(end, size)}"
                          + ("" if others else " against it") + ")"
                          + ("" if iteration == kept_iteration(reference) else f" at iteration {iteration:,}"))
    return (f"Follow ‖W‖ while training, the size of all the weights together: {title(first)}'s "
            f"{'grows' if end >= start else 'shrinks'} from {start:.2f} at iteration 0 to {end:.2f} at iteration "
            f"{kept_iteration(reference):,}" + (f"; {_listed(others)}" if others else "") + f"{failed}.")


def _largest_weight(result: TrainResult) -> float:
    return max(float(np.abs(value).max()) for layer, value in result.parameters.items() if layer.startswith("W"))


def network_notice(results: Mapping[str, TrainResult]) -> str:
    """The network view's sentence: each model's largest |w|, the thickest of its links."""
    trained, failed = _trained(results)
    sizes = [f"{_largest_weight(result):.2f} in {title(name)}" for name, result in trained.items()]
    return ("Compare the links' thickness, one scale for every drawing: the thickest is |w| = "
            + _listed(sizes) + f"{failed}." if sizes else "Every model diverged: there are no trained weights to draw.")


def curves_notice(results: Mapping[str, TrainResult]) -> str:
    """The learning curves' sentence: the space between train and test is how much a model
    overfits; each final model's train and test accuracy and their gap, as the table gives them."""
    trained, failed = _trained(results)
    if not trained:
        return "Every model diverged: its curves show where training failed."
    models = [f"{percent_cell(result.train_accuracy)} and {percent_cell(result.test_accuracy)} for {title(name)} (gap "
              f"{points(100 * result.gap)} points)" for name, result in trained.items()]
    return ("Look at the space between the train and test curves, how much a model overfits: the final "
            f"{'model has' if len(models) == 1 else 'models have'} train and test accuracy {_listed(models)}{failed}.")


def replay_notice(results: Mapping[str, TrainResult], accuracies) -> str:
    """The replay's sentence, from each model's ``study.checkpoint_accuracies``: where to stop the
    slider, at the checkpoint with the best test accuracy of the model that loses the most after
    it, among the models that trained (one that collapsed or diverged learned nothing to lose)."""
    trained = [name for name, result in results.items() if result.outcome.kind == TRAINED] or list(results)
    drops = {name: accuracies[name]["test_accuracy"].max() - accuracies[name]["test_accuracy"].iloc[-1]
             for name in trained}
    name = max(drops, key=drops.get)
    frame = accuracies[name]
    last = int(frame["iteration"].iloc[-1])
    if drops[name] <= 0:
        return (f"Drag the slider from iteration 0 to {last:,}: every model's test accuracy at its last checkpoint is "
                "as high as at any, so stopping earlier would keep nothing better.")
    best = frame.loc[frame["test_accuracy"].idxmax()]
    return (f"Drag the slider to iteration {int(best['iteration']):,}, where {title(name)}'s test accuracy is "
            f"highest ({percent_cell(best['test_accuracy'])}), then on to iteration {last:,} "
            f"({percent_cell(frame['test_accuracy'].iloc[-1])}): what its boundary learns in between costs it "
            f"{100 * drops[name]:.1f} points on the test points.")


def units_notice(results: Mapping[str, TrainResult], dataset) -> str:
    """The hidden units' sentence: how many units each ReLU model leaves dead on the points it
    fitted; the models of other activations, whose units cannot die, named as such."""
    counts, undying = [], []
    for name, result in results.items():
        activation = result.settings.activation
        if activation in network.UNDYING:
            undying.append(f"{title(name)} ({network.ACTIVATION_NAMES[activation]})")
            continue
        dead = network.dead_units(result.network_inputs(result.fitted(dataset)[0]), result.parameters, activation)
        counts.append(f"{int(sum(d.sum() for d in dead))} of {sum(d.size for d in dead)} in {title(name)}")
    notice = ("Look for the units marked dead, zero on every training point, which no gradient reaches again: "
              + _listed(counts) + "." if counts else "")
    if undying:
        notice += (" " if notice else "") + (f"The units of {_listed(undying)} cannot die: their activation's slope is "
                                             "never 0, so a gradient always reaches them.")
    return notice


def masks_notice(summary, single: TrainResult) -> str:
    """The masks view's question, asked of this data's own single run (``study.mask_summary``)."""
    return (f"Is dropout's {percent_cell(single.test_accuracy)} real? The ringed diamond is one run trained as the notebook "
            f"does (init seed {single.settings.seed}, fixed masks): see where it falls among the "
            f"{int(summary.loc['fixed', 'runs'])} runs of each row.")


def data_notice(dataset, show_test: bool, pair=None) -> str:
    """The data view's sentence: the points and each class's count in each split; on the course's
    kind of data (labels 0 and 1) at equal aspect, on a table the two features drawn."""
    course = data.course_layout(dataset)

    def labels(Y) -> str:
        if course:
            ones = int(np.sum(Y == 1))
            return f"{ones} label 1, {len(Y) - ones} label 0"
        return ", ".join(f"{int(np.sum(Y == code))} {name}" for code, name in enumerate(dataset.class_names))

    test = (f"{len(dataset.test_Y)} test points (triangles: {labels(dataset.test_Y)})" if show_test else
            f"none of the {len(dataset.test_Y)} test points ({labels(dataset.test_Y)}; Show test points draws them)")
    points = (f"The field alone, before any model: {len(dataset.train_Y)} training points (circles: "
              f"{labels(dataset.train_Y)}) and {test}")
    if equal_aspect(dataset):
        return points + ", at equal aspect, a unit of x1 as long as a unit of x2, so the shapes a model must learn are drawn true."
    across, up = axis_titles(dataset, pair)
    if dataset.n_features == 1:
        return points + f", drawn by {across} both across and up, its only feature."
    others = dataset.n_features - 2
    return (points + f", drawn by {across} across and {up} up"
            + (f"; the other {others} {'feature is' if others == 1 else 'features are'} not drawn." if others > 0 else "."))


# The dropped features an Inputs sentence names before counting the rest.
NAMED_FEATURES = 6


def inputs_notice(results: Mapping[str, TrainResult], feature_names) -> str:
    """The Inputs view's sentence, from each model's first-layer weights from each feature,
    ‖W1[:, j]‖: the feature the first model weighs most, for how many features each other model's
    norm is smaller than the first's, and how many features each model dropped (every weight from
    them exactly 0, as only L1 does), naming them."""
    trained, failed = _trained(results)
    if not trained:
        return "Every model diverged: there are no trained weights to read."
    norms = {name: np.linalg.norm(result.parameters["W1"], axis=0) for name, result in trained.items()}
    first = next(iter(norms))
    count = len(feature_names)
    top = int(np.argmax(norms[first]))
    parts = [f"{title(first)} weighs {feature_names[top]} most (‖W1[:, j]‖ = {norms[first][top]:.2f})"]
    others = [(name, int(np.sum(norm < norms[first]))) for name, norm in norms.items() if name != first]
    if others:
        # "against it, L2's norm is smaller for 4 of the 4 features and L1's for 3".
        parts.append("against it, " + _listed([f"{title(name)}'s norm is smaller for {n} of the {count} features"
                                               if index == 0 else f"{title(name)}'s for {n}"
                                               for index, (name, n) in enumerate(others)]))
    dropped, any_dropped = [], False
    for name, norm in norms.items():
        zeros = [str(feature_names[j]) for j in np.flatnonzero(norm == 0)]
        any_dropped |= bool(zeros)
        if zeros or trained[name].settings.l1 > 0:
            # At most NAMED_FEATURES named, the rest counted.
            shown = zeros if len(zeros) <= NAMED_FEATURES else [*zeros[:NAMED_FEATURES - 1],
                                                               f"{len(zeros) - NAMED_FEATURES + 1} more"]
            dropped.append(f"{title(name)} drops {len(zeros) or 'none'} of {count}"
                           + (f" ({_listed(shown)})" if zeros else ""))
    if not dropped:
        dropped = ["no model drops a feature: only L1 sets every weight from one to exactly 0"]
    parts.append(_listed(dropped) + (", every weight from a dropped feature exactly 0" if any_dropped else ""))
    return "Read which features each model listens to: " + "; ".join(parts) + f"{failed}."


def math_notice(lambd: float, m: int, learning_rate: float, num_iterations: int) -> str:
    """The math view's sentence: the factor L2 multiplies every weight by at each step, and what
    it alone would leave of a weight after ``num_iterations`` steps (LaTeX in $…$, which
    st.markdown draws)."""
    factor = decay_factor(lambd, m, learning_rate)
    shown = latex_number(factor, DECAY_DIGITS)
    if factor <= 0:
        return (f"Look at L2's factor $1 - \\alpha\\lambda/m = {shown}$: at or below 0, the decay alone would throw "
                "every weight past zero at each step, a penalty far too strong for this learning rate.")
    return (f"Look at L2's factor $1 - \\alpha\\lambda/m = {shown}$: each of the {num_iterations:,} steps "
            "multiplies every weight by it before the gradient step, which alone would leave "
            f"${latex_number(factor ** num_iterations)}$ of a weight.")


def units_scale_caption(scale_max, decades: int, any_dropout: bool, two_signs: bool = False) -> str:
    """What the hidden units' pictures show: one scale per hidden layer (its largest output size
    in ``scale_max``), logarithmic over ``decades`` powers of ten; ``two_signs`` when a model's
    outputs can be below 0 (tanh, leaky ReLU), drawn in their own colour."""
    return ("Each picture is one hidden unit's output over the field, on one scale per hidden layer that every model "
            "shares: empty (the page shows through) where the output is 0, solid grey at the layer's largest output "
            "in any of these models ("
            + ", ".join(f"hidden layer {layer}: {top:.2f}" for layer, top in enumerate(scale_max, start=1))
            + f"). The scale is logarithmic, so that outputs {10 ** decades:,} times smaller than the largest still "
            "show; each layer's legend gives its values."
            + (" Outputs below 0 (tanh, leaky ReLU) are pink, by the same rule on their size." if two_signs else "")
            + (" An amber cross marks a unit that one sampled dropout mask drops." if any_dropout else ""))


def mask_runs_legend(name: str | None, keep_prob: float, single_seed: int) -> str:
    """What the dropout-runs chart shows, of model ``name`` (None: the course's dropout on the shared
    settings, no model of the list using dropout)."""
    return ((f"{title(name)}: e" if name else "No model of the list uses dropout: the course's dropout on the shared "
             "settings. E")
            + f"ach dot is one init seed's test accuracy (keep_prob = {keep_prob:g}); the grey bar is each row's "
            f"mean; the ringed diamond is the notebook's run (init seed {single_seed}, fixed masks). Fixed: one set "
            "of masks drawn once, as the notebook did; fresh: new masks at every iteration, dropout seed = init seed.")


def math_sections(models: Mapping, first: Mapping[str, TrainResult], baseline: str,
                  dataset=None) -> list[tuple[str, list[str]]]:
    """The math view as (text, LaTeX lines) sections: each regularizer with the numbers of the
    first model that uses it, else the course's (``models``: settings by name; ``first``: a run
    of each); with three classes or more (``dataset``'s), first the softmax output and its
    cross-entropy, with the first model's cost on the points it fitted."""
    # L2's section is gradient descent's update: its numbers are those of a model trained so (with
    # another optimizer the decay is not a fixed factor; optimizer_sections says what it is).
    descent = {name: settings for name, settings in models.items() if settings.optimizer == "gd"}
    l2 = (first_using(descent, "lambd") or (None,))[0]
    dropout, l1 = ((first_using(models, field) or (None,))[0] for field in ("keep_prob", "l1"))
    lambd = models[l2].lambd if l2 else STUDY["l2"].lambd
    keep_prob = models[dropout].keep_prob if dropout else STUDY["dropout"].keep_prob
    classes = dataset.n_classes if dataset is not None else 2
    # m in the formulas: the points a model fits.
    shown = first[l2 or baseline]
    m = shown.train_size
    alpha = shown.settings.learning_rate if shown.settings.optimizer == "gd" else STUDY["l2"].learning_rate
    course = " (the course's: no model of the list uses it)"
    l2_course = (" (the course's: no model of the list uses it with gradient descent)" if first_using(models, "lambd")
                 else course)
    sections = [
        (math_notice(lambd, m, alpha, shown.settings.num_iterations), []),
        (f"**L2 regularization** adds the weights' squared size to the cost, so gradient descent also shrinks every "
         f"weight a little at each step (λ = {lambd:g}{'' if l2 else l2_course}, m = {m} training points, α = "
         f"{alpha:g}). Biases are not regularized.", l2_latex(lambd, m, alpha, classes)),
        (f"**Inverted dropout** keeps each hidden unit with probability keep_prob = {keep_prob:g}"
         f"{'' if dropout else course} at every training step and scales the kept ones up, so their expected value "
         "is unchanged and prediction uses the full network as is. The input and output layers are never dropped.",
         dropout_latex(keep_prob))]
    if classes > 2:
        reference = first[baseline]
        train_X, train_Y = reference.fitted(dataset)
        cost = network.cross_entropy(network.forward(reference.network_inputs(train_X), reference.parameters,
                                                     activation=reference.settings.activation)[0],
                                     train_Y.reshape(1, -1))
        sections.insert(1, (
            f"**Softmax output.** With {classes} classes ({_listed([str(name) for name in dataset.class_names])}) the "
            f"network ends in {classes} units, one a class, and softmax turns their values into probabilities that sum "
            f"to 1; the cost is the multi-class cross-entropy, the mean of −log P(the point's class). "
            f"{title(baseline)}'s final model has a cross-entropy of ${latex_number(cost)}$ on its {len(train_Y)} "
            "training points "
            "(the penalties come on top). Two classes keep the course's single sigmoid unit.",
            softmax_latex(classes, len(train_Y), cost)))
    if l1:
        result = first[l1]
        sections.append((
            f"**L1 regularization** adds the weights' absolute size to the cost (l1 = {result.settings.l1:g}, "
            f"{title(l1)}). |w| has no slope at 0, so each step is a proximal one: the usual gradient step on the "
            "rest of the cost, then every weight moved towards 0 by a fixed amount (α·l1/m, the last line), and set "
            "to exactly 0 if it is within that amount of 0. That is why L1 leaves many weights at exactly 0, where "
            "L2 only makes them small.",
            l1_latex(result.settings.l1, result.train_size, result.settings.learning_rate)))
    sections += optimizer_sections(models, first)
    stopping = [result for result in first.values() if result.best_iteration is not None]
    if stopping:
        settings = stopping[0].settings
        sections.append((
            f"**Early stopping** holds {len(stopping[0].dev_index)} of the training points out as a dev set "
            f"({percent_cell(settings.dev_fraction, 0)}), trains for all {settings.num_iterations:,} iterations, and keeps the "
            "parameters of the recorded iteration with the best dev accuracy, the earliest of ties. Stopping before "
            "the weights have grown large acts much like L2; the test set never takes part in the choice.",
            early_stopping_latex(settings.dev_fraction, settings.num_iterations, settings.record_every)))
    return sections


def _named(name: str, word: str) -> str:
    """ " (L2 big)" after a section's word, naming the model its numbers are of; "" when the model's
    name is the word itself ("Adam")."""
    return "" if title(name).casefold() == word.casefold() else f" ({title(name)})"


def optimizer_sections(models: Mapping, first: Mapping[str, TrainResult]) -> list[tuple[str, list[str]]]:
    """The math view's sections on how the models train, each with the numbers of the first model
    that uses it: momentum, Adam, decoupled weight decay and mini-batches; none for the course's
    full-batch gradient descent."""
    def first_with(test):
        return next((name for name, settings in models.items() if test(settings)), None)

    sections = []
    momentum, adam = (first_with(lambda s, kind=kind: s.optimizer == kind) for kind in ("momentum", "adam"))
    if momentum:
        sections.append((
            f"**Momentum**{_named(momentum, 'momentum')} steps along a running average of the gradients instead of the last one, "
            "so that steps that agree add up and steps that zigzag cancel.",
            momentum_latex(models[momentum].learning_rate)))
    if adam:
        settings = models[adam]
        sections.append((
            f"**Adam**{_named(adam, 'Adam')} divides each weight's averaged gradient by the root of its averaged square: "
            "every weight moves by about α per step whatever the size of its gradient. The bias correction makes up "
            "for v and s starting at 0.",
            adam_latex(settings.learning_rate, settings.num_iterations)))
    decayed = first_with(lambda s: s.weight_decay > 0)
    if decayed:
        settings = models[decayed]
        sections.append((
            f"**Weight decay** ({'' if title(decayed).casefold() == 'weight decay' else title(decayed) + ', '}wd = "
            f"{settings.weight_decay:g}) shrinks every weight at each step, "
            "beside the optimizer's step rather than through it. With gradient descent that is exactly L2, since "
            "L2's term λ/m·W enters the step unchanged. With Adam it is not: L2's term is part of the gradient, which "
            "Adam divides by √ŝ, so how hard it pulls a weight depends on that weight's gradients; weight decay pulls "
            "every weight by the same share α·wd per step, whatever its gradients.",
            weight_decay_latex(settings.weight_decay, settings.learning_rate, first[decayed].train_size)))
    batched = first_with(lambda s: s.batch_size is not None)
    if batched:
        settings, m = models[batched], first[batched].train_size
        sections.append((
            f"**Mini-batches**{_named(batched, 'mini-batches')}: each update uses the gradient of "
            f"{min(settings.batch_size, m)} of the {m} training points, taken in a new seeded shuffle every epoch"
            + ("; the L2 term keeps λ/m of the whole set, so the penalty is the same as with the full batch."
               if settings.lambd > 0 else "."),
            mini_batch_latex(min(settings.batch_size, m), m)))
    return sections


def change_help(name: str, baseline: str, several: bool) -> str | None:
    """What a model's test change is measured against (nothing for the baseline itself)."""
    if name == baseline:
        return None
    return (f"The change is against {title(baseline)}"
            + (": colored when beyond noise, \"≈ noise\" when it is at most the spread (the larger standard "
               "deviation) of test accuracy over the seeds." if several else "."))


def table_caption(table, baseline: str, n_seeds: int) -> str:
    """What the accuracy table shows: its highlight, the gap, how models that did not train are
    marked, and with several seeds what its means and changes are."""
    return " ".join(filter(None, [
        f"The best test accuracy is highlighted; choosing a model by it would overfit the test set, so the "
        f"[Sweep page]({SWEEP_PAGE}) chooses on held-out training points (dev) instead. Gap = train − test accuracy: "
        "how much a model overfits.",
        outcome_note(table),
        (f"Mean and standard deviation over {n_seeds} init seeds. Test change: the mean test accuracy minus "
         f"{title(baseline)}'s, within noise when it is at most the larger of their standard deviations."
         if n_seeds > 1 else "")]))
