"""How numbers read, wherever they are shown: accuracies in percent, mean ± std over seeds, and
the command line's aligned text tables."""

from __future__ import annotations

import math


def percent(value: float) -> str:
    """A fraction in percent with one decimal, without the sign: 0.9213 → "92.1"."""
    return f"{100 * value:.1f}"


def mean_std(mean: float, std: float) -> str:
    """ "92.1 ± 0.8" in percent; the mean alone where there is no spread (one seed, NaN)."""
    return percent(mean) if math.isnan(std) else f"{percent(mean)} ± {percent(std)}"


def points(change: float, spread: float | None = None, sign: bool = False) -> str:
    """A difference in percentage points, "1.5", with one decimal; given the ``spread`` it was found
    to exceed (in points too), with as many more decimals (up to 4) as it takes to read larger than
    the spread, so that a difference beyond noise never reads equal to the spread shown beside it."""
    decimals = 1
    if spread is not None:
        while decimals < 4 and round(abs(change), decimals) <= round(spread, decimals):
            decimals += 1
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
