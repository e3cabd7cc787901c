"""How many models share a row (nnreg.dashboard.layout); tests/browser/test_layout_browser.py checks that
every model's column then reads whole at 1280 and 1600 pixels."""

import math

import pytest

from nnreg.dashboard import models_per_row
from nnreg.dashboard.layout import MAX_PER_ROW
from nnreg.specs import MAX_MODELS


@pytest.mark.parametrize("n_models, per_row", [(1, 1), (2, 2), (3, 3), (4, 2), (5, 3), (6, 3)])
def test_models_share_rows_of_at_most_three(n_models, per_row):
    assert models_per_row(n_models) == per_row


@pytest.mark.parametrize("n_models", range(1, 3 * MAX_MODELS))
def test_the_rows_are_as_few_and_as_even_as_they_can_be(n_models):
    per_row = models_per_row(n_models)
    rows = math.ceil(n_models / per_row)
    assert per_row <= MAX_PER_ROW
    assert rows == math.ceil(n_models / MAX_PER_ROW)
    # Fewer to a row would take another row: 4 models are 2 + 2, not 3 + 1.
    assert per_row == 1 or math.ceil(n_models / (per_row - 1)) > rows


def test_no_models_is_refused_with_a_message():
    with pytest.raises(ValueError, match="at least one model, got 0"):
        models_per_row(0)
