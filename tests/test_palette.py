"""One palette: labels, models and data splits never share a colour, on any chart or page."""

import tomllib
from pathlib import Path

from nnreg import palette

ROOT = Path(__file__).resolve().parent.parent


def test_labels_models_and_splits_never_share_a_colour():
    labels = [palette.BLUE, palette.RED, palette.PALE_BLUE, palette.PALE_RED]
    models = list(palette.MODEL_COLORS.values())
    others = [palette.THINNED_COLOR, *palette.SPLIT_COLORS.values(), palette.NEUTRAL, palette.HIGHLIGHT]
    every = [color.lower() for color in labels + models + others]
    assert len(every) == len(set(every))


def test_the_themes_categorical_colours_start_with_the_models_in_order():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    models = list(palette.MODEL_COLORS.values())
    assert theme["chartCategoricalColors"][: len(models)] == models
