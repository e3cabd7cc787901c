"""nnreg.sweeps.fit: the largest grid like a refused one that the page's budget takes, and the
phrase saying what was cut.  The expected grids are worked out by hand in the comments, from one
model's work in course models (limits.work) and the budget of 100."""

import dataclasses
import re

import pytest

from nnreg import limits
from nnreg.settings import Settings
from nnreg.sweeps import DEFAULTS, parse_request
from nnreg.sweeps.fit import fit_request, thinned

NAMES = {"lambd": "λ", "l1": "L1", "keep_prob": "keep_prob"}
FIELD_NAMES = {key: key for key in [*DEFAULTS, "folds", "dev_seed"]}
# The bundled breast-cancer table: 398 training points, 30 features, 2 classes; and two of its features.
BREAST_CANCER = (398, 30, 2)
TWO_FEATURES = (398, 2, 2)


def request(**fields):
    """The page's default request (five seeds) with ``fields`` typed instead."""
    return parse_request({**DEFAULTS, "seeds": "5", **fields}, FIELD_NAMES)


def fits(request, shape) -> bool:
    points, n_features, n_classes = shape
    try:
        limits.check_budget(request.models(), points, n_features=n_features, n_classes=n_classes)
    except limits.LimitError:
        return False
    return True


def fitted(request, shape):
    return fit_request(request, *shape, NAMES)


def one_model(shape, **settings) -> float:
    points, n_features, n_classes = shape
    return limits.work(Settings(**settings), points, n_features=n_features, n_classes=n_classes)


def cut(phrase):
    """The phrase's parts as {what: (new, old)}: "3 seeds instead of 5" and "λ 0, 3 instead of ..."."""
    parts = {}
    for part in phrase.split("; "):
        count = re.fullmatch(r"(\d+) (seeds|folds) instead of (\d+)", part)
        if count:
            parts[count[2]] = (count[1], count[3])
        else:
            name, new, old = re.fullmatch(r"(\S+) (.+) instead of (.+)", part).groups()
            parts[name] = (new, old)
    return parts


def written(values):
    return ", ".join(f"{value:g}" for value in values)


def test_thinning_keeps_the_ends_and_spreads_the_rest():
    values = [0.0, 0.01, 0.1, 0.7, 3.0]
    assert thinned(values, 5) == values
    assert thinned(values, 4) == [0.0, 0.01, 0.7, 3.0]
    assert thinned(values, 3) == [0.0, 0.1, 3.0]
    assert thinned(values, 2) == [0.0, 3.0]
    assert thinned(values, 1) == [0.0]


def test_a_request_that_fits_is_kept_whole():
    small = request(lambd="0, 0.7", keep_prob="1", seeds="2")
    assert fits(small, BREAST_CANCER)
    assert fitted(small, BREAST_CANCER) == (small, "")


def test_fewer_seeds_come_first():
    # Two features: one model is 1.89 course models (398 / 211 points), so the default grid of
    # 15 settings × 5 seeds + 5 retrained is 151; 4 seeds, 64 models, 121; 3 seeds, 48, 91: fits.
    assert one_model(TWO_FEATURES) == pytest.approx(398 / 211)
    default = request()
    smaller, phrase = fitted(default, TWO_FEATURES)
    assert smaller == dataclasses.replace(default, seeds=3)
    assert fits(smaller, TWO_FEATURES) and not fits(dataclasses.replace(default, seeds=4), TWO_FEATURES)
    assert phrase == "3 seeds instead of 5"


def test_then_fewer_values_from_the_longest_list_keeping_its_ends():
    # 10,000 iterations on all 30 features: 4.05 course models each, so at most 24 models.  Three
    # seeds: 5 λ × 3 keep_prob, 48 models; 4 × 3, 39; 3 × 3, 30; then on the tie keep_prob's list
    # first (λ is kept longest): 3 × 2 (keep_prob's ends), 21: fits.
    shape = BREAST_CANCER
    assert one_model(shape, num_iterations=10_000) == pytest.approx(4.05, abs=0.01)
    default = request(num_iterations="10000")
    smaller, phrase = fitted(default, shape)
    assert (smaller.seeds, smaller.grid["lambd"], smaller.grid["keep_prob"]) == (3, [0.0, 0.1, 3.0], [1.0, 0.7])
    assert fits(smaller, shape)
    # The step before it in the rule, keep_prob's three values, does not fit.
    assert not fits(dataclasses.replace(smaller, grid={**smaller.grid, "keep_prob": [1.0, 0.86, 0.7]}), shape)
    assert phrase == ("3 seeds instead of 5; λ 0, 0.1, 3 instead of 0, 0.01, 0.1, 0.7, 3; keep_prob 1, 0.7 instead "
                      "of 1, 0.86, 0.7")


def test_then_two_seeds_and_on_to_one_setting():
    # 30,000 iterations on all 30 features: 12.1 course models each, so at most 8 models.  Three
    # seeds and only the lists' ends, 2 × 2 settings, are 15 models: too many.  Two seeds: 2 × 2
    # settings, 10 models, too many; keep_prob's list first on the tie: λ's ends × keep_prob 1,
    # 6 models: fits.
    shape = BREAST_CANCER
    assert 8 * one_model(shape) < limits.BUDGET < 9 * one_model(shape)
    default = request()
    smaller, phrase = fitted(default, shape)
    assert (smaller.seeds, smaller.grid["lambd"], smaller.grid["keep_prob"]) == (2, [0.0, 3.0], [1.0])
    assert len(smaller.models()) == 6 and fits(smaller, shape)
    assert not fits(dataclasses.replace(smaller, grid={**smaller.grid, "keep_prob": [1.0, 0.7]}), shape)
    assert phrase == "2 seeds instead of 5; λ 0, 3 instead of 0, 0.01, 0.1, 0.7, 3; keep_prob 1 instead of 1, 0.86, 0.7"


def test_with_folds_fewer_folds_come_before_fewer_values():
    # The course's data (1 course model each), 5 folds: 15 settings × 5 seeds × 5 folds + 5 = 380;
    # 3 seeds: 228; then 4 folds, 183; 3 folds, 138; 2 folds, 93: fits, every value kept.
    shape = (211, 2, 2)
    default = request(folds="5")
    smaller, phrase = fitted(default, shape)
    assert (smaller.seeds, smaller.folds, smaller.grid) == (3, 2, default.grid)
    assert len(smaller.models()) == 93 and fits(smaller, shape)
    assert not fits(dataclasses.replace(smaller, folds=3), shape)
    assert phrase == "3 seeds instead of 5; 2 folds instead of 5"


def test_the_phrase_names_every_change_and_nothing_else():
    for shape, fields in [(TWO_FEATURES, {}), (BREAST_CANCER, {"num_iterations": "10000"}), (BREAST_CANCER, {}),
                          ((211, 2, 2), {"folds": "5"}), (BREAST_CANCER, {"l1": "0, 0.1", "num_iterations": "5000"})]:
        asked = request(**fields)
        smaller, phrase = fitted(asked, shape)
        expected = {what: (str(getattr(smaller, what)), str(getattr(asked, what)))
                    for what in ("seeds", "folds") if getattr(smaller, what) != getattr(asked, what)}
        expected |= {NAMES[field]: (written(smaller.grid[field]), written(asked.grid[field]))
                     for field in NAMES if smaller.grid[field] != asked.grid[field]}
        assert cut(phrase) == expected
        # The question asked stays: the network, the learning rate, the iterations, the masks, the dev split.
        assert (smaller.base, smaller.dev_fraction, smaller.dev_seed, smaller.train_fractions) == (
            asked.base, asked.dev_fraction, asked.dev_seed, asked.train_fractions)


def test_a_curve_keeps_its_fractions():
    asked = request(train_fraction="0.1, 0.25, 0.5, 1", l1="0, 0.01, 0.1")
    smaller, _ = fitted(asked, TWO_FEATURES)
    assert smaller.train_fractions == asked.train_fractions and smaller.curve
    assert fits(smaller, TWO_FEATURES)


def test_a_request_of_one_seed_keeps_one():
    # 12.1 course models each: one seed over 5 × 3 settings is 16 models; 4 × 3, 13; 3 × 3, 10; 3 λ
    # × keep_prob's ends and one retrained, 7: fits.
    asked = request(seeds="1")
    smaller, phrase = fitted(asked, BREAST_CANCER)
    assert smaller.seeds == 1 and len(smaller.models()) == 7
    assert phrase == "λ 0, 0.1, 3 instead of 0, 0.01, 0.1, 0.7, 3; keep_prob 1, 0.7 instead of 1, 0.86, 0.7"


def test_nothing_fits_when_one_setting_over_two_seeds_is_too_much():
    # 500 × 500 hidden units for 100,000 iterations: one model alone is over the budget.
    asked = request(hidden="500, 500", num_iterations="100000")
    assert fitted(asked, BREAST_CANCER) is None
