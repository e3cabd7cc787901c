"""The dashboard's logic that is not layout: its controls and their URL values, the models a set
of control values means, the trained models it shares between sessions, and the table, caption,
math and downloads built from results.

Every control's key is also its URL query parameter.  Every value, from a link or typed, is
read by ``parse_value`` with the rules of ``nnreg.limits`` (the command line's too): a value
refused is named in a message with what is allowed, and the control goes back to the value the
models use.  Streamlit silently drops a URL value its widget cannot take, so ``check_query_params``
runs before any widget exists.
"""

from __future__ import annotations

import io
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data
from .limits import MAX_ITERATIONS, MAX_LAMBD, MAX_LEARNING_RATE, MAX_SEEDS, format_layers, parse_layers, parse_number
from .palette import HIGHLIGHT
from .settings import DROPOUT_MASKS, STUDY, STUDY_TITLES, Settings
from .study import repetitions, summary_table
from .training import HEARTBEAT_SECONDS, NUMBA_AVAILABLE, TrainResult, train_many

UPLOAD = "upload"
COURSE = Settings()


@dataclass(frozen=True)
class Control:
    """One control's course default and what it accepts; the type of ``default`` sets the kind:
    bool (a switch), int or float (a range from ``low`` to ``high``), str with ``options`` (a
    choice) or str without (the hidden layer sizes, as text)."""

    default: object
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[str, ...] | None = None


# The controls go as far as the command line does (nnreg.limits); what a whole page may train is
# bounded by limits.BUDGET, checked before anything trains.
CONTROLS: dict[str, Control] = {
    "data": Control(data.BUILTIN),
    "n_points": Control(400, 40, 2000, 20),
    "noise": Control(0.1, 0.0, 1.0, 0.01),
    "data_seed": Control(0, 0, 1_000_000, 1),
    "learning_rate": Control(COURSE.learning_rate, 0.001, MAX_LEARNING_RATE, 0.05),
    "num_iterations": Control(COURSE.num_iterations, 100, MAX_ITERATIONS, 1000),
    "layers": Control(format_layers(COURSE.layer_dims)),
    "seed": Control(COURSE.seed, 0, 1_000_000, 1),
    "n_seeds": Control(1, 1, MAX_SEEDS, 1),
    "lambd": Control(STUDY["l2"].lambd, 0.0, MAX_LAMBD, 0.1),
    "keep_prob": Control(STUDY["dropout"].keep_prob, 0.05, 1.0, 0.01),
    "dropout_mask": Control(COURSE.dropout_mask, options=DROPOUT_MASKS),
    "l2_dropout": Control(False),
    "test_points": Control(True),
    "discretize": Control(False),
    "math": Control(False),
}


def dataset_choices() -> list[str]:
    """The dataset menu: the built-in set, the synthetic ones, files in data/, and an upload."""
    return [*data.list_datasets(), UPLOAD]


def parse_value(key: str, text, choices: list[str]):
    """A control's value from its text (a link's, or typed), by the rules of ``nnreg.limits``;
    a ValueError names the control and what it accepts."""
    control = CONTROLS[key]
    text = str(text)
    if isinstance(control.default, bool):
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{key} must be true or false")
        return text.lower() == "true"
    if isinstance(control.default, (int, float)):
        return parse_number(text, key, whole=isinstance(control.default, int), low=control.low, high=control.high)
    if key == "layers":
        return parse_layers(text)
    options = choices if key == "data" else control.options
    if text not in options:
        raise ValueError(f"{key} must be one of {', '.join(options)}")
    return text


def shown_value(key: str, value) -> str:
    """A control's value as its field and its link show it: true/false, "20, 3", 0.7."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return format_layers(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_query_params(params: Mapping[str, str], choices: list[str]) -> dict[str, str]:
    """A message for each URL parameter whose value its control cannot take, by parameter
    (other parameters are left alone: they may belong to another page)."""
    messages = {}
    for key, text in params.items():
        if key not in CONTROLS:
            continue
        try:
            parse_value(key, text, choices)
        except ValueError as error:
            messages[key] = (f"The link's `{key}={text}` was not used: {error}. "
                             f"The models use the default, {shown_value(key, CONTROLS[key].default)}.")
    return messages


def typed_problem(key: str, label: str, value, used, choices: list[str]) -> str | None:
    """Why a value typed into a control cannot be used, naming it and what is allowed (None if
    it can); ``used`` is the value the models keep using."""
    try:
        parse_value(key, "" if value is None else value, choices)
    except ValueError as error:
        typed = "an empty field" if value is None or str(value).strip() == "" else f"`{value}`"
        return f"{label}: {typed} was not used: {error}. The models use {shown_value(key, used)}."
    return None


def load_choice(choice: str, n_points: int, noise: float, data_seed: int) -> data.Dataset:
    """The dataset a menu choice names (the synthetic ones with their options)."""
    if choice in data.SYNTHETIC:
        return data.make_dataset(choice, n_points=n_points, noise=noise, seed=data_seed)
    return data.load_dataset(choice)


def model_settings(values: Mapping) -> dict[str, Settings]:
    """The study's models for these control values: the course's three, and L2 + dropout on request."""
    base = Settings(layer_dims=values["layers"], learning_rate=values["learning_rate"],
                    num_iterations=values["num_iterations"], seed=values["seed"],
                    dropout_mask=values["dropout_mask"])
    models = {
        "none": base,
        "l2": base.replace(lambd=values["lambd"]),
        "dropout": base.replace(keep_prob=values["keep_prob"]),
    }
    if values["l2_dropout"]:
        models["l2_dropout"] = base.replace(lambd=values["lambd"], keep_prob=values["keep_prob"])
    return models


def model_strength(name: str, settings: Settings) -> str:
    """The model's regularization strength in the course's names, e.g. "λ = 0.7" ("" for none)."""
    lambd, keep_prob = f"λ = {settings.lambd:g}", f"keep_prob = {settings.keep_prob:g}"
    return {"none": "", "l2": lambd, "dropout": keep_prob, "l2_dropout": f"{lambd}, {keep_prob}"}[name]


def model_title(name: str, settings: Settings) -> str:
    """The model's name with its strength, e.g. "L2 (λ = 0.7)"."""
    strength = model_strength(name, settings)
    return STUDY_TITLES[name] + (f" ({strength})" if strength else "")


def seed_runs(settings: Settings, n_seeds: int) -> list[Settings]:
    """The runs of a model: one with the chosen init seed, or with several seeds init seeds
    0..n_seeds-1 as ``reproduce --seeds n_seeds`` trains them (``study.repetitions``)."""
    return repetitions(settings, None if n_seeds == 1 else n_seeds)


def training_problem(result: TrainResult) -> str | None:
    """Why a run is not a trained model (it diverged), in words for the page, or None."""
    if result.diverged_at is None:
        return None
    return (f"Training diverged at iteration {result.diverged_at:,}: lower the learning rate "
            f"(now {result.settings.learning_rate:g}).")


# A course model holds about 20 kB (127 parameters and a 300-row history), so the entry bound
# keeps a few MB; the byte bound is for the largest networks the controls allow (10 hidden layers
# of 500 units hold 18 MB of weights), a share a Community Cloud app's 1 GB can spare.
CACHE_ENTRIES = 256
CACHE_BYTES = 256 * 2**20


def result_bytes(result: TrainResult) -> int:
    """The memory a trained model holds: its parameters and its history."""
    return (sum(value.nbytes for value in result.parameters.values())
            + int(result.history.memory_usage(index=True).sum()))


class ModelCache:
    """Trained models shared by every session of a server, by dataset fingerprint and Settings.

    Models it lacks are trained together by ``train_many`` (one per core), then kept, so going
    back to an earlier setting is a lookup.  Streamlit runs each session's script on its own
    thread, hence the lock; beyond ``max_entries`` models or ``max_bytes`` the least recently
    used are dropped.  Models are shared, not copied, so their arrays are made read-only.  A
    model that one session is training is not trained again by another: a class opening the
    same link at once waits for one training, not thirty.
    """

    def __init__(self, max_entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, Settings], tuple[TrainResult, int]] = OrderedDict()
        self._bytes = 0
        # Models being trained, by key: the future is set when the session training them ends.
        self._training: dict[tuple[str, Settings], Future] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return self._bytes

    def get(self, fingerprint: str, settings: Settings) -> TrainResult | None:
        key = (fingerprint, settings)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, fingerprint: str, settings: Settings, result: TrainResult) -> None:
        for value in result.parameters.values():
            value.setflags(write=False)
        key, size = (fingerprint, settings), result_bytes(result)
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (result, size)
            self._bytes += size
            # A model larger than the whole bound evicts everything, itself included.
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def missing(self, dataset: data.Dataset, runs: Sequence[Settings]) -> list[Settings]:
        """The distinct settings among ``runs`` that have no model yet."""
        return [run for run in dict.fromkeys(runs) if self.get(dataset.fingerprint, run) is None]

    def results(self, dataset: data.Dataset, runs: Sequence[Settings],
                progress: Callable[[int, int], None] | None = None,
                heartbeat: Callable[[], None] | None = None) -> list[TrainResult]:
        """One model per run, in order: those kept as they are, those another session is
        training when they are done, the others trained now, together.

        ``progress(done, total)`` is called after each model trained or waited for, and
        ``heartbeat()`` about every ``training.HEARTBEAT_SECONDS`` meanwhile.  If either raises
        (the page reran or closed), the models this call trains stop within an iteration and the
        sessions waiting for them train them themselves.  Every model is held here from the
        start, so another session filling the cache meanwhile cannot lose one.
        """
        fingerprint = dataset.fingerprint
        found, ours, theirs = {}, {}, {}
        with self._lock:
            for run in dict.fromkeys(runs):
                key = (fingerprint, run)
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[run] = self._entries[key][0]
                elif key in self._training:
                    theirs[run] = self._training[key]
                else:
                    ours[run] = self._training[key] = Future()
        total = len(ours) + len(theirs)

        def report(done: int, _ours: int = 0) -> None:
            # Counts over everything this call lacked, not only what it trains itself.
            if progress is not None:
                progress(done, total)

        try:
            if ours:
                for run, result in zip(ours, train_many(dataset, list(ours), progress=report, heartbeat=heartbeat)):
                    self.put(fingerprint, run, result)
                    found[run] = result
                    ours[run].set_result(result)
        finally:
            # Stopped or failed: sessions waiting for these models are told to train them themselves.
            with self._lock:
                for run, future in ours.items():
                    # cancel() alone does not wake threads in wait(); this does.
                    if future.cancel():
                        future.set_running_or_notify_cancel()
                    self._training.pop((fingerprint, run), None)
        pending = {future: run for run, future in theirs.items()}
        while pending:
            finished, _ = wait(pending, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                run = pending.pop(future)
                found[run] = (self.results(dataset, [run], heartbeat=heartbeat)[0] if future.cancelled()
                              else future.result())
                report(total - len(pending))
            if pending and heartbeat is not None:
                heartbeat()
        return [found[run] for run in runs]


def _warm_up() -> None:
    from .engines import compiled  # imported here, on the background thread: loading Numba takes a moment

    compiled.warm_up()


def warm_up_in_background() -> threading.Thread | None:
    """Start compiling the training kernel (or loading it from Numba's disk cache) on a daemon
    thread, so the page can say that it is compiling rather than wait on it silently.  None
    when Numba is not installed: there is nothing to compile then."""
    if not NUMBA_AVAILABLE:
        return None
    thread = threading.Thread(target=_warm_up, name="nnreg-warm-up", daemon=True)
    thread.start()
    return thread


PERCENT_COLUMNS = ["Train accuracy", "Train std", "Test accuracy", "Test std", "Gap (train − test)", "Gap std"]


def diverged(runs: Sequence[TrainResult]) -> int:
    """How many of a model's runs diverged: such a model is no result to compare."""
    return sum(run.diverged_at is not None for run in runs)


def accuracy_table(results: Mapping[str, list[TrainResult]]) -> pd.DataFrame:
    """One row per model, indexed by its name: accuracies as fractions; with several seeds their
    mean and std, and each regularized model's test difference from no regularization with
    whether it is within noise.  A model with diverged runs is marked in a "Diverged" column
    and compared with nothing."""
    summary = summary_table(dict(results)).set_index("name")
    several = bool((summary["runs"] > 1).any())
    table = pd.DataFrame({
        "Model": [model_title(name, runs[0].settings) for name, runs in results.items()],
        "λ": summary["lambd"],
        "keep_prob": summary["keep_prob"],
    }, index=summary.index.rename(None))
    for label, column in (("Train accuracy", "train_accuracy"), ("Test accuracy", "test_accuracy"),
                          ("Gap (train − test)", "gap")):
        table[label] = summary[column]
        if several:
            table[f"{label.split()[0]} std"] = summary[f"{column}_std"]
    failed = {name: diverged(runs) for name, runs in results.items()}
    if several:
        # The command line's verdict (study.versus_none), so the two never disagree.
        verdicts = summary["test_vs_none"]
        table["Test change"] = [math.nan if name == "none" or failed[name] or failed["none"]
                                else table.loc[name, "Test accuracy"] - table.loc["none", "Test accuracy"]
                                for name in table.index]
        table["Within noise"] = pd.Series([None if not verdicts[name] else verdicts[name] == "within noise"
                                           for name in table.index], index=table.index, dtype="boolean")
        table["Seeds"] = summary["runs"]
    if any(failed.values()):
        table["Diverged"] = [failed[name] for name in table.index]
    table["Training seconds"] = summary["seconds"]
    return table


def comparable(table: pd.DataFrame, name: str) -> bool:
    """Whether a model's accuracies are results: none of its runs diverged."""
    return "Diverged" not in table or not table.loc[name, "Diverged"]


def accuracy_change(table: pd.DataFrame, name: str) -> tuple[str | None, bool]:
    """A model's test accuracy against no regularization's as a metric's delta, e.g. "+1.5 pts",
    or "+0.5 pts, within noise" with several seeds (None for no regularization itself); and
    whether it is a change worth a color: nonzero as shown, and beyond noise when that is known.
    A diverged model, or one compared with a diverged baseline, gets the reason instead."""
    if name == "none":
        return None, False
    if not comparable(table, name):
        return "diverged: not compared", False
    if not comparable(table, "none"):
        return "not compared: no regularization diverged", False
    change = table.loc[name, "Test accuracy"] - table.loc["none", "Test accuracy"]
    # An ASCII minus: st.metric reads the delta's direction (arrow and color) from a leading "-".
    text = change_in_points(table, name, change, minus="-")
    if "Within noise" not in table:
        return text, bool(round(100 * change, 1))
    within = bool(table.loc[name, "Within noise"])
    return f"{text}, {'within' if within else 'beyond'} noise", bool(round(100 * change, 1)) and not within


def change_in_points(table: pd.DataFrame, name: str, change: float, minus: str = "−") -> str:
    """A test-accuracy change in points, e.g. "+1.5 pts": with one decimal, or more where one
    would show a change beyond noise equal to the spread shown beside it (the larger standard
    deviation of the two models, which the verdict compares it with)."""
    points, decimals = 100 * change, 1
    within = table.loc[name, "Within noise"] if "Within noise" in table else pd.NA
    if within is not pd.NA and not within:
        spread = 100 * max(table.loc[name, "Test std"], table.loc["none", "Test std"])
        while decimals < 4 and round(abs(points), decimals) <= round(spread, decimals):
            decimals += 1
    return f"{points:+.{decimals}f} pts".replace("-", minus)


def style_table(table: pd.DataFrame):
    """The table for display: percentages, changes in points, and the best test accuracy among
    the models that did not diverge highlighted."""
    shown = table.copy()
    if "Within noise" in shown:
        # As text: the page's table would show the baseline's empty cells as "None" and
        # true/false as checkboxes.
        shown["Test change"] = ["" if math.isnan(change) else change_in_points(table, name, change)
                                for name, change in shown["Test change"].items()]
        shown["Within noise"] = ["" if pd.isna(within) else "yes" if within else "no"
                                 for within in shown["Within noise"]]
    results = [comparable(table, name) for name in table.index]
    if "Diverged" in shown:
        seeds = table["Seeds"] if "Seeds" in table else pd.Series(1, index=table.index)
        shown["Diverged"] = ["" if not count else "yes" if seeds[name] == 1 else f"{count} of {seeds[name]} runs"
                             for name, count in table["Diverged"].items()]
    best_value = table.loc[results, "Test accuracy"].max() if any(results) else math.nan
    best = [ok and value == best_value for ok, value in zip(results, table["Test accuracy"])]
    percent = [column for column in PERCENT_COLUMNS if column in shown]
    return (shown.style
            .format("{:.1%}", subset=percent)
            .format("{:g}", subset=["λ", "keep_prob"])
            .format("{:.2f}", subset=["Training seconds"])
            .apply(lambda column: [f"background-color: {HIGHLIGHT}; font-weight: bold" if is_best else ""
                                   for is_best in best], subset=["Test accuracy"]))


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


def l2_latex(lambd: float, m: int, learning_rate: float) -> list[str]:
    """The L2 cost, its gradient term and the decay it causes, with this run's λ, m and α."""
    return [
        r"J = -\frac{1}{m}\sum_{i=1}^{m}\Big(y^{(i)}\log a^{[L](i)} + (1-y^{(i)})\log\big(1-a^{[L](i)}\big)\Big)"
        r" + \underbrace{\frac{\lambda}{2m}\sum_{l}\lVert W^{[l]}\rVert_F^2}_{\text{L2 penalty}}"
        rf",\qquad \frac{{\lambda}}{{2m}} = \frac{{{lambd:g}}}{{2 \cdot {m}}} = {lambd / (2 * m):.3g}",
        r"dW^{[l]} = \underbrace{\frac{1}{m}\,dZ^{[l]}A^{[l-1]\top}}_{\text{backprop}} + \frac{\lambda}{m}W^{[l]}",
        r"W^{[l]} \leftarrow \Big(1 - \frac{\alpha\lambda}{m}\Big)W^{[l]} - \frac{\alpha}{m}\,dZ^{[l]}A^{[l-1]\top}"
        rf",\qquad 1 - \frac{{\alpha\lambda}}{{m}} = 1 - \frac{{{learning_rate:g} \cdot {lambd:g}}}{{{m}}}"
        rf" = {1 - learning_rate * lambd / m:.6f}",
    ]


def dropout_latex(keep_prob: float) -> list[str]:
    """Inverted dropout forward and backward, with this run's keep_prob."""
    return [
        rf"D^{{[l]}} = \big(\mathrm{{rand}}(n^{{[l]}}, m) < {keep_prob:g}\big),\qquad "
        rf"A^{{[l]}} \leftarrow \frac{{A^{{[l]}} \odot D^{{[l]}}}}{{{keep_prob:g}}}",
        rf"dA^{{[l]}} \leftarrow \frac{{dA^{{[l]}} \odot D^{{[l]}}}}{{{keep_prob:g}}},\qquad "
        rf"\frac{{1}}{{\mathrm{{keep\_prob}}}} = {1 / keep_prob:.4g}",
    ]
