"""One home for what every surface accepts: numbers, hidden layers and the compute budget."""

import pytest

import nnreg
from nnreg import limits
from nnreg.limits import LimitError, check_budget, parse_layers, parse_number, parse_numbers


@pytest.mark.parametrize("text, whole, expected", [
    ("0, 0.01,0.7", False, [0.0, 0.01, 0.7]), ("20,3", True, [20, 3]), ("1e3", True, [1000]),
    ("20 3", True, [20, 3]), (" 5,5 ,5 ", True, [5, 5, 5]),
])
def test_parse_numbers(text, whole, expected):
    assert parse_numbers(text, "x", whole=whole) == expected


@pytest.mark.parametrize("text, whole, message", [
    ("", False, "needs at least one value"), ("0,,1", False, "'' is not a number"),
    ("a", False, "'a' is not a number"), ("2.5", True, "'2.5' is not a whole number"),
    ("nan", False, "'nan' is not a number"), ("1e400", False, "'1e400' is not a number"),
])
def test_parse_numbers_names_the_bad_item(text, whole, message):
    with pytest.raises(ValueError, match=message):
        parse_numbers(text, "--lambd", whole=whole)


@pytest.mark.parametrize("text, expected", [("3", 3), (" 1e2 ", 100), ("20.0", 20)])
def test_a_whole_number_is_read_the_same_way_everywhere(text, expected):
    assert parse_number(text, "--seeds", whole=True, low=1, high=100) == expected


@pytest.mark.parametrize("text, message", [
    ("0", "got 0"), ("101", "got 101"), ("2.5", "got '2.5'"),
    ("ten", "got 'ten'"), ("", "got ''"), ("-1", "got -1"), ("inf", "got 'inf'"),
])
def test_a_bad_number_names_itself_and_what_is_allowed(text, message):
    with pytest.raises(ValueError, match=rf"--seeds must be a whole number from 1 to 100, {message}"):
        parse_number(text, "--seeds", whole=True, low=1, high=100)


@pytest.mark.parametrize("text, sizes", [("20, 3", (20, 3)), ("20 3", (20, 3)), (" 5,5 ,5 ", (5, 5, 5)),
                                         ("7", (7,))])
def test_layer_sizes_are_read_from_text(text, sizes):
    assert parse_layers(text) == sizes


@pytest.mark.parametrize("text, words", [("", "whole numbers"), ("20, x", "whole numbers"), ("2.5", "whole numbers"),
                                         ("-3", "whole numbers"), ("²", "whole numbers"), ("0", "1 to 500"),
                                         ("501", "1 to 500"), ("1 " * 11, "1 to 10 layers"), ("20,,3", "'20,,3'"),
                                         ("20, 0", "'20, 0'")])
def test_bad_layer_sizes_say_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        parse_layers(text)


def test_settings_use_the_same_limits():
    nnreg.Settings(num_iterations=limits.MAX_ITERATIONS, learning_rate=limits.MAX_LEARNING_RATE,
                   layer_dims=(limits.MAX_LAYER_SIZE,) * limits.MAX_HIDDEN_LAYERS)
    with pytest.raises(ValueError, match="num_iterations"):
        nnreg.Settings(num_iterations=limits.MAX_ITERATIONS + 1)


def test_one_course_model_is_one_unit_of_work():
    assert limits.work(nnreg.Settings(), 211) == pytest.approx(1.0)
    # Twice the points or iterations, twice the work; the weights count, not the units.
    assert limits.work(nnreg.Settings(num_iterations=60_000), 211) == pytest.approx(2.0)
    assert limits.work(nnreg.Settings(), 422) == pytest.approx(2.0)
    assert limits.work(nnreg.Settings(layer_dims=(40, 3)), 211) == pytest.approx((80 + 120 + 3) / 103)


def test_the_default_page_and_four_models_over_ten_seeds_are_far_below_the_budget():
    assert check_budget([nnreg.Settings()] * 3, 211) == pytest.approx(3.0)
    assert check_budget([nnreg.Settings()] * 40, 211) <= 0.5 * limits.BUDGET


@pytest.mark.parametrize("settings, count, words", [
    (nnreg.Settings(layer_dims=(500,) * 10, num_iterations=100_000), 40, "Lower the number of seeds"),
    (nnreg.Settings(num_iterations=100_000), 40, "133 times the work"),
])
def test_an_over_budget_request_is_refused_saying_what_to_lower(settings, count, words):
    with pytest.raises(LimitError, match=words):
        check_budget([settings] * count, 211)


def test_a_network_whose_snapshots_would_fill_memory_is_refused():
    wide = nnreg.Settings(layer_dims=(500,) * 10, num_iterations=2000)
    assert limits.work(wide, 10) < limits.BUDGET
    with pytest.raises(LimitError, match="MB of parameters"):
        check_budget([wide], 10)
