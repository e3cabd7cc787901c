"""Lessons a teacher can link: each a name, one line saying what to look at, and the page's
query string that opens it (its models, its view and any setting it needs) in one click."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from .. import data
from ..specs import DEFAULT_SPECS
from .controls import CONTROLS, UPLOAD, VIEWS, shown_value

# The controls that name the data, which a lesson's link carries from the page it is opened on.
DATA_KEYS = ("data", "n_points", "noise", "data_seed")
# Views that ask the course's own question of the course's kind of data (``data.course_layout``), hidden
# for a table: whether the notebook's single dropout run is typical.
COURSE_VIEWS = ("Dropout runs",)


def views_for(dataset) -> tuple[str, ...]:
    """The page's views on ``dataset``, in VIEWS' order: every one on the course's kind of data,
    all but COURSE_VIEWS on a table."""
    return tuple(view for view in VIEWS if data.course_layout(dataset) or view not in COURSE_VIEWS)


@dataclass(frozen=True)
class Lesson:
    """``models`` in the link's syntax (``nnreg.specs``), ``view`` one of the page's views,
    ``settings`` other controls' values as a link writes them."""

    name: str
    shows: str
    models: tuple[str, ...]
    view: str
    settings: tuple[tuple[str, str], ...] = ()

    def query(self, data_values: Mapping[str, object] | None = None) -> str:
        """The page's query string for this lesson, on the data that ``data_values`` (the page's
        values of DATA_KEYS) names; the built-in data, or an upload, which no link can carry,
        adds nothing, so the lesson opens on the built-in data."""
        params = {"model": list(self.models), "view": self.view, **dict(self.settings)}
        return urlencode({**params, **data_params(data_values or {})}, doseq=True)


def data_params(values: Mapping[str, object]) -> dict[str, str]:
    """A link's parameters for the data ``values`` name: a file in data/ by its name, a synthetic
    set with the options that differ from the defaults; none for the built-in data or an upload."""
    choice = values.get("data", data.BUILTIN)
    if choice in (data.BUILTIN, UPLOAD):
        return {}
    keys = DATA_KEYS[1:] if choice in data.SYNTHETIC else ()
    return {"data": str(choice), **{key: shown_value(key, values[key]) for key in keys
                                    if key in values and values[key] != CONTROLS[key].default}}


LESSONS = (
    Lesson("overfitting",
           "Without regularization the training accuracy keeps climbing while the test accuracy does not: "
           "the network learns the noise by heart. L2 keeps the two closer.",
           ("No regularization", "L2:lambd=0.7"), "Learning curves"),
    Lesson("too much λ",
           "At λ = 50 the penalty outweighs the data: the weights shrink towards 0 and the network learns "
           "next to nothing (it underfits), where λ = 0.7 helped.",
           ("No regularization", "L2:lambd=0.7", "L2 too strong:lambd=50"), "Weight decay"),
    Lesson("notebook vs fresh masks",
           "The notebook drew its dropout masks once and reused them; the course's dropout draws new ones "
           "every iteration. Over many seeds, is the notebook's dropout result typical?",
           DEFAULT_SPECS, "Dropout runs", (("dropout_mask", "fixed"),)),
    Lesson("L1 drops weights",
           "L1 sets many weights to exactly 0, where L2 only makes them small: compare every weight's size.",
           ("No regularization", "L2:lambd=0.7", "L1:l1=0.05"), "Weight decay"),
    Lesson("a nudge of 10⁻¹²",
           "Each model trained again from its initial weights moved by one part in 10¹²: without regularization "
           "the two runs drift apart until points change label (chaos); with L2 they end together.",
           ("No regularization", "L2:lambd=0.7"), "Sensitivity", (("seed", "0"),)),
    Lesson("less data",
           "The same models on a quarter of the training points: compare each model's gap between training "
           "and test accuracy with the one on all of them.",
           DEFAULT_SPECS, "Learning curves", (("train_fraction", "0.25"),)),
)


def lessons_markdown(data_values: Mapping[str, object] | None = None, views: Sequence[str] = VIEWS) -> str:
    """The lessons as a Markdown list of links, each followed by what it shows: plain links, each
    opening the page anew (which reads the link's models and view), on the data ``data_values``
    names; only those whose view is among ``views`` (``views_for`` the data).  Markdown, not HTML:
    the page renders no HTML of its own (tests/unit/test_security.py); the query string is
    percent-encoded, so no character of it ends the link."""
    return "\n".join(f"- [{lesson.name}](?{lesson.query(data_values)}): {lesson.shows}" for lesson in LESSONS
                     if lesson.view in views)
