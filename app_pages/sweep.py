"""The Sweep page: a λ × keep_prob grid over seeds, chosen on a dev set, or a command line's
results file, shown as validation curves with bands over seeds."""

from __future__ import annotations

import math

import streamlit as st

from nnreg import data, limits
from nnreg.formatting import interval, mean_std
from nnreg.sweeps import DEFAULTS, comparison, dev_mask, parse_request, read_results, summarize, sweep
from nnreg.sweep_charts import validation_curve, weight_norm_chart

RUN, UPLOAD = "Run a sweep", "View a results file"
# Five seeds, not the command line's ten: the default grid (5 λ × 3 keep_prob, plus the retrained
# choice) then stays well inside the page's compute budget, at 80 course models.
DEFAULT_SEEDS = 5

st.title("Sweep: choose λ and keep_prob on a dev set")
st.caption("Every setting is trained over several seeds on the training data minus a held-out dev set; "
           "the setting with the best mean dev accuracy is chosen and retrained on all training data, "
           "and only then is its test accuracy reported. A difference smaller than the spread over "
           "seeds (one standard deviation) is within noise.")


def _mark_stopped():
    st.session_state["sweep_stopped"] = True


# Each field of a sweep request by its label, for messages.
LABELS = {"lambd": "λ values", "keep_prob": "keep_prob values", "hidden": "Hidden layer sizes",
          "learning_rate": "Learning rate", "num_iterations": "Iterations", "seeds": "Seeds",
          "dev_fraction": "Dev fraction"}


def _run_form():
    for key, default in (("sweep_seeds", DEFAULT_SEEDS), ("sweep_iterations", int(DEFAULTS["num_iterations"])),
                         ("sweep_learning_rate", float(DEFAULTS["learning_rate"]))):
        st.session_state.setdefault(key, default)
    with st.form("sweep_form"):
        left, right = st.columns(2)
        name = left.selectbox("Data", data.list_datasets(), key="sweep_data")
        lambd = left.text_input(LABELS["lambd"], DEFAULTS["lambd"], key="sweep_lambd",
                                help="L2 strengths, 0 or more, separated by commas or spaces")
        keep_prob = left.text_input(LABELS["keep_prob"], DEFAULTS["keep_prob"], key="sweep_keep_prob",
                                    help="in (0, 1], separated by commas or spaces; 1 is no dropout")
        # Number fields without bounds that may be emptied: every typed value reaches the checks
        # below, which name it and what is allowed, as the main page and the command line do.
        seeds = right.number_input("Seeds", value=None, step=1, key="sweep_seeds",
                                   help="each seed sets the initial weights and the dropout masks")
        num_iterations = right.number_input("Iterations", value=None, step=100, key="sweep_iterations")
        dev_fraction = right.slider(LABELS["dev_fraction"], 0.1, 0.5, float(DEFAULTS["dev_fraction"]), 0.05,
                                    key="sweep_dev_fraction",
                                    help="share of the training points held out to choose on")
        with st.expander("Network"):
            hidden = st.text_input(LABELS["hidden"], DEFAULTS["hidden"], key="sweep_hidden", help=limits.LAYERS_HELP)
            learning_rate = st.number_input("Learning rate", value=None, step=0.05, key="sweep_learning_rate")
        submitted = st.form_submit_button("Run sweep", type="primary")
    if not submitted:
        return None
    try:
        dataset = data.load_dataset(name)
        request = parse_request({"lambd": lambd, "keep_prob": keep_prob, "hidden": hidden, "seeds": seeds,
                                 "learning_rate": learning_rate, "num_iterations": num_iterations,
                                 "dev_fraction": dev_fraction}, LABELS)
        dev_mask(dataset, request.dev_fraction)
        # Counted on all training points: an upper bound for the dev phase's smaller training set.
        limits.check_budget(request.models(), len(dataset.train_Y))
    except limits.LimitError as error:
        st.error(f"This sweep would train too much: {error} Or run it with the command line "
                 "(`python -m nnreg sweep`).", icon=":material/block:")
        return None
    except ValueError as error:
        st.error(str(error))
        return None
    models = len(request.models())
    stop_slot, bar = st.empty(), st.progress(0.0, text=f"training {models} models")
    # Clicking Stop reruns the page: Streamlit ends this run at its next progress update, so the
    # models being trained stop within an iteration and no more start.
    stop_slot.button("Stop", key="sweep_stop", on_click=_mark_stopped)

    shown = [0]

    def progress(done, total):
        shown[0] = done
        bar.progress(done / total, text=f"trained {done} of {total} models")

    def still_wanted():
        # A point where Streamlit ends this run when Stop is clicked or the page closes.
        progress(shown[0], models)

    result = sweep(dataset, request.grid, request.seeds, request.base, dev_fraction=request.dev_fraction,
                   progress=progress, heartbeat=still_wanted)
    stop_slot.empty()
    bar.empty()
    st.session_state["sweep_rows"] = result.rows
    return result.rows


def _upload_form():
    uploaded = st.file_uploader("A results file from `python -m nnreg sweep --out` or this page",
                                type=["csv", "parquet"], key="sweep_upload")
    if uploaded is None:
        return None
    try:
        return read_results(uploaded.getvalue(), uploaded.name)
    except ValueError as error:
        st.error(str(error))
        return None


def _summary_table(table):
    shown = table[["lambd", "keep_prob", "seeds"]].copy()
    for split in ("train", "dev", "test"):
        shown[f"{split} %"] = [mean_std(mean, std) for mean, std in
                               zip(table[f"{split}_accuracy_mean"], table[f"{split}_accuracy_std"])]
    shown["dev 95% interval"] = [interval(low, high) for low, high in
                                 zip(table["dev_accuracy_ci_low"], table["dev_accuracy_ci_high"])]
    shown["weight norm"] = table["weight_norm_mean"].round(3)
    shown["vs chosen (dev)"] = table["verdict"]
    return shown


def show(rows):
    """The results of a sweep, run here or uploaded: the choice, its statistics, the curves."""
    table = comparison(rows)
    chosen = table[table["chosen"]].iloc[0]
    final = rows[rows["phase"] == "final"]
    left, middle, right = st.columns(3)
    left.metric("Chosen λ", f"{chosen.lambd:g}")
    middle.metric("Chosen keep_prob", f"{chosen.keep_prob:g}")
    if final.empty:
        right.metric("Test accuracy (retrained)", "not in these results")
    else:
        stats = summarize(final).iloc[0]
        mean, std = stats.test_accuracy_mean, stats.test_accuracy_std
        low, high = stats.test_accuracy_ci_low, stats.test_accuracy_ci_high
        right.metric("Test accuracy (retrained)", f"{mean_std(mean, std)} %",
                     help=f"chosen setting retrained on all training data over {stats.seeds} seed(s)"
                          + ("" if math.isnan(low) else f"; 95% interval {interval(low, high)} %"))
    tied = table[table["verdict"] == "within noise"]
    if len(tied):
        names = ", ".join(f"λ={r.lambd:g}/keep_prob={r.keep_prob:g}" for r in tied.itertuples())
        st.info(f"Within noise of the chosen setting on dev (the data cannot tell them apart): {names}")
    st.dataframe(_summary_table(table), hide_index=True)

    lambdas = sorted(rows.loc[rows["phase"] == "dev", "lambd"].unique())
    keep_probs = sorted(rows.loc[rows["phase"] == "dev", "keep_prob"].unique(), reverse=True)
    left, right = st.columns(2)
    fixed_keep_prob = left.selectbox("keep_prob for the λ curve", keep_probs,
                                     index=keep_probs.index(chosen.keep_prob), key="sweep_fixed_keep_prob")
    left.altair_chart(validation_curve(rows, "lambd", fixed_keep_prob))
    fixed_lambd = right.selectbox("λ for the keep_prob curve", lambdas,
                                  index=lambdas.index(chosen.lambd), key="sweep_fixed_lambd")
    right.altair_chart(validation_curve(rows, "keep_prob", fixed_lambd))
    st.altair_chart(weight_norm_chart(rows))
    st.download_button("Download results (CSV)", rows.to_csv(index=False, lineterminator="\n"),
                       file_name="sweep_results.csv", mime="text/csv")


source = st.radio("Results", [RUN, UPLOAD], horizontal=True, key="sweep_source")
rows = _run_form() if source == RUN else _upload_form()
if source == RUN and rows is None:
    if st.session_state.pop("sweep_stopped", False):
        st.warning("The sweep was stopped; nothing from it was kept.")
    rows = st.session_state.get("sweep_rows")
if rows is not None:
    show(rows)
