"""How numbers read: percent, points, mean ± std, counts, with the true minus sign."""

import math

from nnreg.report.formatting import (MINUS, interval_text, mean_std, percent, percent_cell, plural, points,
                                     signed)


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


def test_a_percentage_with_its_sign_takes_any_decimals_and_a_plus():
    assert (percent_cell(0.75, 0), percent_cell(0.123, 0, sign=True), percent_cell(-0.123, 0, sign=True)) == (
        "75%", "+12%", "−12%")
    assert percent(0.0153, 2, sign=True) == "+1.53"


def test_an_interval_reads_as_its_two_ends_in_percent():
    assert interval_text(0.913, 0.929) == "91.3 to 92.9" and interval_text(math.nan, math.nan) == "-"


def test_every_mean_and_std_in_the_package_is_written_by_mean_std():
    # One formatter: no "±" is built anywhere else from two numbers.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "nnreg"
    built = [f"{path.name}: {line.strip()}" for path in root.rglob("*.py") if path.name != "formatting.py"
             for line in path.read_text().splitlines() if re.search(r"\}\s*%?\s*± \{", line)]
    assert built == []
