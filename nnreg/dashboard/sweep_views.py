"""The Sweep page's results, one function a part: a sweep's choice, its table of settings and
curves; a data-size curve; a run that Stop ended; the files to download.  And how a run started on
the page is checked, trained and kept (``Run``), so that Stop leaves its finished rows shown."""

from __future__ import annotations

import dataclasses
import math

import streamlit as st

from .. import limits
from ..charts import SYMBOLS, data_size_chart, validation_curve, weight_norm_chart
from ..report.formatting import interval_text, mean_std, plural
from ..sweeps import (FAMILIES, GRID_FIELDS, WITHIN_NOISE, SweepRequest, check_train_fractions, choice_note,
                      comparison, curve_findings, curve_summary, curve_table, data_size_curve, dev_mask, left_out_note,
                      parse_request, read_results, results_bytes, stopped_curve, stopped_sweep, summarize, sweep,
                      untrained)
from .session import PageState
from .sweep_links import LABELS, main_page_query, setting_name
from .widgets import Progress

RESULT_FILES = ((".csv", "CSV", "text/csv"), (".parquet", "Parquet", "application/vnd.apache.parquet"))


@dataclasses.dataclass
class Run:
    """A sweep or curve started here: what it asked, how many models, the rows as they finished
    (the library's ``on_row``), and its result once it returned.  Stop reruns the page, which
    ends the run that trains, so a later run that finds no result shows the rows as partial."""

    request: SweepRequest
    total: int
    rows: list = dataclasses.field(default_factory=list)
    result: object = None


def checked_request(texts: dict, masks: str, dataset, curve: bool) -> SweepRequest:
    """The form's texts (by ``LABELS``' keys) read into a request that fits this data and the
    page's budget; a ValueError names the field (a LimitError, one of them, what is too much)."""
    request = parse_request(texts, LABELS)
    request = dataclasses.replace(request, base=request.base.replace(dropout_mask=masks))
    if curve and not request.curve:
        raise ValueError(f"{LABELS['train_fraction']}: a data-size curve needs at least two fractions, "
                         f"got {texts['train_fraction']!r}")
    check_train_fractions(dataset, request.train_fractions, dev_mask(dataset, request.dev_fraction),
                          LABELS["train_fraction"])
    # Counted on all training points: an upper bound for the dev phase's smaller training set.
    limits.check_budget(request.models(), len(dataset.train_Y), n_features=dataset.n_features,
                        n_classes=dataset.n_classes)
    return request


def train(request: SweepRequest, dataset, curve: bool) -> Run:
    """The sweep or the curve ``request`` asks, under a progress bar and a Stop button.  Clicking
    Stop reruns the page: Streamlit ends this run at its next redraw, so the models in training
    stop within an iteration and no more start; the rows that finished are in the Run already
    (kept in the session by the caller before this returns), and the next run shows them."""
    run = Run(request, len(request.models()))
    st.session_state[run_key(curve)] = run
    progress = Progress(f"the {'data-size curve' if curve else 'sweep'}", stop_key="sweep_stop")
    progress.update(0, run.total)
    options = dict(dev_fraction=request.dev_fraction, on_row=run.rows.append, progress=progress.update,
                   heartbeat=progress.heartbeat)
    if curve:
        run.result = data_size_curve(dataset, request.train_fractions, request.grid, request.seeds, request.base, **options)
    else:
        run.result = sweep(dataset, request.grid, request.seeds, request.base, **options)
    progress.clear()
    return run


def run_key(curve: bool) -> str:
    """Where the session keeps the last sweep, and the last curve, started on the page."""
    return "sweep_curve_run" if curve else "sweep_run"


def upload_form():
    uploaded = st.file_uploader("A results file from `python -m nnreg sweep --out` or this page",
                                type=["csv", "parquet"], key="sweep_upload")
    if uploaded is None:
        return None
    try:
        return read_results(uploaded.getvalue(), uploaded.name)
    except ValueError as error:
        st.error(str(error))
        return None


def downloads(rows, stem):
    """Every model's row, in the files the command line's ``--out`` writes."""
    with st.container(horizontal=True):
        for suffix, kind, mime in RESULT_FILES:
            st.download_button(f"Download results ({kind})", results_bytes(rows, suffix), file_name=stem + suffix,
                               mime=mime, on_click="ignore")


def every_test(page: PageState) -> bool:
    """The switch that shows every setting's test accuracy, and what it means when on."""
    on = st.toggle("Test accuracy of every setting", key="sweep_test_all", bind=page.bind("sweep_test_all"),
                   help="Off, test accuracy is shown for the setting the dev set chose only, retrained on the "
                        "training data.")
    if on:
        st.caption("Every setting's test accuracy, to look at only: a setting chosen by it would have been chosen "
                   "on the test set, and its test accuracy would then overstate how well it generalizes. That is "
                   "what the dev set avoids: the choice here is made on dev.")
    return on


def settings_table(rows, table, with_test: bool):
    """A row per setting of ``table`` (``summarize`` or ``comparison`` of the dev rows), every one
    shown, each with a link that opens it in the main page."""
    shown = table[[*GRID_FIELDS, "seeds"]].copy()
    for split in ("train", "dev", *(("test",) if with_test else ())):
        shown[f"{split} %"] = [mean_std(mean, std) for mean, std in
                               zip(table[f"{split}_accuracy_mean"], table[f"{split}_accuracy_std"])]
    shown["dev 95% interval"] = [interval_text(low, high) for low, high in
                                 zip(table["dev_accuracy_ci_low"], table["dev_accuracy_ci_high"])]
    shown["weight norm"] = table["weight_norm_mean"]
    if "verdict" in table:
        shown["vs chosen (dev)"] = table["verdict"]
    if untrained(table):
        shown["outcome"] = table["outcome"]
    # Relative: Streamlit serves the main page at the app's root.
    shown["open"] = ["/?" + main_page_query(rows, setting) for setting in table[list(GRID_FIELDS)].to_dict("records")]
    # A short header and an icon: every column stays in view on a page 1280 pixels wide.
    link = st.column_config.LinkColumn(
        "open", display_text=":material/open_in_new:",
        help="Opens the main page with the course's three models and this setting as a fourth, on the same data, "
             "network, training and seeds (an uploaded data file is to be uploaded there again)")
    # The course's symbols as headers, as in the metrics above; each setting's values as typed;
    # one precision per measured column.
    columns = {field: st.column_config.NumberColumn(SYMBOLS[field], format="%g") for field in GRID_FIELDS}
    columns["weight norm"] = st.column_config.NumberColumn("weight norm", format="%.2f",
                                                           help="The norm of all weights together, sqrt(Σ ‖W_l‖²), mean over seeds")
    # As tall as its rows: a setting scrolled out of sight is easily missed.
    st.dataframe(shown, hide_index=True, height="content", column_config={**columns, "open": link})


def show(rows, page: PageState):
    """The results of a sweep, run here or uploaded: the choice, its statistics, the curves."""
    table = comparison(rows)
    choice = table[table["chosen"]].iloc[0]
    final = rows[rows["phase"] == "final"]
    *fields, right = st.columns(len(GRID_FIELDS) + 1)
    for column, field in zip(fields, GRID_FIELDS):
        column.metric(f"Chosen {SYMBOLS[field]}", f"{choice[field]:g}")
    if final.empty:
        right.metric("Test accuracy (retrained)", "not in these results")
    else:
        stats = summarize(final).iloc[0]
        mean, std = stats.test_accuracy_mean, stats.test_accuracy_std
        low, high = stats.test_accuracy_ci_low, stats.test_accuracy_ci_high
        share = final["train_fraction"].iloc[0]
        data_used = "all training data" if share == 1 else f"{share:g} of the training data"
        right.metric("Test accuracy (retrained)", f"{mean_std(mean, std)} %",
                     help=f"chosen setting retrained on {data_used} over {stats.seeds} seed(s)"
                          + ("" if math.isnan(low) else f"; 95% interval {interval_text(low, high)} %"))
    tied = table[table["verdict"] == WITHIN_NOISE]
    if len(tied):
        names = ", ".join(setting_name(row) for row in tied[list(GRID_FIELDS)].to_dict("records"))
        st.info(f"Within noise of the chosen setting on dev (the data cannot tell them apart): {names}")
    test_every = every_test(page)
    settings_table(rows, table, test_every)

    # A curve against each field the grid varies, the others held at the values picked here.
    dev = rows[rows["phase"] == "dev"]
    varying = [field for field in GRID_FIELDS if dev[field].nunique() > 1]
    held = {}
    for column, field in zip(st.columns(max(len(varying), 1)), varying):
        values = sorted(dev[field].unique(), reverse=field == "keep_prob")
        held[field] = column.selectbox(f"{SYMBOLS[field]} in the other curves", values,
                                       index=values.index(choice[field]), format_func=lambda value: f"{value:g}",
                                       key=f"sweep_fixed_{field}")
    charts = [validation_curve(rows, field, {other: held[other] for other in varying if other != field}, test_every)
              for field in varying] + [weight_norm_chart(rows)]
    for start in range(0, len(charts), 2):
        for column, chart in zip(st.columns(2), charts[start:start + 2]):
            column.altair_chart(chart)
    downloads(rows, "sweep_results")


def show_curve(rows, left_out):
    """A data-size curve, run here or uploaded: the chart, what it says, the table."""
    summary = curve_summary(rows)
    st.altair_chart(data_size_chart(summary), width="content")
    seeds = int(summary["seeds"].max())
    strengths = choice_note(summary)
    st.caption(" ".join([f"Lines: mean test accuracy over {seeds} seed(s), each seed its own initial weights, "
                         "dropout masks and share of the training points; bands: ± 1 standard deviation over "
                         "seeds.", *([f"Strengths: {strengths}."] if strengths else []),
                         "Each model was then retrained on that many points: the test set chose nothing.",
                         *curve_findings(rows, summary)]))
    st.dataframe(curve_table(summary), hide_index=True, height="content")
    if left_out:
        st.info(f"{left_out_note(left_out)}.")
    downloads(rows, "data_size_curve")


def show_stopped(run: Run, curve: bool, page: PageState):
    """A run that Stop ended before it returned: the rows that finished, marked partial, with no
    choice claimed that its dev phase had not made."""
    what = "data-size curve" if curve else "sweep"
    stopped = f"The {what} was stopped after {len(run.rows)} of {plural(run.total, 'model')}"
    if not run.rows:
        st.warning(f"{stopped}: none had finished.", icon=":material/stop_circle:")
        return
    partial = f"{stopped}: these rows are all that finished."
    request = run.request
    if curve:
        result = stopped_curve(run.rows, request.grid, dev_fraction=request.dev_fraction)
        if result.summary.empty:
            st.warning(f"{partial} The dev phase had not finished, so no strength is chosen and no model retrained: "
                       "there is no curve yet.", icon=":material/stop_circle:")
            downloads(result.rows, "data_size_curve_partial")
            return
        points = len(request.train_fractions) * (len(FAMILIES) - len(result.left_out))
        short = int((result.summary["seeds"] < request.seeds).sum())
        st.warning(f"{partial} {len(result.summary)} of the curve's {points} points were retrained"
                   + (f", {short} of them over fewer than {request.seeds} seeds" if short else "") + ".",
                   icon=":material/stop_circle:")
        show_curve(result.rows, result.left_out)
        return
    result = stopped_sweep(run.rows, request.grid, request.seeds, request.base, dev_fraction=request.dev_fraction)
    if result.chosen is None:
        st.warning(f"{partial} The dev phase had not finished, so no setting is chosen and no test accuracy is "
                   "reported.", icon=":material/stop_circle:")
        settings_table(result.rows, summarize(result.rows), every_test(page))
        downloads(result.rows, "sweep_results_partial")
        return
    retrained = int((result.rows["phase"] == "final").sum())
    st.warning(f"{partial} Every dev model had finished, so the choice is the whole sweep's; its retraining "
               f"finished for {retrained} of {request.seeds} seeds.", icon=":material/stop_circle:")
    show(result.rows, page)
