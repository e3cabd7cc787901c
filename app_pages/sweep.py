"""The Sweep page: a λ × L1 × weight decay × keep_prob grid over seeds, chosen on a dev set, or a data-size curve
(each regularizer's test accuracy as the training set grows), or a command line's results file,
shown as curves with bands over seeds.

Widgets and layout only: the runs and their results come from ``nnreg.sweeps``, their display from
``nnreg.dashboard.sweep_views``.  Every field of the form is in the link, so a copied link
reproduces the form.
"""

import streamlit as st

from nnreg import limits
from nnreg.dashboard import CONTROLS, sweep_views, table_words
from nnreg.dashboard.resources import chosen_dataset
from nnreg.dashboard.session import PageState
from nnreg.dashboard.sweep_links import LABELS, PREFIX, STANDARDIZE, TRAINING_CHOICES, check_link
from nnreg.dashboard.widgets import Fields
from nnreg.settings import DROPOUT_MASKS
from nnreg.sweeps import DEFAULTS, FAMILIES, is_curve
from nnreg.specs import FULL_BATCH
from nnreg.sweeps.request import TRAINING_HELP

RUN, CURVE, VIEW = "Run a sweep", "Run a data-size curve", "View a results file"
SOURCES = (RUN, CURVE, VIEW)
# Five seeds, not the command line's ten: the default grid (5 λ × 3 keep_prob, plus the retrained
# choice) then stays well inside the page's compute budget, at 80 course models; the default
# data-size curve at these four sizes, at 83.
DEFAULT_SEEDS = 5
CURVE_FRACTIONS = "0.1, 0.25, 0.5, 1"

page = PageState(st.session_state, st.query_params, "sweep", lambda params: check_link(params.to_dict(), SOURCES))


def text(key, default, label=None, where=st, **options):
    # Any text, a number's included: the checks on Run read exactly what was typed and quote it
    # when they refuse it (a number field would turn "1e9" into 1 in the browser).
    return where.text_input(label or LABELS[key], default, key=PREFIX + key, bind=page.bind(PREFIX + key), **options)


st.title("Sweep: choose λ, L1, weight decay and keep_prob on a dev set")
st.caption("Every setting is trained over several seeds on the training data minus a held-out dev set, or minus "
           "each of K folds in turn; of the settings none of whose runs diverged or collapsed, the simplest within "
           "one standard error of the best dev score is chosen and retrained on all training data, and only then is "
           "its test accuracy reported. A difference within one standard error (seeds and points together) is within "
           "noise. A data-size curve does the same for each regularizer alone, on several shares of the training data.")
for problem in page.link_problems.values():
    st.warning(problem, icon=":material/link_off:")
for problem in page.pop_problems():
    st.warning(problem, icon=":material/edit_off:")

source = st.radio("Results", SOURCES, horizontal=True, key="sweep_source", bind=page.bind("sweep_source"))

# --- A results file, from the command line or this page ----------------------------------------------
if source == VIEW:
    rows = sweep_views.upload_form()
    if rows is not None and is_curve(rows):
        sweep_views.show_curve(rows, [family for family in FAMILIES if family not in set(rows["family"])])
    elif rows is not None:
        sweep_views.show(rows, page)
else:
    # --- The data: outside the form, so that a synthetic set's options show as soon as it is chosen ---------
    curve = source == CURVE
    data_values, upload = Fields(page, PREFIX).data(st.columns(4))
    dataset, data_problem = chosen_dataset(data_values, upload)
    if data_problem:
        st.error(data_problem)
    elif dataset is None:
        st.info("Choose a data file to train on.", icon=":material/upload_file:")
    else:
        st.caption(f"Dataset **{dataset.name}**: {len(dataset.train_Y)} training points, {len(dataset.test_Y)} test "
                   f"points{table_words(dataset)}.")
        Fields.notes(dataset)

    # --- The grid (or the curve's shares), the seeds and the network -----------------------------------------
    with st.form("sweep_form"):
        left, right = st.columns(2)
        with left:
            # A curve compares the course's regularizers alone: weight decay has no curve of its own.
            grid = (("lambd", "L2 strengths, ", ""), ("l1", "L1 strengths, ", ""),
                    *((("weight_decay", "decoupled weight decay strengths (each update also takes learning rate × "
                        "weight decay × W from every weight), ", ""),) if not curve else ()),
                    ("keep_prob", "", "; 1 is no dropout"))
            texts = {key: text(key, DEFAULTS[key], help=f"{what}each {limits.RANGES[key].allowed()}, separated by "
                                                         f"commas or spaces{after}")
                     for key, what, after in grid}
            masks = st.radio("Dropout masks", DROPOUT_MASKS, key="sweep_dropout_mask", horizontal=True,
                             bind=page.bind("sweep_dropout_mask"),
                             help="fresh: new masks at every iteration, drawn from each seed; fixed: the notebook's "
                                  "masks, drawn once and the same at every iteration and seed.")
        with right:
            texts["train_fraction"] = DEFAULTS["train_fraction"]
            if curve:
                texts["train_fraction"] = text("train_fraction", CURVE_FRACTIONS, help=(
                    f"shares of the training points, from {limits.MIN_TRAIN_FRACTION:g} to 1, at least two; each "
                    "regularizer's strength is chosen on the dev set at each share"))
            texts["seeds"] = text("seeds", str(DEFAULT_SEEDS), help=f"{limits.RANGES['n_seeds'].allowed()}; each seed "
                                                                    "sets the initial weights and the dropout masks")
            texts["num_iterations"] = text("iterations", DEFAULTS["num_iterations"], LABELS["num_iterations"],
                                           help=limits.RANGES["num_iterations"].allowed())
            split_places = st.columns(2)
            texts["folds"] = text("folds", DEFAULTS["folds"], where=split_places[0], help=(
                f"{limits.RANGES['folds'].allowed()}: 1 holds out one dev split; K splits the training points into "
                "K stratified folds, each the dev set once, so every point is scored"))
            texts["dev_seed"] = text("dev_seed", DEFAULTS["dev_seed"], where=split_places[1], help=(
                f"{limits.RANGES['dev_seed'].allowed()}; draws the dev split, or the folds"))
            dev = CONTROLS["dev_fraction"]
            texts["dev_fraction"] = st.slider(f"{LABELS['dev_fraction']} (with 1 fold)", dev.low, dev.high, dev.default,
                                              dev.step, key="sweep_dev_fraction", bind=page.bind("sweep_dev_fraction"),
                                              help="share of the training points held out to choose on, with 1 fold; "
                                                   "K folds hold out a K-th each")
        with st.expander("Network"):
            texts["hidden"] = text("hidden", DEFAULTS["hidden"], help=limits.LAYERS_HELP)
            texts["learning_rate"] = text("learning_rate", DEFAULTS["learning_rate"],
                                          help=limits.RANGES["learning_rate"].allowed())
            standardize = st.selectbox(LABELS["standardize"], list(STANDARDIZE), key=PREFIX + "standardize",
                                       bind=page.bind(PREFIX + "standardize"),
                                       help="scale each feature to mean 0 and standard deviation 1 over the points "
                                            "each model fits; the data's default is on for a named table, off for "
                                            "data in the course's layout (x1, x2, y)")
            texts["standardize"] = STANDARDIZE[standardize]
            choice_places = st.columns(3)
            for where, key in zip(choice_places, TRAINING_CHOICES):
                texts[key] = where.selectbox(LABELS[key], TRAINING_CHOICES[key], key=PREFIX + key,
                                             bind=page.bind(PREFIX + key), help=TRAINING_HELP[key])
            texts["batch_size"] = text("batch_size", FULL_BATCH, where=choice_places[2],
                                       help=TRAINING_HELP["batch_size"])
        submitted = st.form_submit_button("Run data-size curve" if curve else "Run sweep", type="primary")

    # --- On Run: checked, then trained under a progress bar with Stop ------------------------------------------
    if submitted and dataset is None:
        st.error(f"Nothing was trained: {data_problem or 'choose a data file first'}.")
    elif submitted:
        try:
            sweep_views.train(sweep_views.checked_request(texts, masks, dataset, curve), dataset, curve)
        except limits.LimitError as error:
            sweep_views.refuse_over_budget(error, texts, masks, dataset, curve)
        except ValueError as error:
            st.error(str(error))

    # --- The last run's results: whole, or as far as it went before Stop -----------------------------------
    run = st.session_state.get(sweep_views.run_key(curve))
    if run is not None and run.result is not None:
        if curve:
            sweep_views.show_curve(run.result.rows, run.result.left_out)
        else:
            sweep_views.show(run.result.rows, page)
    elif run is not None:
        sweep_views.show_stopped(run, curve, page)
