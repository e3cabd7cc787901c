"""Altair charts, each a plain function of results or a dataset, so they are tested without
Streamlit; one module per family: ``pictures`` (PNG files and data URLs), ``field`` (the field the
data is drawn on, a slice through two features of a wider table, and its points), ``boundary``
(decision boundaries), ``units`` (hidden units), ``curves`` (learning curves), ``weights`` (with
each feature's first-layer weights, the Inputs view), ``masks`` ("Dropout runs"), ``network``
(the network drawn), ``replays`` (the training replayed), ``sensitivity`` (a nudged run's drift)
and ``sweep`` (a sweep's and a data-size curve's results).  The pages and tests import them from here.

Colors mean the same on every chart (``nnreg.report.palette``): blue is label 1 (a French player
won the header), red is label 0; a table of more classes has one colour each, red and blue first.
Models get their own colors, never a class's, so a color is never ambiguous.
"""

from .boundary import (BOUNDARY_WIDTH, HOVER_CELLS, HOVER_DATASET, IMAGE_DATASET, MISCLASSIFIED_DATASET,
                       PROBABILITY_SCALE, boundary_legend, class_colors_of, decision_boundary, hard_regions,
                       probability_colors, probability_field, probability_title, region_colors)
from .curves import CURVE_HEIGHT, DEV, TEST, THINNED_OBJECTIVE, TRAIN, accuracy_curves, cost_curves, curve_domains
from .field import (DATA_SIZE, LABEL_SCALE, Pair, axis_titles, dataset_points, default_pair, equal_aspect,
                    field_extent, field_points, label_scale, pixel_centres, points_frame, slice_points, slice_title,
                    training_means)
from .masks import MASK_BAND, MASK_JITTER, NOTEBOOK_RUN, mask_runs, mask_runs_frame
from .network import LINK_WIDTH, largest_weight, network_frames, network_graph, network_scale, output_names
from .pictures import png, png_url
from .replays import (FRAME_MS, ITERATION, REPLAY_COLUMNS, REPLAY_LEVELS, REPLAY_RESOLUTION, REPLAY_SPACING,
                      REPLAY_WIDTH, replay, replay_frame, replay_steps)
from .sensitivity import drift, drift_frame
from .sweep import SYMBOLS, curve_frame, data_size_chart, validation_curve, weight_norm_chart
from .units import (DROPPED_OPACITY, UNIT_DECADES, UNIT_RESOLUTION, UNIT_SIZE, hidden_units, signed_outputs,
                    unit_frame, unit_outputs, unit_picture, unit_scale_max, unit_shade)
from .weights import (input_norms, input_norms_frame, input_norms_height, model_chart_height, model_colors,
                      norm_history, norm_history_frame, weight_distribution, weight_distribution_frame, weight_norms)

__all__ = [
    "BOUNDARY_WIDTH", "CURVE_HEIGHT", "DATA_SIZE", "DEV", "DROPPED_OPACITY", "FRAME_MS", "HOVER_CELLS",
    "HOVER_DATASET", "IMAGE_DATASET", "ITERATION", "LABEL_SCALE", "LINK_WIDTH", "MASK_BAND", "MASK_JITTER",
    "MISCLASSIFIED_DATASET", "NOTEBOOK_RUN", "PROBABILITY_SCALE", "REPLAY_COLUMNS", "REPLAY_LEVELS",
    "REPLAY_RESOLUTION", "REPLAY_SPACING", "REPLAY_WIDTH", "SYMBOLS", "TEST", "THINNED_OBJECTIVE", "TRAIN",
    "UNIT_DECADES", "UNIT_RESOLUTION", "UNIT_SIZE", "accuracy_curves", "axis_titles", "boundary_legend",
    "class_colors_of", "cost_curves", "curve_domains", "curve_frame", "data_size_chart", "dataset_points",
    "decision_boundary", "default_pair", "drift", "drift_frame", "equal_aspect", "field_extent", "field_points", "hard_regions", "hidden_units",
    "input_norms", "input_norms_frame", "input_norms_height", "label_scale", "largest_weight", "mask_runs", "mask_runs_frame",
    "model_chart_height", "model_colors", "network_frames", "network_graph", "network_scale", "norm_history",
    "norm_history_frame", "output_names", "Pair", "pixel_centres", "png", "png_url", "points_frame",
    "probability_colors", "probability_field", "probability_title", "region_colors", "replay", "replay_frame",
    "replay_steps", "signed_outputs", "slice_points", "slice_title", "training_means", "unit_frame", "unit_outputs", "unit_picture",
    "unit_scale_max", "unit_shade", "validation_curve", "weight_distribution", "weight_distribution_frame",
    "weight_norm_chart", "weight_norms",
]
