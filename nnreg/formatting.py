"""How numbers read, wherever they are shown: accuracies in percent, mean ± std over seeds, and
the command line's aligned text tables."""

from __future__ import annotations

import math


def percent(value: float, decimals: int = 1) -> str:
    """A fraction in percent with one decimal (or ``decimals``), without the sign: 0.9213 → "92.1"."""
    return f"{100 * value:.{decimals}f}"


def mean_std(mean: float, std: float, decimals: int = 1) -> str:
    """ "92.1 ± 0.8" in percent; the mean alone where there is no spread (one seed, NaN)."""
    return percent(mean, decimals) if math.isnan(std) else f"{percent(mean, decimals)} ± {percent(std, decimals)}"


def decimals_apart(high: float, low: float, spread: float) -> int:
    """How many decimals (1 to 4) two numbers need for the difference of the numbers as shown to
    read larger than the ``spread`` as shown (all in one unit), so that a difference found beyond
    noise never reads equal to, or smaller than, the spread beside it."""
    decimals = 1
    while decimals < 4 and round(round(high, decimals) - round(low, decimals), decimals) <= round(spread, decimals):
        decimals += 1
    return decimals


def points(change: float, spread: float | None = None, sign: bool = False) -> str:
    """A difference in percentage points, "1.5", with one decimal; given the ``spread`` it was found
    to exceed (in points too), with the decimals it takes to read larger than it."""
    decimals = 1 if spread is None else decimals_apart(abs(change), 0.0, spread)
    return f"{change:{'+' if sign else ''}.{decimals}f}"


def interval(low: float, high: float) -> str:
    """A confidence interval in percent, "91.3 to 92.9", or "-" where there is none."""
    return "-" if math.isnan(low) else f"{percent(low)} to {percent(high)}"


def text_table(header: list[str], rows: list[list[str]], left: int = 0) -> str:
    """Rows under a header as aligned text: the first ``left`` columns to the left, the others
    (numbers) to the right."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(str(cell).ljust(width) if i < left else str(cell).rjust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths)))

    return "\n".join(line(cells) for cells in [header, *rows])
