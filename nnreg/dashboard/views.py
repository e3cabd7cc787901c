"""The study page's deeper views, one function a tab, each laying out its charts and the sentences
computed from the numbers beside them.  A view shows one run per model: with several seeds, the
run with the first init seed, and says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import streamlit as st

from .. import charts, limits, network, sensitivity, study
from ..data import Dataset
from ..settings import Settings, title
from ..study import STUDY
from ..training import TrainResult
from . import captions, sensitivity_captions
from .lessons import COURSE_VIEWS, views_for
from .models import first_using, shared_settings
from .player import player
from .resources import model_cache, nudged_cache
from .widgets import Progress, chart, model_columns, model_ids


@dataclass(frozen=True)
class Compared:
    """The models the page compares: their settings and runs by name (the first is the baseline),
    the data, and the controls' values."""

    dataset: Dataset
    models: dict[str, Settings]
    results: dict[str, list[TrainResult]]
    values: dict

    @cached_property
    def first(self) -> dict[str, TrainResult]:
        return {name: runs[0] for name, runs in self.results.items()}

    @property
    def baseline(self) -> str:
        return next(iter(self.models))

    @property
    def several(self) -> bool:
        return self.values["n_seeds"] > 1

    @property
    def which_runs(self) -> str:
        """Which run of each model a view shows, when there are several."""
        return f" The runs with init seed {self.first[self.baseline].settings.seed}." if self.several else ""


def feature_pair(shown: Compared) -> charts.Pair:
    """The two features the field's charts show (``charts.field``): both of a two-feature set,
    with no widget; with more, two select boxes, across and up, starting at ``charts.default_pair``
    of the first model (the features it weighs most).  "Feature up" offers every feature but the
    one across, so the pair is always two features."""
    dataset = shown.dataset
    names = list(dataset.feature_names)
    default = charts.default_pair(shown.first[shown.baseline], dataset)
    if dataset.n_features <= 2:
        return default
    # Keyed by the data, so other data starts at its own default pair.
    key = f"feature_pair_{dataset.fingerprint}"
    across_place, up_place = st.columns(2)
    across = across_place.selectbox("Feature across", names, index=default[0], key=f"{key}_across",
                                    help="The feature along the field's horizontal axis. Every other feature not "
                                         "shown is held at its mean over the training points.")
    others = [name for name in names if name != across]
    up_default = names[default[1]] if names[default[1]] != across else others[0]
    up = up_place.selectbox("Feature up", others, index=others.index(up_default), key=f"{key}_up",
                            help="The feature along the field's vertical axis.")
    st.caption(f"The boundaries, the replay and the hidden units show the models on this slice. Each point is drawn "
               f"at its own {across} and {up}, and the models judge it on all {dataset.n_features} features, so a "
               "point may sit in another class's region and still be labelled right: Ring misclassified points "
               "rings those labelled wrong.")
    return names.index(across), names.index(up)


def view_draws(shown: Compared, show_test: bool, pair: charts.Pair | None = None) -> dict[str, Callable[[], None]]:
    """The views this data has (``lessons.views_for``), in the page's order, each with what draws
    it: the page makes a tab of each."""
    draws = {"Weight decay": lambda: weight_decay(shown), "The network": lambda: network_view(shown),
             "Inputs": lambda: inputs_view(shown), "Learning curves": lambda: learning_curves(shown),
             "Training replay": lambda: training_replay(shown, show_test, pair),
             "Hidden units": lambda: hidden_units(shown, pair), "Dropout runs": lambda: dropout_runs(shown),
             "Sensitivity": lambda: sensitivity_view(shown),
             "The data alone": lambda: data_alone(shown, show_test, pair), "The math": lambda: the_math(shown)}
    return {view: draws[view] for view in views_for(shown.dataset)}


def missing_view_notice(shown: Compared, draws: dict) -> None:
    """Say so when the link opens a view this data does not have (a course view on a table):
    without a word the page would open its first view instead."""
    asked = st.query_params.get("view")
    if asked in COURSE_VIEWS and asked not in draws:
        st.info(f"The link opens “{asked}”, a view of the course's kind of data (features x1 and x2, labels 0 "
                f"and 1), which {shown.dataset.name} is not; the page opens “{next(iter(draws))}” instead.")


def weight_decay(shown: Compared) -> None:
    first = shown.first
    st.markdown(captions.weights_notice(first))
    st.caption(captions.weight_decay_caption(first))
    compared = captions.l2_or_weight_decay_caption(first)
    if compared:
        st.markdown(compared)
    if shown.several:
        st.caption(f"Weights of the runs with init seed {first[shown.baseline].settings.seed}.")
    bars, spread, over_time = st.container(key="weight_charts").columns(3, gap="medium")
    height = charts.model_chart_height(list(first))
    for place, heading, kind, build in ((bars, "‖W‖ per layer", "norms", charts.weight_norms),
                                        (spread, "Every weight, |w|", "distribution", charts.weight_distribution),
                                        (over_time, "‖W‖ while training", "norm history", charts.norm_history)):
        with place:
            st.subheader(heading, anchor=False)
            chart((kind, tuple(first), model_ids(first.values())), height, lambda build=build: build(first))


def network_view(shown: Compared) -> None:
    first = shown.first
    weight_max, bias_max = charts.network_scale(first)
    st.markdown(captions.network_notice(first))
    st.caption(captions.network_caption(first) + shown.which_runs)
    for index, (column, (name, result)) in enumerate(model_columns(first.items())):
        with column, st.container(key=f"network_{index}"):
            st.subheader(title(name), anchor=False)
            chart(("network", model_ids(first.values()), name), "content",
                  lambda: charts.network_graph(result, weight_max, bias_max,
                                               result.network_inputs(result.fitted(shown.dataset)[0]),
                                               shown.dataset.feature_names, shown.dataset.class_names),
                  width="content")


def inputs_view(shown: Compared) -> None:
    first, names = shown.first, shown.dataset.feature_names
    st.markdown(captions.inputs_notice(first, names) + shown.which_runs)
    standardized = [result.input_mean is not None for result in first.values()]
    st.caption("Each bar is ‖W1[:, j]‖, the size of the first layer's weights from one feature: how much a model "
               "takes from it; a missing bar (0) is a feature the model dropped, counted in the legend. L1 can drop "
               "a feature, setting every weight from it to exactly 0; L2 pulls every weight towards 0 without making "
               "any exactly 0. "
               + ("Every model's inputs were standardized, so one feature's bars compare with another's."
                  if all(standardized) else
                  "The inputs were not standardized, so a feature's weights also reflect its units."
                  if not any(standardized) else
                  "Some models' inputs were standardized and others' not: compare a feature's bars within a model."))
    chart(("inputs", model_ids(first.values())), charts.input_norms_height(first, len(names)),
          lambda: charts.input_norms(first, names))


def learning_curves(shown: Compared) -> None:
    first = shown.first
    # One y-range for every model's curves, so that gaps compare across the columns.
    cost_domain, accuracy_domain = charts.curve_domains(first.values())
    inputs = (model_ids(first.values()), tuple(cost_domain), tuple(accuracy_domain))
    # Its accuracies are one run's, where the table's are means over the seeds.
    st.markdown(captions.curves_notice(first) + shown.which_runs)
    if shown.several:
        st.caption(f"The curves of the runs with init seed {first[shown.baseline].settings.seed}.")
    for index, (column, (name, result)) in enumerate(model_columns(first.items())):
        with column, st.container(key=f"curves_{index}"):
            st.subheader(title(name), anchor=False)
            chart(("cost curves", model_ids([result]), inputs), "content",
                  lambda: charts.cost_curves(result, cost_domain))
            chart(("accuracy curves", model_ids([result]), inputs), "content",
                  lambda: charts.accuracy_curves(result, accuracy_domain))
            note = captions.dropout_note(result, shown.dataset)
            if note:
                st.caption(note)


def training_replay(shown: Compared, show_test: bool, pair: charts.Pair | None = None) -> None:
    first, dataset = shown.first, shown.dataset
    accuracies = {name: study.checkpoint_accuracies(result, dataset) for name, result in first.items()}
    st.markdown(captions.replay_notice(first, accuracies))
    st.caption(captions.replay_caption(first, accuracies) + shown.which_runs)
    player(".st-key-replay", charts.FRAME_MS, charts.replay_steps(first)[1], key="replay_player")
    with st.container(key="replay"):
        chart(("replay", model_ids(first.values()), show_test, pair), "content",
              lambda: charts.replay(first, dataset, show_test, pair), width="content")
    st.caption("Drag the slider, or play: every checkpoint was sent with the page, so the models move in your "
               "browser. The boundary, accuracies and ‖W‖ are the model's after that many updates; the grey line "
               "marks the checkpoint on the accuracy curves, whose y-range all models share.")


def hidden_units(shown: Compared, pair: charts.Pair | None = None) -> None:
    first, dataset = shown.first, shown.dataset
    st.markdown(captions.units_notice(first, dataset))
    said = charts.slice_title(dataset, pair)
    if said:
        st.caption(f"The field here is a {said}.")
    scale_max = charts.unit_scale_max(first.values(), dataset, pair)
    st.caption(captions.units_scale_caption(scale_max, charts.UNIT_DECADES,
                                            any(result.settings.keep_prob < 1 for result in first.values()),
                                            any(charts.signed_outputs(result) for result in first.values()))
               + shown.which_runs)
    for index, (column, (name, result)) in enumerate(model_columns(first.items())):
        with column, st.container(key=f"units_{index}"):
            st.subheader(title(name), anchor=False)
            settings = result.settings
            mask = (network.unit_mask(settings.layer_dims, settings.keep_prob, settings.dropout_seed)
                    if settings.keep_prob < 1 else None)
            chart(("units", model_ids([result]), tuple(scale_max), pair), "content",
                  lambda: charts.hidden_units(result, dataset, scale_max, mask, pair), width="content")
            st.caption(captions.units_caption(result, result.fitted(dataset)[0], mask))


def dropout_runs(shown: Compared) -> None:
    """Twenty more models, which only this view needs: the first dropout model of the list, or the
    course's on the shared settings, over seeds and both kinds of masks."""
    using = first_using(shown.models, "keep_prob")
    model = (using[1] if using else shared_settings(shown.values).replace(keep_prob=STUDY["dropout"].keep_prob)
             ).replace(seed=shown.values["seed"])
    single_run, mask_runs = model.replace(dropout_mask="fixed"), study.mask_runs(model)
    runs = [single_run, *(run for seeded in mask_runs.values() for run in seeded)]
    try:
        limits.check_budget(runs, len(shown.dataset.train_Y), n_features=shown.dataset.n_features,
                            n_classes=shown.dataset.n_classes)
    except limits.LimitError as error:
        st.error(f"This view would train too much: {error}", icon=":material/block:")
        return
    progress = Progress("dropout, each seed and mask")
    done = dict(zip(runs, model_cache().results(shown.dataset, runs, progress.update, progress.heartbeat)))
    progress.clear()
    single = done[single_run]
    mask_results = {mask: [done[run] for run in seeded] for mask, seeded in mask_runs.items()}
    summary = study.mask_summary(mask_results, single)
    st.markdown(captions.masks_notice(summary, single))
    st.markdown(captions.masks_caption(summary, single))
    chart(("mask runs", model_ids(done.values())), 220, lambda: charts.mask_runs(mask_results, single))
    st.caption(captions.mask_runs_legend(using[0] if using else None, model.keep_prob, single.settings.seed))


def sensitivity_view(shown: Compared) -> None:
    """Each model's first run trained again from its initial weights nudged by one part in 10^12
    (``nnreg.sensitivity``), which only this view needs: refused when that, with the models
    themselves, is over the page's budget; kept in a cache of its own (``nudged_cache``)."""
    first, dataset = shown.first, shown.dataset
    runs = [result.settings for result in first.values()]
    try:
        limits.check_budget([*runs, *runs], len(dataset.train_Y), n_features=dataset.n_features,
                            n_classes=dataset.n_classes)
    except limits.LimitError as error:
        st.error(f"This view would train too much: it trains each model again, twice the work, and {error}",
                 icon=":material/block:")
        return
    progress = Progress("each model from its nudged start")
    nudged = nudged_cache().results(dataset, runs, progress.update, progress.heartbeat)
    progress.clear()
    found = {name: sensitivity.compare(result, again, dataset) for (name, result), again in zip(first.items(), nudged)}
    st.markdown(sensitivity_captions.sensitivity_notice(found) + shown.which_runs)
    # Taller than the other model charts: its log scale spans ten decades or more.
    chart(("drift", model_ids(first.values())), charts.model_chart_height(list(first), 420),
          lambda: charts.drift(first, found))
    st.caption(sensitivity_captions.sensitivity_legend())
    with st.container(key="sensitivity_table"):
        st.table(sensitivity_captions.sensitivity_table(found), hide_index=True)


def data_alone(shown: Compared, show_test: bool, pair: charts.Pair | None = None) -> None:
    st.markdown(captions.data_notice(shown.dataset, show_test, pair))
    chart(("field", shown.dataset.fingerprint, show_test, pair), "content",
          lambda: charts.dataset_points(shown.dataset, show_test, pair), width="content")


def the_math(shown: Compared) -> None:
    """Each regularizer's update with the numbers of the first model that uses it, else the course's."""
    for text, lines in captions.math_sections(shown.models, shown.first, shown.baseline, shown.dataset):
        st.markdown(text)
        for line in lines:
            st.latex(line)
