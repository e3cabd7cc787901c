"""Altair charts, each a plain function of results or a dataset, so they are tested without
Streamlit; one module per family: ``pictures`` (PNG files and data URLs), ``field`` (the field the
data is drawn on, and its points), ``boundary`` (decision boundaries), ``units`` (hidden units),
``curves`` (learning curves), ``weights``, ``masks`` ("One dropout run or many?"), ``network``
(the network drawn), ``replays`` (the training replayed) and ``sweep`` (a sweep's and a data-size
curve's results).  The pages and tests import them from here.

Colors mean the same on every chart (``nnreg.report.palette``): blue is label 1 (a French player
won the header), red is label 0.  Models get their own colors, never blue or red, so a color is
never ambiguous.
"""

from .boundary import (BOUNDARY_WIDTH, HOVER_CELLS, HOVER_DATASET, IMAGE_DATASET, MISCLASSIFIED_DATASET,
                       PROBABILITY_SCALE, boundary_legend, decision_boundary, probability_colors, probability_field)
from .curves import CURVE_HEIGHT, DEV, TEST, THINNED_OBJECTIVE, TRAIN, accuracy_curves, cost_curves, curve_domains
from .field import DATA_SIZE, LABEL_SCALE, dataset_points, field_extent, pixel_centres, points_frame
from .masks import MASK_BAND, MASK_JITTER, NOTEBOOK_RUN, mask_runs, mask_runs_frame
from .network import LINK_WIDTH, largest_weight, network_frames, network_graph, network_scale
from .pictures import png, png_url
from .replays import (FRAME_MS, ITERATION, REPLAY_COLUMNS, REPLAY_LEVELS, REPLAY_RESOLUTION, REPLAY_SPACING,
                      REPLAY_WIDTH, replay, replay_frame, replay_steps)
from .sweep import SYMBOLS, curve_frame, data_size_chart, validation_curve, weight_norm_chart
from .units import (DROPPED_OPACITY, UNIT_DECADES, UNIT_RESOLUTION, UNIT_SIZE, hidden_units, unit_frame,
                    unit_outputs, unit_picture, unit_scale_max, unit_shade)
from .weights import (model_chart_height, model_colors, norm_history, norm_history_frame, weight_distribution,
                      weight_distribution_frame, weight_norms)

__all__ = [
    "BOUNDARY_WIDTH", "CURVE_HEIGHT", "DATA_SIZE", "DEV", "DROPPED_OPACITY", "FRAME_MS", "HOVER_CELLS", "HOVER_DATASET",
    "IMAGE_DATASET", "ITERATION", "LABEL_SCALE", "LINK_WIDTH", "MASK_BAND", "MASK_JITTER", "MISCLASSIFIED_DATASET",
    "NOTEBOOK_RUN", "PROBABILITY_SCALE", "REPLAY_COLUMNS", "REPLAY_LEVELS", "REPLAY_RESOLUTION", "REPLAY_SPACING",
    "REPLAY_WIDTH", "SYMBOLS", "TEST", "THINNED_OBJECTIVE", "TRAIN", "UNIT_DECADES", "UNIT_RESOLUTION", "UNIT_SIZE",
    "accuracy_curves", "boundary_legend", "cost_curves", "curve_domains", "curve_frame", "data_size_chart",
    "dataset_points", "decision_boundary", "field_extent", "hidden_units", "largest_weight", "mask_runs",
    "mask_runs_frame", "model_chart_height", "model_colors", "network_frames", "network_graph", "network_scale",
    "norm_history", "norm_history_frame", "pixel_centres", "png", "png_url", "points_frame", "probability_colors",
    "probability_field", "replay", "replay_frame", "replay_steps", "unit_frame", "unit_outputs", "unit_picture",
    "unit_scale_max", "unit_shade", "validation_curve", "weight_distribution", "weight_distribution_frame",
    "weight_norm_chart", "weight_norms",
]
