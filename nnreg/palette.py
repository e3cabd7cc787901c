"""Every colour of the charts and the page, in one place, so that none means two things.

Blue and red are the two labels on every chart; each model has a colour of its own, and so does
each data split; none of them is blue or red.  The Streamlit theme
(.streamlit/config.toml) lists the model colours first among its categorical colours, in this
order (tested), since the theme cannot import them.
"""

# The labels: 1 (a French player won the header) and 0 (the opponent did).
BLUE = "#1d4ed8"
RED = "#dc2626"
# The probability field uses pale versions of the same two colours, white where the model is
# unsure (0.5), so the points drawn on top stay readable.
PALE_BLUE = "#8fb0f4"
PALE_RED = "#f4a3a3"
UNSURE = "#ffffff"

# The models, by their names in nnreg.settings.STUDY_TITLES.
MODEL_COLORS = {"none": "#57534e", "l2": "#059669", "dropout": "#d97706", "l2_dropout": "#7c3aed"}
# The thinned network's noisy objective beside a dropout model's cost.
THINNED_COLOR = "#a8a29e"

# The data splits, in the learning curves and on the Sweep page; the Sweep page marks the
# retrained choice in the test split's colour, as what it shows is a test accuracy.
SPLIT_COLORS = {"train": "#0e7490", "dev": "#a21caf", "test": "#1f2937"}

# Legends that show shapes only (train circles, test triangles): a grey that is no model's.
NEUTRAL = "#6b7280"
# The best test accuracy in the table.
HIGHLIGHT = "#fde68a"
