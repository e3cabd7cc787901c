"""How the page arranges its models: how many columns share a row."""

from __future__ import annotations

import math

# A model's column needs a third of the page beside the sidebar at 1280 pixels: its boundary is
# 250 pixels wide, its two metrics ("Train accuracy", "91.5%") about 120 each.  Four to a row
# were 181 pixels each there: metrics cut to "89.…" and boundaries over their neighbours.
MAX_PER_ROW = 3


def models_per_row(n_models: int) -> int:
    """How many of ``n_models`` columns share a row: the fewest rows of at most MAX_PER_ROW, filled
    as evenly as they can be (1 to 3 in one row; 4 as 2 + 2; 5 as 3 + 2; 6 as 3 + 3)."""
    if n_models < 1:
        raise ValueError(f"a row needs at least one model, got {n_models}")
    rows = math.ceil(n_models / MAX_PER_ROW)
    return math.ceil(n_models / rows)
