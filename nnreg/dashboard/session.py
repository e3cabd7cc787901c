"""What a page keeps between its runs, in the visitor's session and in the link: the link read on
the page's first run, the values its fields last used (which a refused typed value falls back to),
the messages waiting for the next run, and the study page's list of models with the table that
edits it.

Streamlit runs a page's script again at every interaction, and a widget's callback first, before
the script: a callback of the last run and the script of this one meet only in the session.  So
everything here lives in ``state`` (``st.session_state``) and ``params`` (``st.query_params``),
never in a global; the tests pass plain mappings.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping

from ..specs import DEFAULT_SPECS, ModelSpec, l2_or_weight_decay_specs, parse_specs, parse_specs_kept
from .controls import ADAM_PRESET, CONTROLS, PRESETS, RENAMED_VIEWS, check_query_params, dataset_choices, parse_value, \
    shown_value, typed_problem, widget_value
from .downloads import read_settings
from .models import LEGACY_KEYS, edited_frame, frame_specs, legacy_specs, specs_frame


class PageState:
    """One page's state in ``state`` under keys starting with ``name``, and its link ``params``.

    On the page's first run in a session the link is read before any widget exists (later runs
    take the fields' values): Streamlit drops a value its widget cannot take without a word, so
    this is the only moment to say which one was not used.  ``check_link(params)`` gives a
    message for each parameter refused, by key; those leave the link, and their widgets start
    from their defaults, unbound (``bind``), for that run.
    """

    def __init__(self, state: MutableMapping, params, name: str, check_link: Callable[[object], dict[str, str]]):
        self.state, self.params = state, params
        self.link_problems: dict[str, str] = {}
        if f"{name}_link_read" not in state:
            state[f"{name}_link_read"] = True
            self.link_problems = check_link(params)
            for key in self.link_problems:
                del params[key]
        # The values the fields last used by control, and the text each typed field held then.
        self.used: dict = state.setdefault(f"{name}_used", {})
        self.used_texts: dict = state.setdefault(f"{name}_used_texts", {})
        # Why a typed value or a loaded file was not used: said once, on the next run.
        self.problems: dict = state.setdefault(f"{name}_typed_problems", {})

    def bind(self, key: str) -> str | None:
        """How the widget ``key`` is bound to the link: not at all in the run that refused its value."""
        return None if key in self.link_problems else "query-params"

    def from_link(self, key: str, control: str) -> None:
        """Before the widget ``key``, which the page binds to the link itself: the link's value for
        it (checked with the rest of the link) when the session holds none, on a first visit."""
        if key not in self.state and key in self.params:
            self.state[key] = parse_value(control, self.params[key], [])

    def to_link(self, key: str, control: str, value) -> None:
        """After it: the link holds its value as a spec writes it ("adam"), and nothing at the
        default, as Streamlit keeps a bound widget's link."""
        if value == CONTROLS[control].default:
            if key in self.params:
                del self.params[key]
        elif self.params.get(key) != shown_value(control, value):
            self.params[key] = shown_value(control, value)

    def use(self, key: str, control: str, text: str):
        """The value the typed field ``key`` holds (``text``, read by ``control``'s rules),
        remembered as the one a later refused text falls back to: a number as it was typed
        ("1e9", not 1000000000), the hidden layers as the page writes them ("20, 3")."""
        if CONTROLS[control].range is not None:
            self.used_texts[key] = text
        self.used[control] = parse_value(control, text, [])
        return self.used[control]

    def refuse_typed(self, key: str, control: str, label: str) -> None:
        """The typed field ``key``'s callback: a text ``control`` cannot take is quoted in a
        message and the field goes back to the text last used; one it can take stays, less the
        spaces around it."""
        typed = self.state[key]
        using = self.used_texts.get(key, self.used.get(control, CONTROLS[control].default))
        problem = typed_problem(control, label, typed, using, dataset_choices())
        if problem:
            self.state[key] = widget_value(control, using)
            self.problems[key] = problem
        else:
            self.state[key] = typed.strip()

    def pop_problems(self) -> list[str]:
        """The messages waiting since the last run, each said once."""
        messages = list(self.problems.values())
        self.problems.clear()
        return messages


# The built-in football's training points: what a first visit shows (tested).
FOOTBALL_POINTS = 211


class StudyState(PageState):
    """The study page's state, with its list of models: kept in the session as the models' texts
    (``nnreg_models``), in the link (one ``model`` parameter each) and in the table that edits it,
    which starts afresh (a new version of its widget) when a preset or a settings file replaces
    the list."""

    MODELS, EDITOR, POINTS = "nnreg_models", "nnreg_editor", "nnreg_train_points"

    def __init__(self, state: MutableMapping, params):
        def check_link(params) -> dict[str, str]:
            if params.get("view") in RENAMED_VIEWS:
                # An old view's name opens it under its new one; the tabs read a bound value from
                # the session, not from a parameter changed in this run.
                state["view"] = params["view"] = RENAMED_VIEWS[params["view"]]
            return check_query_params(params.to_dict(), dataset_choices())

        super().__init__(state, params, "nnreg", check_link)
        # Said on this run only: the link's models that could not be used.
        self.model_problems: list[str] = []
        if self.MODELS not in state:
            self._models_from_link()

    def _models_from_link(self) -> None:
        """The list, read once per session: one ``model`` parameter per model, or an older link's
        λ, keep_prob and optional models, or the course's three."""
        listed = self.params.get_all("model")
        specs, self.model_problems = parse_specs_kept(listed) if listed else legacy_specs(self.params.to_dict())
        if listed and not specs:
            self.model_problems.append("None of the link's models could be used: the page compares the course's "
                                       "three.")
        for key in LEGACY_KEYS:
            if key in self.params:
                del self.params[key]
        self.set_models(specs or parse_specs(DEFAULT_SPECS))
        if not listed and specs is None:
            # The course's three need no parameters: a link without them means this list.
            del self.params["model"]

    def set_models(self, specs: list[ModelSpec]) -> None:
        """Make ``specs`` the list: for the models, in the link and in a fresh table to edit."""
        texts = [str(spec) for spec in specs]
        self.state[self.MODELS] = texts
        self.state[self.EDITOR] = {"version": self.state.get(self.EDITOR, {}).get("version", 0) + 1, "models": texts}
        self.params["model"] = texts

    @property
    def points(self) -> int:
        """The training points of the data the page showed last (ADAM_PRESET's models depend on
        them); before any, the built-in football's, which a first visit shows."""
        return self.state.get(self.POINTS, FOOTBALL_POINTS)

    @points.setter
    def points(self, count: int) -> None:
        self.state[self.POINTS] = count

    def apply_preset(self, name: str) -> None:
        """A preset's callback: its controls' values, and its models: the course's three, or for
        ADAM_PRESET its four on the data shown (``points``)."""
        for key, value in PRESETS[name].items():
            self.state[key] = widget_value(key, value)
        self.set_models(l2_or_weight_decay_specs(self.points) if name == ADAM_PRESET else parse_specs(DEFAULT_SPECS))

    def load_settings(self, upload) -> None:
        """A settings file's callback (``upload`` as ``st.file_uploader`` gives it, or None): its
        controls and its list of models; what it cannot use is named, the rest kept."""
        if upload is None:
            return
        try:
            values, specs, problems = read_settings(upload.getvalue(), dataset_choices())
        except ValueError as error:
            self.problems["settings_file"] = f"{upload.name}: {error}."
            return
        for key, value in values.items():
            self.state[key] = widget_value(key, value)
        self.set_models(specs)
        for number, problem in enumerate(problems):
            self.problems[f"settings_file_{number}"] = f"{upload.name}: {problem}"

    @property
    def editor_key(self) -> str:
        return f"models_{self.state[self.EDITOR]['version']}"

    def editor_specs(self) -> list[ModelSpec]:
        """The list the table of models started from."""
        return parse_specs(self.state[self.EDITOR]["models"])

    def edited_models(self) -> tuple[list[ModelSpec], list[str]]:
        """The list as the table's edits left it (read before the table is drawn, so that the
        models above it are the edited ones already), and a message for each row it cannot use.
        A usable list becomes the page's and the link's; otherwise the list stays as it was."""
        specs = parse_specs(self.state[self.MODELS])
        edits = self.state.get(self.editor_key)
        if not edits:
            return specs, []
        typed_specs, problems = frame_specs(edited_frame(specs_frame(self.editor_specs()), edits))
        problems = [f"{problem}. The other models are compared." for problem in problems]
        if not typed_specs:
            return specs, [*problems, "The list has no model that can be used: the page keeps comparing "
                           + ", ".join(spec.name for spec in specs) + "."]
        texts = [str(spec) for spec in typed_specs]
        if texts != self.state[self.MODELS]:
            self.state[self.MODELS] = texts
            self.params["model"] = texts
        return typed_specs, problems

