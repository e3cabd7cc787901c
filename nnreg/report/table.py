"""The accuracy table: what it holds, how a change against no regularization reads, how it is
shown on the page and printed by ``compare``."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from .formatting import csv_text, percent_cell, points, text_table
from .palette import FALL, HIGHLIGHT, HIGHLIGHT_TEXT, RISE
from ..settings import title
from ..study import summary_table
from ..sweeps import WITHIN_NOISE
from ..training import COLLAPSED, DIVERGED, TrainResult


PERCENT_COLUMNS = ["Train accuracy", "Train std", "Test accuracy", "Test std", "Balanced test accuracy",
                   "Gap (train − test)", "Gap std"]
# Above this share of the training points in one class, accuracy mostly measures that class: the
# page warns, naming it.
IMBALANCE = 0.8
# Significant digits the table's CSV keeps: far more than any accuracy needs (a count over at most
# a few hundred thousand points needs 6), far fewer than the 17 that show float64's rounding
# (a gap 0.92 - 0.895 reads 0.025000000000000022).
CSV_DIGITS = 12


def accuracy_table(results: Mapping[str, list[TrainResult]], titles: Mapping[str, str] | None = None,
                   dataset=None) -> pd.DataFrame:
    """One row per model, indexed by its name: accuracies as fractions; with several seeds their
    mean and std, and each model's test difference from the first (the course's: no
    regularization) with whether it is within noise.  When a run did not train, an "Outcome" column
    says how each model's runs ended (``training.outcomes_text``): a model with a diverged run is
    compared with nothing, a collapsed one like any other.  With the ``dataset`` the results were
    trained on, the balanced test accuracy beside the test accuracy (its mean over seeds).  A
    "Standardized" column says whether each model's inputs were, where a model's were or the
    data's default is to.  ``titles`` are the models' titles in the table (default: their names,
    the course's titles for the study's)."""
    summary = summary_table(dict(results), dataset).set_index("name")
    several = bool((summary["runs"] > 1).any())
    table = pd.DataFrame({
        "Model": [(titles or {}).get(name, title(name)) for name in results],
        "λ": summary["lambd"],
        "keep_prob": summary["keep_prob"],
    }, index=summary.index.rename(None))
    # Columns for what only some pages use: L1's strength, the points fitted, where training stopped.
    if (summary["l1"] > 0).any():
        table.insert(2, "l1", summary["l1"])
    if (summary["weight_decay"] > 0).any():
        table.insert(table.columns.get_loc("keep_prob"), "weight_decay", summary["weight_decay"])
    if any(runs[0].settings.train_fraction < 1 or runs[0].settings.early_stopping for runs in results.values()):
        table["Train points"] = summary["train_size"]
    if summary["best_iteration"].notna().any():
        table["Stopped at"] = summary["best_iteration"]
    # Whether the inputs were standardized, wherever it is a question: a model or the data's default says so.
    if summary["standardized"].any() or (dataset is not None and dataset.standardize):
        table["Standardized"] = summary["standardized"]
    for label, column in (("Train accuracy", "train_accuracy"), ("Test accuracy", "test_accuracy"),
                          ("Gap (train − test)", "gap")):
        table[label] = summary[column]
        if several:
            table[f"{label.split()[0]} std"] = summary[f"{column}_std"]
        if column == "test_accuracy" and dataset is not None:
            table["Balanced test accuracy"] = summary["test_balanced_accuracy"]
    failed = {name: bool(summary.loc[name, "diverged"]) for name in results}
    if several:
        # The command line's verdict (study.versus_first), so the two never disagree.
        verdicts = summary["test_vs_first"]
        first = table.index[0]
        table["Test change"] = [math.nan if name == first or failed[name] or failed[first]
                                else table.loc[name, "Test accuracy"] - table.loc[first, "Test accuracy"]
                                for name in table.index]
        table["Within noise"] = pd.Series([None if not verdicts[name] else verdicts[name] == WITHIN_NOISE
                                           for name in table.index], index=table.index, dtype="boolean")
        table["Seeds"] = summary["runs"]
    if (summary["outcome"] != "trained").any():
        table["Outcome"] = summary["outcome"]
    table["Training seconds"] = summary["seconds"]
    return table


def majority_class(dataset) -> tuple[str, float, float]:
    """The class most frequent among the training points (the one a model that learned nothing
    but the counts would always answer), its share of the training points and of the test points:
    the latter is the majority-class baseline's test accuracy.  Classes named only by their codes
    (0, 1, ...) are called "label 1", as the course calls them."""
    code = int(np.argmax(np.bincount(dataset.train_Y, minlength=dataset.n_classes)))
    codes_only = dataset.class_names == tuple(str(c) for c in range(dataset.n_classes))
    name = f"label {code}" if codes_only else dataset.class_names[code]
    return (name, float(np.mean(dataset.train_Y == code)),
            float(np.mean(dataset.test_Y == code)))


def baseline_note(dataset) -> str:
    """The majority-class baseline in a sentence, for the line under the table."""
    name, _, test_share = majority_class(dataset)
    counts = np.bincount(dataset.train_Y)
    largest = "the largest class" if np.sum(counts == counts.max()) == 1 else "one of the largest classes"
    present = len(np.unique(dataset.test_Y))
    return (f"Majority-class baseline: always answering {name} ({largest} of the training points) scores "
            f"{percent_cell(test_share)} test accuracy, and {percent_cell(1 / present)} balanced test accuracy "
            f"(each class's share of test points labelled right, averaged over the {present} classes).")


def standardized_note(table: pd.DataFrame) -> str:
    """What the table's Standardized column means, for the caption under it ("" without the column)."""
    if "Standardized" not in table:
        return ""
    raw = not all(table["Standardized"])
    return ("Standardized: each input feature scaled to mean 0 and standard deviation 1 over the points the model "
            "fitted (never its dev or test points)" + ("; the others train on the raw features." if raw else "."))


def imbalance_warning(dataset) -> str | None:
    """A warning naming the majority class when it is above ``IMBALANCE`` of the training points
    (None otherwise): accuracy then mostly counts that class."""
    name, train_share, test_share = majority_class(dataset)
    if train_share <= IMBALANCE:
        return None
    return (f"{name} is {percent_cell(train_share)} of the training points: a model that always answers {name} "
            f"already scores {percent_cell(test_share)} test accuracy. Compare the models by their balanced test "
            "accuracy, which counts every class alike.")


def comparable(table: pd.DataFrame, name: str) -> bool:
    """Whether a model's accuracies are results: none of its runs diverged (a collapsed model's are)."""
    return "Outcome" not in table or DIVERGED not in table.loc[name, "Outcome"]


def outcome_note(table: pd.DataFrame) -> str:
    """What the table's Outcome column says, for the caption under it ("" without the column)."""
    said = " ".join(table["Outcome"]) if "Outcome" in table else ""
    notes = []
    if COLLAPSED in said:
        notes.append("Collapsed: the model gives every point it trained on one label and learned nothing; its "
                     "accuracies are results, compared and highlighted like any other's.")
    if DIVERGED in said:
        notes.append("Diverged: its steps were too large and training failed; a model with a diverged run is no "
                     "result, never highlighted or compared.")
    return " ".join(notes)


class Delta(NamedTuple):
    """A metric's delta as ``st.metric`` takes it: its text, ``delta_color`` and ``delta_arrow``."""

    text: str
    color: str = "off"
    arrow: str = "off"


def accuracy_change(table: pd.DataFrame, name: str) -> Delta:
    """A model's test accuracy against no regularization's as a metric's delta, e.g. "+1.5 pts",
    or "+0.5 pts ≈ noise" with several seeds when within noise ("the baseline" for no regularization itself,
    which keeps the metrics of every model the same height); colored, green up or red down, when
    it is a change worth a color: nonzero as shown, and beyond noise when that is known.
    A diverged model, or one compared with a diverged baseline, gets the reason instead."""
    first = table.index[0]
    if name == first:
        return Delta("the baseline")
    if not comparable(table, name):
        return Delta("diverged: not compared")
    if not comparable(table, first):
        return Delta(f"not compared: {title(first)} diverged")
    change = table.loc[name, "Test accuracy"] - table.loc[first, "Test accuracy"]
    # The true minus, as in the table: the direction is given, not read from a leading "-".
    text = change_in_points(table, name, change)
    within = "Within noise" in table and bool(table.loc[name, "Within noise"])
    # Short enough for a metric in a column a third of the page wide: a change beyond noise is
    # colored, one within noise is grey and says so.
    if within:
        return Delta(f"{text} ≈ noise")
    if not round(100 * change, 1):
        return Delta(text)
    return Delta(text, RISE, "up") if change > 0 else Delta(text, FALL, "down")


def change_in_points(table: pd.DataFrame, name: str, change: float) -> str:
    """A test-accuracy change in points, e.g. "+1.5 pts": with one decimal, or more where one
    would show a change beyond noise equal to the spread shown beside it (the larger standard
    deviation of the two models, which the verdict compares it with)."""
    within = table.loc[name, "Within noise"] if "Within noise" in table else pd.NA
    spread = (100 * max(table.loc[name, "Test std"], table.loc[table.index[0], "Test std"])
              if within is not pd.NA and not within else None)
    return f"{points(100 * change, spread, sign=True)} pts"


def _best(table: pd.DataFrame) -> list[bool]:
    """Which rows have the best test accuracy among the models that did not diverge."""
    results = [comparable(table, name) for name in table.index]
    best_value = table.loc[results, "Test accuracy"].max() if any(results) else math.nan
    return [ok and value == best_value for ok, value in zip(results, table["Test accuracy"])]


def _with_text(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its columns that are words written out: the change in points, yes/no and
    the iteration early stopping kept (the page's table would show an empty cell as "None" and
    true/false as checkboxes)."""
    shown = table.copy()
    if "Within noise" in shown:
        shown["Test change"] = ["" if math.isnan(change) else change_in_points(table, name, change)
                                for name, change in table["Test change"].items()]
        shown["Within noise"] = ["" if pd.isna(within) else "yes" if within else "no"
                                 for within in table["Within noise"]]
    if "Standardized" in shown:
        shown["Standardized"] = ["yes" if standardized else "no" for standardized in table["Standardized"]]
    if "Stopped at" in shown:
        shown["Stopped at"] = ["" if math.isnan(value) else f"{value:,.0f}" for value in table["Stopped at"]]
    return shown


def _formats(table: pd.DataFrame) -> dict:
    """How each number column reads: percentages, strengths as written, seconds."""
    formats = {column: percent_cell for column in PERCENT_COLUMNS if column in table}
    formats |= {column: "{:g}".format for column in ("λ", "l1", "weight_decay", "keep_prob") if column in table}
    return formats | {"Training seconds": "{:.2f}".format}


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as text, cell by cell, as the page shows it (``compare`` prints it)."""
    shown = _with_text(table)
    for column, format_ in _formats(table).items():
        shown[column] = shown[column].map(format_)
    return shown


def style_table(table: pd.DataFrame):
    """The table for the page: the numbers kept (formatted for display), the best test accuracy
    among the models that did not diverge highlighted, and every cell on one line."""
    best = _best(table)
    # Cells on one line: in a table of many columns (13 with several seeds) the browser otherwise
    # squeezes the cells with spaces, a model's title into three lines and "+2.3 pts" into two,
    # while the headers, which may wrap, have room to give.  The page writes each cell inside a
    # block of its own that resets white-space, hence the rule for what is in a cell too.
    return _with_text(table).style.format(_formats(table)).apply(
        lambda column: [f"background-color: {HIGHLIGHT}; color: {HIGHLIGHT_TEXT}; font-weight: bold" if is_best else ""
                        for is_best in best], subset=["Test accuracy"]).set_table_styles(
        [{"selector": "td, td *", "props": "white-space: nowrap"},
         # Except a model's title, which may take two lines when long ("Adam + weight decay (Adam, α =
         # 0.01, weight decay 0.0995)"), rather than push the last columns out of a 1280-pixel page.
         {"selector": "td:first-child, td:first-child *", "props": "white-space: normal; min-width: 12em"}])


def table_csv(table: pd.DataFrame) -> str:
    """The table as the page's CSV download: its numbers as numbers (fractions, not percent), to
    ``CSV_DIGITS`` significant digits; a name a spreadsheet would run as a formula, as text."""
    return csv_text(table, float_format=f"%.{CSV_DIGITS}g")


def table_text(table: pd.DataFrame, marked: Collection[str] | None = None) -> str:
    """The table as aligned text for the command line, with one mark, *: by default on the best
    test accuracy (as the page highlights it); given ``marked`` (model names, the index), on those
    models' titles instead: a mark for what was measured elsewhere (``compare``'s best dev score),
    which on the test accuracy beside it would read as the best test accuracy; then without the
    test changes and their noise verdicts."""
    shown = shown_table(table)
    if marked is None:
        shown["Test accuracy"] = [f"{value}{' *' if is_best else ''}"
                                  for value, is_best in zip(shown["Test accuracy"], _best(table))]
    else:
        shown["Model"] = [f"{model}{' *' if name in marked else ''}" for name, model in shown["Model"].items()]
        # Beside a ranking on dev, a verdict on test changes by another rule of noise would be a
        # second way of telling models apart, on the test set: the final report gives none.
        shown = shown.drop(columns=["Test change", "Within noise"], errors="ignore")
    return text_table(list(shown.columns), shown.to_numpy().tolist(), left=1)
