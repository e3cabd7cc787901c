"""The Sweep page's results, one function a part: a sweep's choice, its table of settings and
curves; a data-size curve; a run that Stop ended; the files to download.  And how a run started on
the page is checked, trained and kept (``Run``), so that Stop leaves its finished rows shown."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from .. import limits
from ..charts import SYMBOLS, data_size_chart, validation_curve, weight_norm_chart
from ..report.formatting import failed_runs, interval_text, mean_std, percent, plural
from ..report.titles import training_text
from ..settings import Settings
from ..sweeps import (BEST_SCORE, no_candidate_message, CHOSEN, FAMILIES, GRID_FIELDS, INTERVAL_NOTE, SIMPLEST_NOTE, WITHIN_NOISE,
                      SweepRequest, check_train_fractions, choice_note, comparison, curve_findings,
                      curve_summary, curve_table, data_size_curve, fold_masks, is_partial, left_out_note, parse_request,
                      read_results, results_bytes, shown_fields, stopped_curve, stopped_sweep, summarize, sweep,
                      unchosen, unchosen_note)
from ..sweeps.fit import fit_request, values_text

from .session import PageState
from .sweep_links import LABELS, PREFIX, main_page_query, setting_name
from .widgets import Progress

# The most settings a sentence names one by one; more are counted.
MAX_NAMED = 3
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


def read_request(texts: dict, masks: str) -> SweepRequest:
    """The form's texts (by ``LABELS``' keys) and dropout masks read into a request; a ValueError
    names the field."""
    request = parse_request(texts, LABELS)
    return dataclasses.replace(request, base=request.base.replace(dropout_mask=masks))


def checked_request(texts: dict, masks: str, dataset, curve: bool) -> SweepRequest:
    """The form's texts (by ``LABELS``' keys) read into a request that fits this data and the
    page's budget; a ValueError names the field (a LimitError, one of them, what is too much)."""
    request = read_request(texts, masks)
    if curve and not request.curve:
        raise ValueError(f"{LABELS['train_fraction']}: a data-size curve needs at least two fractions, "
                         f"got {texts['train_fraction']!r}")
    dev_masks = fold_masks(dataset.train_Y, request.folds, request.dev_fraction, request.dev_seed,
                           class_names=dataset.class_names, name=LABELS["folds"])
    for mask in dev_masks:
        check_train_fractions(dataset, request.train_fractions, mask, LABELS["train_fraction"])
    # Counted on all training points: an upper bound for the dev phase's smaller training set.
    limits.check_budget(request.models(), len(dataset.train_Y), n_features=dataset.n_features,
                        n_classes=dataset.n_classes)
    return request


def refuse_over_budget(error: limits.LimitError, texts: dict, masks: str, dataset, curve: bool) -> None:
    """Run refused by the budget: why, and a button that puts the largest grid that fits
    (``fit_request``'s rule) in the form, for the visitor to run."""
    what = "data-size curve" if curve else "sweep"
    fitted = fit_request(read_request(texts, masks), len(dataset.train_Y), dataset.n_features, dataset.n_classes,
                         SYMBOLS)
    offer = " The button below puts the largest grid that fits in the form, with fewer seeds or values." if fitted else ""
    st.error(f"This {what} would train too much: {error}{offer} Or run it with the command line "
             "(`python -m nnreg sweep`).", icon=":material/block:")
    if fitted:
        request, cut = fitted
        st.button(f"Use this grid: {cut}", key="sweep_fit", on_click=use_grid, args=(request,),
                  icon=":material/fit_screen:")


def use_grid(request: SweepRequest) -> None:
    """The fitting grid's button's callback: its values, seeds and folds in the form's fields
    (and so in the link), as they would be typed."""
    for field in GRID_FIELDS:
        st.session_state[PREFIX + field] = values_text(request.grid[field])
    st.session_state[PREFIX + "seeds"] = str(request.seeds)
    st.session_state[PREFIX + "folds"] = str(request.folds)


def train(request: SweepRequest, dataset, curve: bool) -> Run:
    """The sweep or the curve ``request`` asks, under a progress bar and a Stop button.  Clicking
    Stop reruns the page: Streamlit ends this run at its next redraw, so the models in training
    stop within an iteration and no more start; the rows that finished are in the Run already
    (kept in the session by the caller before this returns), and the next run shows them."""
    run = Run(request, len(request.models()))
    st.session_state[run_key(curve)] = run
    # A new sweep's curves start at its own choice, not at the values picked for the last one's.
    for field in GRID_FIELDS:
        st.session_state.pop(f"sweep_fixed_{field}", None)
    progress = Progress(f"the {'data-size curve' if curve else 'sweep'}", stop_key="sweep_stop")
    progress.update(0, run.total)
    options = dict(**request.options(), on_row=run.rows.append, progress=progress.update,
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
    """The rows of an uploaded results file; None while there is none, or when it cannot be shown
    as a result (unreadable, or an interrupted run's, which is to be finished first), with why."""
    uploaded = st.file_uploader("A results file from `python -m nnreg sweep --out` or this page",
                                type=["csv", "parquet"], key="sweep_upload")
    if uploaded is None:
        return None
    try:
        rows = read_results(uploaded.getvalue(), uploaded.name)
    except ValueError as error:
        st.error(str(error))
        return None
    if is_partial(rows):
        st.warning(f"{uploaded.name} holds the {plural(len(rows), 'row')} of an interrupted run, not a result: finish "
                   f"it with `python -m nnreg sweep ... --resume --out {uploaded.name}` (the same arguments as the run "
                   "that wrote it), then view it here.", icon=":material/hourglass_empty:")
        return None
    return rows


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
    # The seeds where they differ (a stopped sweep's); else the rule's caption says how many.
    shown = table[[*shown_fields(table), *(["seeds"] if table["seeds"].nunique() > 1 else [])]].copy()
    shown["train %"] = [mean_std(mean, std) for mean, std in
                        zip(table["train_accuracy_mean"], table["train_accuracy_std"])]
    for split in ("dev", *(("test",) if with_test else ())):
        shown[f"{split} % ± SE"] = [mean_std(mean, se) for mean, se in
                                    zip(table[f"{split}_accuracy_mean"], table[f"{split}_accuracy_se"])]
    shown["dev 95 % interval"] = [interval_text(low, high) for low, high in
                                  zip(table["dev_accuracy_ci_low"], table["dev_accuracy_ci_high"])]
    if "outcome" in rows:
        # A file written before rows said how each run ended counts nothing.
        shown["failed runs"] = [failed_runs(*counts) for counts in
                                zip(table["runs"], table["diverged"], table["collapsed"])]
    shown["weight norm"] = table["weight_norm_mean"]
    if "verdict" in table:
        shown["verdict"] = table["verdict"]
    # Relative: Streamlit serves the main page at the app's root.
    shown["open"] = ["/?" + main_page_query(rows, setting) for setting in table[list(GRID_FIELDS)].to_dict("records")]
    # Short headers and an icon: every column stays in view on a page 1280 pixels wide.
    link = st.column_config.LinkColumn(
        "open", display_text=":material/open_in_new:",
        help="Opens the main page with the course's three models and this setting as a fourth, on the same data, "
             "network, training and seeds (an uploaded data file is to be uploaded there again)")
    # The course's symbols as headers, as in the metrics above; each setting's values as typed;
    # one precision per measured column.
    columns = {field: st.column_config.NumberColumn(SYMBOLS[field], format="%g") for field in GRID_FIELDS}
    columns["weight norm"] = st.column_config.NumberColumn("‖W‖", format="%.2f",
                                                           help="Weight norm: the norm of all weights together, "
                                                                "sqrt(Σ ‖W_l‖²), mean over runs")
    columns["train %"] = st.column_config.TextColumn("train %", help="Mean ± standard deviation over runs")
    for split in ("dev", "test"):
        columns[f"{split} % ± SE"] = st.column_config.TextColumn(
            help=f"Mean over seeds of each seed's {split} accuracy" + (" over its folds' dev points" if split == "dev"
                                                                        else "") + " ± its standard error")
    columns["dev 95 % interval"] = st.column_config.TextColumn(help=f"{INTERVAL_NOTE}.")
    columns["failed runs"] = st.column_config.TextColumn(
        "failed", help="Runs (seeds × folds) that diverged (steps too large: training failed) or collapsed (one label for "
             "every point); a setting with one is not a candidate")
    columns["verdict"] = st.column_config.TextColumn(
        help="chosen; best dev score (when a simpler setting within one standard error was chosen); within noise "
             "(within one standard error of the best dev score); more than 1 SE below (the best dev score); not a candidate (a run failed)")
    # As tall as its rows: a setting scrolled out of sight is easily missed.
    st.dataframe(shown, hide_index=True, height="content", column_config={**columns, "open": link})


def show(rows, page: PageState):
    """The results of a sweep, run here or uploaded: the choice, its statistics, the curves; or,
    when no setting could be chosen, why, above the table that shows it."""
    table = comparison(rows)
    if not table["chosen"].any():
        problem = no_candidate_message(table, rows, standardize=f"{LABELS['standardize']}: on, under Network")
        # A sentence of its own here, where the library's message is a clause of others'.
        st.error(f"{problem[:1].upper()}{problem[1:]}.", icon=":material/error:")
        settings_table(rows, table, every_test(page))
        downloads(rows, "sweep_results")
        return
    choice = table[table["chosen"]].iloc[0]
    final = rows[rows["phase"] == "final"]
    chosen_fields = shown_fields(table)
    # The test accuracy's label and interval need two fields' room once weight decay is a fourth.
    *fields, right = st.columns([1] * len(chosen_fields) + [len(chosen_fields) - 2])
    for column, field in zip(fields, chosen_fields):
        column.metric(f"Chosen {SYMBOLS[field]}", f"{choice[field]:g}")
    if final.empty:
        right.metric("Test accuracy (retrained)", "not in these results")
    else:
        stats = summarize(final).iloc[0]
        share = final["train_fraction"].iloc[0]
        data_used = "all training data" if share == 1 else f"{share:g} of the training data"
        right.metric("Test accuracy (retrained)", f"{percent(stats.test_accuracy_mean)} %",
                     delta=f"95 % interval {interval_text(stats.test_accuracy_ci_low, stats.test_accuracy_ci_high)} %",
                     delta_color="off", delta_arrow="off",
                     help=f"The chosen setting retrained on {data_used} over {plural(stats.seeds, 'seed')} and tested "
                          f"once; {interval_note(final)}.")
    st.caption(rule_caption(rows, table) + training_note(rows))
    close = table[table["verdict"].isin([BEST_SCORE, WITHIN_NOISE])]
    if len(close):
        st.info(close_note(table))
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


def training_note(rows) -> str:
    """ " Training: optimizer adam, mini-batches of 32: ..." when the models did not train the
    course's way ("" when they did), from the rows' own columns (older files: the course's)."""
    first = rows.iloc[0]
    batch = first.get("batch_size")
    settings = Settings(activation=first.get("activation", "relu"), optimizer=first.get("optimizer", "gd"),
                        batch_size=None if batch is None or pd.isna(batch) or batch == "" else int(batch),
                        num_iterations=int(first["num_iterations"]))
    # Files from before mini-batches have no train_size, and no batch to count epochs of.
    sizes = sorted({int(size) for size in rows["train_size"]}) if "train_size" in rows else []
    text = training_text(settings, sizes)
    return f" Training: {text}." if text else ""


def rule_caption(rows, table) -> str:
    """How the setting was chosen: the rule, what each dev score averages, and what the test
    accuracy's interval is."""
    dev = rows[rows["phase"] == "dev"]
    folds = int(dev["fold"].nunique())
    seeds = int(table["seeds"].max())
    split = f"{folds} stratified folds" if folds > 1 else "one dev split"
    # The dev points each seed's accuracy is over: every fold's, each scored by the model that did not fit it.
    points = table["dev_points"].max()
    # A file that does not say how many points each model was scored on: the seeds' spread alone.
    over, noise = ("", "over seeds") if pd.isna(points) else (f" ({int(points)} dev points)", "seeds and points together")
    return (f"Chosen by {SIMPLEST_NOTE}; a setting with a run that diverged or collapsed is not a candidate. Each "
            f"dev score is the mean over {plural(seeds, 'seed')} of each seed's accuracy on the dev points of its "
            f"{split}{over}: {folds} × {seeds} = {folds * seeds} runs a setting; ± SE is its standard error, {noise}. "
            f"Under the test accuracy, its {interval_note(rows[rows['phase'] == 'final'])}.")


def interval_note(rows) -> str:
    """What the test accuracy's interval over ``rows`` is: INTERVAL_NOTE, or for a file that does
    not say how many test points there were, the Student-t interval over seeds."""
    if rows["test_size"].notna().all():
        return INTERVAL_NOTE
    return "95 % interval: Student's t over seeds (the file does not say how many test points there were)"


def close_note(table) -> str:
    """The settings the data cannot tell from the best dev score, and which of them the rule took."""
    def names(verdicts):
        picked = table[table["verdict"].isin(verdicts)]
        if len(picked) > MAX_NAMED:
            return f"{len(picked)} other settings, marked {', '.join(verdicts)} in the table"
        fields = shown_fields(table)
        return ", ".join(setting_name(row, fields) for row in picked[list(GRID_FIELDS)].to_dict("records"))

    best, tied, chosen = names([BEST_SCORE]), names([WITHIN_NOISE]), names([CHOSEN])
    if best:
        return (f"Best dev score: {best}. The rule chose {chosen}, the smallest weights within one standard error of "
                "it" + (f"; also within it: {tied}." if tied else "."))
    return (f"Within one standard error of the best dev score, the chosen setting's, so not told apart by the data: "
            f"{tied}; the chosen setting has the smallest weights of them.")


def show_curve(rows, left_out):
    """A data-size curve, run here or uploaded: the chart, what it says, the table."""
    summary = curve_summary(rows)
    st.altair_chart(data_size_chart(summary), width="content")
    seeds = int(summary["seeds"].max())
    strengths = choice_note(summary)
    dev = rows[rows["phase"] == "dev"]
    split = f"{dev['fold'].nunique()} stratified folds" if dev["fold"].nunique() > 1 else "one dev split"
    st.caption(" ".join([f"Lines: mean test accuracy over {plural(seeds, 'seed')}, each seed its own initial weights, "
                         "dropout masks and share of the training points; bands: ± 1 standard deviation over "
                         "seeds.", *([f"Strengths: {strengths}."] if strengths else []),
                         *([f"Chosen on {split} by {SIMPLEST_NOTE}."] if len(dev) else []),
                         "Each model was then retrained on that many points: the test set chose nothing.",
                         *curve_findings(rows, summary)]))
    st.dataframe(curve_table(summary), hide_index=True, height="content")
    notes = [note for note in (left_out_note(left_out), unchosen_note(unchosen(rows))) if note]
    if notes:
        st.info(f"{'; '.join(notes)}.")
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
        result = stopped_curve(run.rows, request.grid, **request.options())
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
    result = stopped_sweep(run.rows, request.grid, request.seeds, request.base, **request.options())
    if result.problem:
        st.warning(f"{partial} Every dev model had finished, but none can be chosen.", icon=":material/stop_circle:")
        show(result.rows, page)
        return
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
