"""Why a run is not a trained model, and its cure, in words the page and the command line both
show."""

from __future__ import annotations

from ..training import COLLAPSED, DIVERGED, TrainResult


def training_problem(result: TrainResult) -> str | None:
    """Why a run is not a trained model, with its cure (``training.outcome_of`` tells which), in
    words for the page and the command line; None for a model that trained.  A diverged run's
    steps were too large; a collapsed model learned nothing, its cure by its cause: a hidden layer
    whose every unit died (steps too large), or a penalty too strong.  Steps too large on raw
    features much larger than 1 (``TrainResult.unscaled``) are cured first by standardizing them."""
    outcome, settings = result.outcome, result.settings
    rate = f"lower the learning rate (now {settings.learning_rate:g})"
    if result.unscaled:
        largest = _size(result.feature_sizes.max())
        rate = (f"standardize the inputs first (standardize=on: its largest feature is {largest} in size, far above "
                f"1), then, if it still fails, {rate}")
    if outcome.kind == DIVERGED:
        if outcome.cause == "overflowed":
            return f"Training diverged at iteration {outcome.iteration:,}: the weights overflowed: {rate}."
        ended = (f", and it ends giving {_one_output(outcome.output, probability=False)}"
                 if outcome.cause == "thrown" else "")
        return (f"Training diverged at iteration {outcome.iteration:,} (its cost rose from {outcome.start_cost:.3f} "
                f"to {outcome.cost:.3f}{ended}): {rate}.")
    if outcome.kind != COLLAPSED:
        return None
    if outcome.cause == "dead layer":
        return (f"Collapsed: every unit of hidden layer {outcome.output.dead_layer} is zero on every point it trained "
                f"on, so the model gives {_one_output(outcome.output, whom='all of them')} and learned nothing. "
                f"Steps too large leave a network so: {rate}.")
    nothing = f"gives {_one_output(outcome.output)} and learned nothing"
    if outcome.cause == "penalty":
        penalties = [f"{name} (now {value:g})" for name, value in (("λ", settings.lambd), ("l1", settings.l1))
                     if value > 0]
        return (f"Collapsed: the penalty is too strong and the model underfits: it {nothing}. "
                f"Lower {' or '.join(penalties)}.")
    return f"Collapsed: the model {nothing} (its cost went from {outcome.start_cost:.3f} to {outcome.cost:.3f})."


def _size(value: float) -> str:
    """A feature's size to three significant digits: 1,070, 12.3 or 5.94."""
    return f"{float(f'{value:.3g}'):,.0f}" if value >= 100 else f"{value:.3g}"


def _one_output(output, probability: bool = True, whom: str = "every point it trained on") -> str:
    """What a network with one output for every point gives them: "label 1 to every point it
    trained on (P(label 1) = 0.507 at each)", or one probability straddling the threshold."""
    middle = (output.low + output.high) / 2
    if output.label is None:
        if output.n_classes > 2:
            return f"the same probability of each class to {whom}"
        return f"the same P(label 1), {middle:.3f}, to {whom}"
    # With more than two classes, low and high are the probability of the label given to all.
    which = "label 1" if output.n_classes == 2 else f"label {output.label}"
    # Within half of the last decimal shown, the probabilities read as one.
    spread = (f"P({which}) = {middle:.3f} at each" if output.high - output.low < 5e-4
              else f"P({which}) from {output.low:.3f} to {output.high:.3f}")
    return f"label {output.label} to {whom}" + (f" ({spread})" if probability else "")
