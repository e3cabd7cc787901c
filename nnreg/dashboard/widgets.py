"""The widgets both pages build the same way: the controls' fields (labelled, explained and bound
to the link as ``CONTROLS`` says, a typed value refused by ``PageState``), the data's fields, the
table of models, a progress bar with its heartbeat, charts drawn once per input, and models in
rows."""

from __future__ import annotations

import time

import streamlit as st

from .. import data, limits
from ..report.formatting import plural
from ..specs import CHOICES, FULL_BATCH, MAX_MODELS
from .controls import CONTROLS, DATA_CONTROLS, NO_SPLIT, UPLOAD, UPLOAD_HELP, UPLOAD_TYPES, Upload, dataset_choices, \
    shown_value
from .models import specs_frame
from .layout import models_per_row
from .session import PageState, StudyState


class Fields:
    """A page's fields for the controls of ``CONTROLS``, under widget keys ``prefix`` + the
    control's key (the link's parameters too), in ``where`` (the page, the sidebar, a column)."""

    def __init__(self, page: PageState, prefix: str = ""):
        self.page, self.prefix = page, prefix

    def _help(self, control: str, extra: str | None) -> str | None:
        spec = CONTROLS[control]
        allowed = spec.range.allowed().capitalize() + "." if spec.range is not None else None
        return " ".join(filter(None, [extra or spec.help_text, allowed])) or None

    def typed(self, control: str, where=st, help_text: str | None = None, **options):
        """A value typed as text, as every number is: a number field would turn "1e9" into 1,
        "1,5" into 15 and "abc" into an empty field in the browser, before the page could say
        what was typed.  A text the control cannot take is quoted and undone (``refuse_typed``)."""
        spec, key = CONTROLS[control], self.prefix + control
        text = where.text_input(spec.label, shown_value(control, spec.default), key=key, bind=self.page.bind(key),
                                on_change=self.page.refuse_typed, args=(key, control, spec.label),
                                help=self._help(control, help_text), **options)
        return self.page.use(key, control, text)

    def slider(self, control: str, where=st, **options):
        spec, key = CONTROLS[control], self.prefix + control
        return where.slider(spec.label, spec.low, spec.high, spec.default, spec.step, key=key,
                            bind=self.page.bind(key), help=spec.help_text, **options)

    def toggle(self, control: str, where=st, **options) -> bool:
        spec, key = CONTROLS[control], self.prefix + control
        return where.toggle(spec.label, spec.default, key=key, bind=self.page.bind(key), help=spec.help_text, **options)

    def choice(self, control: str, where=st, **options) -> str:
        """A menu of ``control``'s options shown by their labels ("Adam (β1 0.9, β2 0.999)"), its link
        holding the option itself ("adam"), as a model's spec writes it: Streamlit's own binding
        would write the label, and refuse ``optimizer=adam`` without a word."""
        spec, key = CONTROLS[control], self.prefix + control
        self.page.from_link(key, control)
        shown = dict(zip(spec.options, spec.labels, strict=True))
        value = where.selectbox(spec.label, spec.options, format_func=shown.__getitem__, key=key,
                                help=spec.help_text, **options)
        self.page.to_link(key, control, value)
        return value

    def radio(self, control: str, where=st, **options) -> str:
        spec, key = CONTROLS[control], self.prefix + control
        return where.radio(spec.label, spec.options, key=key, bind=self.page.bind(key), help=spec.help_text, **options)

    def data(self, places=None) -> tuple[dict, object]:
        """The data's fields, in ``places`` (four containers, for the dataset menu and a synthetic
        set's number of points, noise and seed; the page by default): the values they name, by
        control (the defaults for options not shown), and the uploaded file as an ``Upload`` (None
        if none).  An uploaded table's fields (its label and split columns, the test share,
        dropping rows with missing values) follow the uploader (in four columns when ``places`` are)."""
        stacked = places is None
        places = places or [st] * 4
        key = self.prefix + "data"
        values = {control: CONTROLS[control].default for control in DATA_CONTROLS}
        values["data"] = places[0].selectbox(CONTROLS["data"].label, dataset_choices(), key=key,
                                             bind=self.page.bind(key), help=CONTROLS["data"].help_text)
        if values["data"] in data.SYNTHETIC:
            values["n_points"] = self.typed("n_points", places[1])
            values["noise"] = self.slider("noise", places[2])
            values["data_seed"] = self.typed("data_seed", places[3])
        if values["data"] != UPLOAD:
            return values, None
        file = st.file_uploader("Your data", type=list(UPLOAD_TYPES), key=self.prefix + "data_file", help=UPLOAD_HELP)
        if file is None:
            return values, None
        upload = Upload(file.getvalue(), file.name)
        try:
            columns = data.table_columns(upload.content, upload.name)
        except data.DatasetError:
            # Reading the file says why it cannot be used.
            columns = []
        if columns:
            # Side by side, the last one wider: the checkbox's label is the longest.
            label, split, table_values = self._table(columns, [st] * 4 if stacked else st.columns([1, 1, 1, 1.5]))
            values |= table_values
            upload = upload._replace(label=label, split=split)
        return values, upload

    def _table(self, columns: list[str], places) -> tuple[str, str | None, dict]:
        """A table's fields, its columns the options: its label and split columns (another file's
        columns keep a choice they also have, else start from the defaults; no link holds them,
        as none holds the file), and the values of the controls that read it."""
        label = places[0].selectbox("Label column", columns, index=columns.index(data.default_label(columns)),
                                    key=self.prefix + "label", help="The column the network learns to predict; every "
                                                                  "other column but the split is a feature.")
        splits = [NO_SPLIT, *(column for column in columns if column != label)]
        default_split = data.default_split(columns)
        split = places[1].selectbox("Split column", splits, key=self.prefix + "split",
                                    index=splits.index(default_split) if default_split in splits else 0,
                                    help="A column saying train or test for each row; without one, a seeded, "
                                         "stratified share of the rows is held out.")
        # "(none)" is a choice, not the default: a column named split then stays a feature.
        split = data.NO_SPLIT if split == NO_SPLIT else split
        values = {} if split else {"test_fraction": self.slider("test_fraction", places[2], format="%.2f")}
        values["drop_missing"] = places[3].checkbox(
            CONTROLS["drop_missing"].label, CONTROLS["drop_missing"].default, key=self.prefix + "drop_missing",
            bind=self.page.bind(self.prefix + "drop_missing"), help=CONTROLS["drop_missing"].help_text)
        return label, split, values

    @staticmethod
    def notes(dataset) -> None:
        """Under the data's fields: where a bundled table comes from, and what reading did to the table."""
        source = data.table_source(dataset.name)
        for line in ([source] if source else []) + list(dataset.notes):
            st.caption(line)


def models_editor(page: StudyState) -> None:
    """The table of models, from the list it started with (a preset or a settings file starts a new one)."""
    st.caption(f"One row per model, 1 to {MAX_MODELS}: add a row at the bottom, delete one by selecting it. A cell "
               "showing None takes the sidebar's value. Changes are measured against the first model. In a link, "
               "each model is one `model` parameter, written `NAME:key=value,...` (e.g. `L2 big:lambd=3`), as "
               "`python -m nnreg compare --model` takes it. On a narrower screen the table scrolls sideways, the "
               "names staying in place.")

    def number_column(label, key, meaning, width):
        # Text, read by the column's rules: a number column would store "1e9" as 19 and empty "abc".
        return st.column_config.TextColumn(label, help=f"{meaning}: {limits.RANGES[key].allowed()}", width=width)

    # Column widths in pixels: the whole table fits beside the sidebar at 1600 pixels; narrower, it
    # scrolls sideways with the names pinned, the regularizers' columns first.
    st.data_editor(
        specs_frame(page.editor_specs()), key=page.editor_key, num_rows="dynamic", hide_index=True, width="content",
        column_config={
            "name": st.column_config.TextColumn("name", help="The model's name, its own on the page", width=110,
                                                pinned=True),
            "lambd": number_column("λ", "lambd", "L2's strength (lambd)", 50),
            "l1": number_column("l1", "l1", "L1's strength, which sets weights exactly to 0", 50),
            "keep_prob": number_column("keep_prob", "keep_prob", "Dropout: each hidden unit kept with this probability",
                                       95),
            "weight_decay": number_column("decay", "weight_decay", "Decoupled weight decay (weight_decay, wd): each "
                                          "update also takes α·wd of every weight away, beside the optimizer's step",
                                          75),
            "early_stopping": st.column_config.CheckboxColumn("stop early", help="Keeps its best dev iteration",
                                                              width=90),
            "layers": st.column_config.TextColumn("hidden layers", help=limits.LAYERS_HELP, width=110),
            "activation": st.column_config.SelectboxColumn("activation", options=list(CHOICES["activation"]),
                                                           help=CONTROLS["activation"].help_text, width=90),
            "optimizer": st.column_config.SelectboxColumn("optimizer", options=list(CHOICES["optimizer"]),
                                                          help=CONTROLS["optimizer"].help_text, width=90),
            "learning_rate": number_column("α", "learning_rate", "Learning rate", 50),
            "batch_size": st.column_config.TextColumn(
                "batch", width=62, help=f"Mini-batch size (batch_size): {limits.RANGES['batch_size'].allowed()}, or "
                                        f"{FULL_BATCH}, every training point at each update"),
            "num_iterations": number_column("iterations", "num_iterations", "Updates of the weights", 90),
            "standardize": st.column_config.SelectboxColumn(
                "standardize", options=["on", "off"], width=100,
                help="on: each input feature scaled to mean 0 and standard deviation 1 over the points the model "
                     "fits (never its dev or test points); off: the raw features. Empty: the data's default, on for "
                     "a table, off for the football field, the synthetic sets and the course's file.")})


class Progress:
    """A progress bar while ``what`` trains, and the heartbeat that redraws it; with ``stop_key``,
    a Stop button above it.  Every redraw is a point where Streamlit ends this run if the page
    reran (Stop reruns it) or closed: the models this run trains then stop within an iteration,
    and no more start."""

    def __init__(self, what: str, stop_key: str | None = None):
        self.what = what
        self._stop, self._bar = st.empty(), st.empty()
        if stop_key:
            self._stop.button("Stop", key=stop_key)
        self._started, self._shown = time.monotonic(), None

    def update(self, done: int, total: int) -> None:
        self._shown = done, total
        self._bar.progress(done / total, text=f"Training {self.what}: {done} of {plural(total, 'model')} done "
                                              f"({time.monotonic() - self._started:.0f} s)")

    def heartbeat(self) -> None:
        if self._shown is None:
            # Waiting for models that another visit is training: no count of ours yet.
            self._bar.progress(0.0, text=f"Training {self.what} ({time.monotonic() - self._started:.0f} s)")
        else:
            self.update(*self._shown)

    def clear(self) -> None:
        self._stop.empty()
        self._bar.empty()


# Each chart is drawn once per ``inputs`` (everything it shows) and replayed by Streamlit after:
# building and validating a Vega-Lite spec is most of what a rerun would otherwise spend.
@st.cache_data(max_entries=128, show_spinner=False)
def chart(inputs, height, _build, width="stretch"):
    st.altair_chart(_build(), height=height, width=width)


def model_ids(runs) -> tuple:
    """What identifies trained models, for ``chart``'s inputs: their data and their settings."""
    return tuple((run.dataset_fingerprint, run.settings) for run in runs)


def model_columns(items):
    """A column for each model's item, in rows of ``models_per_row``, every column as wide as in a
    full row."""
    items = list(items)
    per_row = models_per_row(len(items))
    for start in range(0, len(items), per_row):
        yield from zip(st.columns(per_row, gap="medium"), items[start: start + per_row])
