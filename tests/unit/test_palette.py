"""One palette: labels, models, data splits and weight signs never share a colour, on any chart or
page, and every drawn colour reads on both of Streamlit's themes."""

import itertools
import tomllib
from pathlib import Path

import numpy as np
import pytest

from nnreg import charts
from nnreg.report import palette

ROOT = Path(__file__).resolve().parents[2]
# Named colours (labels, models, splits, signs, the thinned objective): CIE76 ΔE between any two.
# 25 is about the distance between a strong orange and a strong gold, told apart at a glance.
MIN_DISTANCE = 25
# WCAG contrast of a line or mark against the page: 2:1 is where thin lines stop being readable.
MIN_CONTRAST = 2.0

NAMED = {"label 1": palette.BLUE, "label 0": palette.RED,
         **{f"model {name}": color for name, color in palette.MODEL_COLORS.items()},
         **{f"split {name}": color for name, color in palette.SPLIT_COLORS.items()},
         **{f"sign {name}": color for name, color in palette.SIGN_COLORS.items()},
         "thinned objective": palette.THINNED_COLOR}


def _linear(color):
    c = np.array([int(color[i: i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(color):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ _linear(color)
    f = np.cbrt(xyz / [0.95047, 1.0, 1.08883])
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _contrast(a, b):
    lighter, darker = sorted(float(_linear(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def test_labels_models_splits_and_signs_never_share_a_colour():
    every = [color.lower() for color in [*NAMED.values(), palette.PALE_BLUE, palette.PALE_RED, palette.NEUTRAL,
                                         palette.HIGHLIGHT]]
    assert len(every) == len(set(every))


@pytest.mark.parametrize("first, second", itertools.combinations(NAMED, 2))
def test_any_two_named_colours_are_far_apart(first, second):
    assert np.linalg.norm(_lab(NAMED[first]) - _lab(NAMED[second])) >= MIN_DISTANCE


@pytest.mark.parametrize("theme", palette.BACKGROUNDS)
def test_every_drawn_colour_reads_on_both_themes(theme):
    background = palette.BACKGROUNDS[theme]
    drawn = {**NAMED, "neutral": palette.NEUTRAL}
    assert {name: round(_contrast(color, background), 2) for name, color in drawn.items()
            if _contrast(color, background) < MIN_CONTRAST} == {}


def test_the_highlighted_cell_keeps_its_text_readable():
    assert _contrast(palette.HIGHLIGHT, palette.HIGHLIGHT_TEXT) >= 7


def test_the_contrast_is_the_wcag_one():
    # Hand-checked: black on white is 21:1, and white on Streamlit's dark page about 18:1.
    assert _contrast("#000000", "#ffffff") == pytest.approx(21)
    assert _contrast("#ffffff", palette.BACKGROUNDS["dark"]) == pytest.approx(18.0, abs=0.1)


def test_the_themes_categorical_colours_start_with_the_models_in_order():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    models = list(palette.MODEL_COLORS.values())
    assert theme["chartCategoricalColors"][: len(models)] == models


def test_visitors_can_switch_between_a_light_and_a_dark_theme():
    # A base would pin one of them; both variants keep a neutral accent, not a label's colour.
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert "base" not in theme
    for variant in palette.BACKGROUNDS:
        assert theme[variant]["primaryColor"].lower() not in (palette.BLUE, palette.RED)


def _over(rgba, background):
    """An RGBA pixel drawn over a page background, as the browser composites it, as a colour."""
    rgb, alpha = np.array(rgba[:3], float), rgba[3] / 255
    page = np.array([int(background[i: i + 2], 16) for i in (1, 3, 5)], float)
    return "#{:02x}{:02x}{:02x}".format(*np.rint(alpha * rgb + (1 - alpha) * page).astype(int))


@pytest.mark.parametrize("theme", palette.BACKGROUNDS)
def test_a_hidden_units_zero_is_the_page_itself_and_its_largest_output_stands_out(theme):
    # The dark theme once drew 0 bright white and a dropped unit dark grey, which read as the most
    # active: now 0 is transparent, nothing drawn, on either page.
    background = palette.BACKGROUNDS[theme]
    zero, half, top = charts.unit_picture(np.array([0.0, 0.5, 50.0]), 50.0)
    assert _over(zero, background) == background
    assert 1 < _contrast(_over(half, background), background) < _contrast(_over(top, background), background)
    assert _contrast(_over(top, background), background) >= 3
    # A dropped unit's cross reads on the page, and is not the units' own grey.
    assert _contrast(palette.DROPPED_UNIT, background) >= MIN_CONTRAST
    assert np.linalg.norm(_lab(palette.DROPPED_UNIT) - _lab(palette.UNIT_OUTPUT)) >= MIN_DISTANCE


@pytest.mark.parametrize("field", [palette.PALE_BLUE, palette.PALE_RED, palette.UNSURE])
def test_the_ring_around_a_misclassified_point_reads_on_the_probability_field(field):
    # Rings are drawn on the field, never on the page, in both themes.
    assert _contrast(palette.MISCLASSIFIED, field) >= 4.5
    # And apart from both labels' colours, which fill the points it rings.
    for label in (palette.BLUE, palette.RED):
        assert np.linalg.norm(_lab(palette.MISCLASSIFIED) - _lab(label)) >= MIN_DISTANCE


def test_no_colour_is_written_outside_the_palette():
    import re

    # A hex colour, or a colour's name written as a text (a mark's stroke="white", a delta's "green").
    names = "white|black|red|green|blue|grey|gray|orange|yellow|violet|purple|pink|brown|silver|steelblue|navy|teal"
    colour = re.compile(rf"""#[0-9a-fA-F]{{6}}\b|#[0-9a-fA-F]{{3}}\b|["'](?:light|dark)?(?:{names})["']""")
    found = [f"{path.relative_to(ROOT)}: {match.group()}"
             for path in sorted((ROOT / "nnreg").rglob("*.py")) if path.name != "palette.py"
             for match in colour.finditer(path.read_text())]
    assert found == []


CLASSES = {f"class {code}": color for code, color in enumerate(palette.CLASS_COLORS)}


def test_two_classes_are_red_and_blue_and_more_start_with_them():
    assert palette.class_colors(2) == (palette.RED, palette.BLUE)
    assert palette.class_colors(3)[:2] == (palette.RED, palette.BLUE)
    assert palette.pale_class_colors(2) == (palette.PALE_RED, palette.PALE_BLUE)
    assert len(palette.class_colors(20)) == 20 and len({c.lower() for c in palette.class_colors(20)}) == 20
    with pytest.raises(ValueError, match="n_classes must be 2 to 20, got 21"):
        palette.class_colors(21)


@pytest.mark.parametrize("first, second", itertools.combinations(CLASSES, 2))
def test_any_two_classes_are_far_apart(first, second):
    assert np.linalg.norm(_lab(CLASSES[first]) - _lab(CLASSES[second])) >= MIN_DISTANCE


@pytest.mark.parametrize("name", list(CLASSES)[2:])
def test_no_class_colour_is_near_a_model_split_sign_or_grey(name):
    others = {key: color for key, color in NAMED.items() if not key.startswith("label")}
    others |= {"neutral": palette.NEUTRAL, "unit output": palette.UNIT_OUTPUT}
    near = {key: round(float(np.linalg.norm(_lab(CLASSES[name]) - _lab(color))), 1) for key, color in others.items()
            if np.linalg.norm(_lab(CLASSES[name]) - _lab(color)) < MIN_DISTANCE}
    assert near == {}


@pytest.mark.parametrize("theme", palette.BACKGROUNDS)
def test_every_class_colour_reads_on_both_themes(theme):
    background = palette.BACKGROUNDS[theme]
    assert {name: round(_contrast(color, background), 2) for name, color in CLASSES.items()
            if _contrast(color, background) < MIN_CONTRAST} == {}


@pytest.mark.parametrize("pale", palette.pale_class_colors(20))
def test_a_class_region_is_its_colour_half_way_to_white_and_the_ring_reads_on_it(pale):
    assert _contrast(palette.MISCLASSIFIED, pale) >= 4.5
    # Lighter than its class colour, so the points drawn on it stand out.
    code = palette.pale_class_colors(20).index(pale)
    assert _contrast(pale, "#ffffff") < _contrast(palette.CLASS_COLORS[code], "#ffffff")
