"""How numbers read: percent, points, mean ± std, counts, with the true minus sign."""

import math

from nnreg.report.formatting import MINUS, mean_std, percent, percent_cell, plural, points, signed


def test_negative_numbers_read_with_the_true_minus_sign():
    assert MINUS == "\u2212"
    assert (percent(-0.021), percent_cell(-0.021), percent_cell(0.9213)) == ("−2.1", "−2.1%", "92.1%")
    assert (points(-0.24, sign=True), points(1.5, sign=True), points(-1.83, 1.78)) == ("−0.2", "+1.5", "−1.83")
    assert mean_std(-0.021, 0.008) == "−2.1 ± 0.8" and mean_std(0.5, math.nan) == "50.0"
    # A number that is not negative, and a text that is not a number, keep their characters.
    assert (signed("2.1"), signed("+0.0"), signed("")) == ("2.1", "+0.0", "")


def test_counts_take_the_singular_for_one():
    assert [plural(n, "model") for n in (0, 1, 2, 1000)] == ["0 models", "1 model", "2 models", "1,000 models"]
    assert plural(1, "run") == "1 run" and plural(3, "child", "children") == "3 children"
