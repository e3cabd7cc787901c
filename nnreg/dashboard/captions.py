"""Sentences computed from the numbers they sit beside."""

from __future__ import annotations

from collections.abc import Mapping

from ..settings import STUDY_TITLES
from ..training import TrainResult


def weight_decay_caption(results: Mapping[str, TrainResult]) -> str:
    """What each regularizer did to the weights, in numbers, relative to no regularization.
    Diverged models are named and left out: their weights say nothing about regularization."""
    if results["none"].diverged_at is not None:
        return ("No regularization diverged, so there are no trained weights to compare the others with: "
                "lower the learning rate.")
    baseline = results["none"].total_weight_norm()
    parts, left_out = [], []
    for name, result in results.items():
        if name == "none":
            continue
        title = STUDY_TITLES[name].replace("Dropout", "dropout")
        if result.diverged_at is not None:
            left_out.append(title)
            continue
        norm = result.total_weight_norm()
        verb = "shrank" if norm < baseline else "grew"
        subject = "the total weight norm ‖W‖" if not parts else "it"
        change = f"{norm / baseline - 1:+.0%}".replace("-", "−")
        parts.append(f"{title} {verb} {subject} from {baseline:.1f} to {norm:.1f} ({change})")
    caption = "; ".join(parts) + "." if parts else ""
    if left_out:
        caption += (f" {' and '.join(left_out)} diverged and {'is' if len(left_out) == 1 else 'are'} left out "
                    "of this comparison.")
    return caption[0].upper() + caption[1:] if caption else caption


def training_problem(result: TrainResult) -> str | None:
    """Why a run is not a trained model (it diverged), in words for the page, or None."""
    if result.diverged_at is None:
        return None
    return (f"Training diverged at iteration {result.diverged_at:,}: lower the learning rate "
            f"(now {result.settings.learning_rate:g}).")
