"""How numbers read, wherever they are shown: accuracies in percent, mean ± std over seeds, and
the command line's aligned text tables.  A negative number reads with the true minus sign, as
"−0.2 pts" beside it does, never a hyphen.  Every CSV file written is written by ``csv_text``,
whose text cells a spreadsheet shows rather than runs."""

from __future__ import annotations

import math

MINUS = "\u2212"


def signed(text: str) -> str:
    """A formatted number with the true minus sign for a leading hyphen: "-2.1" → "−2.1"."""
    return MINUS + text[1:] if text.startswith("-") else text


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """A count and its noun, singular for one: "1 model", "3 models" (``nouns``: an irregular plural)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def percent(value: float, decimals: int = 1, sign: bool = False) -> str:
    """A fraction in percent with one decimal (or ``decimals``), without the % sign: 0.9213 → "92.1",
    -0.021 → "−2.1"; with ``sign``, a "+" before a positive one."""
    return signed(f"{100 * value:{'+' if sign else ''}.{decimals}f}")


def percent_cell(value: float, decimals: int = 1, sign: bool = False) -> str:
    """A fraction in percent with its % sign, as a table's cell and a sentence show it: 0.9213 →
    "92.1%", -0.021 → "−2.1%" (with ``decimals`` 0, 0.75 → "75%")."""
    return f"{percent(value, decimals, sign)}%"


def mean_std(mean: float, std: float, decimals: int = 1) -> str:
    """ "92.1 ± 0.8": a mean and standard deviation in percent, the one way every surface writes
    them, the unit once after them ("92.1 ± 0.8 %") or in the column's header ("test %"); the
    mean alone where there is no spread (one seed, NaN)."""
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
    return signed(f"{change:{'+' if sign else ''}.{decimals}f}")


def interval_text(low: float, high: float) -> str:
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


# What a spreadsheet takes for the start of a formula (OWASP's list against CSV injection): a
# model named "=1+2" in a link would otherwise run as one in the table's CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """A cell as a CSV file holds it: a text starting like a formula after a "'", which a
    spreadsheet shows instead of running ("=1+2" → "'=1+2"); numbers, even negative, and every
    other value as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_text(frame, **options) -> str:
    """A table (a pandas DataFrame) as CSV text without its index, every text cell through
    ``spreadsheet_text``: every CSV the page or the command line writes is written by this.
    ``options`` go to ``DataFrame.to_csv`` (e.g. ``float_format``)."""
    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.assign(**{column: frame[column].map(spreadsheet_text) for column in text_columns})
    return safe.to_csv(index=False, lineterminator="\n", **options)


def failed_runs(runs: int, diverged: int, collapsed: int) -> str:
    """How many of a setting's (or a model's) runs failed, and how: "0 of 15", "2 of 15 diverged",
    "3 of 15: 2 diverged, 1 collapsed"."""
    failed = f"{diverged + collapsed} of {runs}"
    if diverged and collapsed:
        return f"{failed}: {diverged} diverged, {collapsed} collapsed"
    if diverged or collapsed:
        return f"{failed} {'diverged' if diverged else 'collapsed'}"
    return failed
