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
    ("", False, "needs at least one value"), ("0,,1", False, "each value must be a number, got ''"),
    ("a", False, "each value must be a number, got 'a'"), ("2.5", True, "each value must be a whole number, got '2.5'"),
    ("nan", False, "each value must be a number, got 'nan'"), ("1e400", False, "got '1e400'"),
])
def test_parse_numbers_names_the_bad_item(text, whole, message):
    with pytest.raises(ValueError, match=message):
        parse_numbers(text, "--lambd", whole=whole)


def test_a_list_item_out_of_range_is_named_in_the_words_of_one_number():
    with pytest.raises(ValueError, match=r"^λ values: each value must be a number from 0 to 1,000, got -1$"):
        limits.read_list("lambd", "0, -1", "λ values")
    with pytest.raises(ValueError, match=r"^keep_prob values: each value must be a number from 0.05 to 1, got 0.01$"):
        limits.read_list("keep_prob", "1 0.01", "keep_prob values")


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
    nnreg.Settings(num_iterations=limits.MAX_ITERATIONS, learning_rate=limits.RANGES["learning_rate"].high,
                   layer_dims=(limits.MAX_LAYER_SIZE,) * limits.MAX_HIDDEN_LAYERS)
    with pytest.raises(ValueError, match="num_iterations"):
        nnreg.Settings(num_iterations=limits.MAX_ITERATIONS + 1)


@pytest.mark.parametrize("field", ["lambd", "l1", "keep_prob", "learning_rate", "seed", "dropout_seed",
                                   "train_fraction", "dev_fraction", "record_every"])
def test_settings_and_every_typed_surface_share_each_range(field):
    # The same value is accepted, or refused in the same words, by Settings and by the text reader.
    limit = limits.RANGES[field]
    step = 1 if limit.whole else 1e-9
    for inside in (limit.low, limit.high):
        assert getattr(nnreg.Settings(**{field: inside}), field) == limits.read(field, limits.format_number(inside))
    for outside in (limit.low - step, limit.high + step):
        text = limits.format_number(outside)
        with pytest.raises(ValueError) as typed:
            limits.read(field, text)
        with pytest.raises(ValueError) as given:
            nnreg.Settings(**{field: outside})
        assert str(typed.value) == str(given.value) == f"{field} must be {limit.allowed()}, got {text}"


# (typed text, whole?, the value used): every digit as typed, whatever way the number is written.
USED = [("0.0015", False, 0.0015), ("1e-3", False, 0.001), (" 7 ", True, 7), ("1e9", True, 10**9), ("20.0", True, 20),
        ("-0", True, 0), ("-0", False, 0.0), (".5", False, 0.5), ("5.", True, 5), ("2.5E-4", False, 0.00025),
        ("+3", True, 3), ("4294967295", True, 2**32 - 1)]


@pytest.mark.parametrize("text, whole, expected", USED)
def test_a_number_is_used_exactly_as_typed(text, whole, expected):
    value = parse_number(text, "x", whole=whole)
    assert value == expected and type(value) is (int if whole else float)
    assert str(value) != "-0.0"


# (typed text, whole?, how the message ends): a text that is no number is quoted, a number out of
# range shown as typed.
REFUSED = [("abc", False, "got 'abc'"), ("", True, "got ''"), ("0x10", True, "got '0x10'"), ("inf", False, "got 'inf'"),
           ("nan", False, "got 'nan'"), ("1,5", False, "got '1,5'"), ("1_000", True, "got '1_000'"),
           ("١٢", True, "got '١٢'"), ("1.5", True, "got '1.5'"), ("0.0005", True, "got '0.0005'"),
           ("4294967295.0000001", True, "got '4294967295.0000001'"), ("1e-99999999999999999999", False,
                                                                       "got '1e-99999999999999999999'"),
           ("1e400", True, "got '1e400'"), ("12345678901234567890", True, "got 12345678901234567890"),
           ("-1", False, "got -1"), ("1e10", False, "got 1e10")]


@pytest.mark.parametrize("text, whole, ending", REFUSED)
def test_a_number_that_cannot_be_used_is_quoted_with_what_is_allowed(text, whole, ending):
    kind = "a whole number" if whole else "a number"
    with pytest.raises(ValueError) as error:
        parse_number(text, "x", whole=whole, low=0, high=2**32 - 1)
    assert str(error.value) == f"x must be {kind} from 0 to 4,294,967,295, {ending}"


@pytest.mark.parametrize("value, text", [(0.0015, "0.0015"), (3.0, "3"), (30000, "30000"), (1e-05, "1e-05"),
                                         (0.1 + 0.2, "0.30000000000000004"), (0.123456789, "0.123456789")])
def test_a_number_is_written_with_every_digit_and_read_back_the_same(value, text):
    assert limits.format_number(value) == text
    assert parse_number(text, "x") == value


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


def test_the_work_and_memory_count_the_datas_features_and_classes():
    # 30 features and 3 classes: W1 is 20 × 30 and W3 3 × 3, where the course's are 20 × 2 and 1 × 3.
    assert limits.work(nnreg.Settings(), 211, n_features=30, n_classes=3) == pytest.approx((600 + 60 + 9) / 103)
    # Weights and biases, 300 copies of them at 30,000 iterations.
    assert limits.snapshot_bytes(nnreg.Settings(), n_features=30, n_classes=3) == 8 * (20 * 31 + 3 * 21 + 3 * 4) * 300
    assert check_budget([nnreg.Settings()] * 3, 211, n_features=30, n_classes=3) == pytest.approx(3 * 669 / 103)
    with pytest.raises(LimitError, match="on 211 training points of 1,000 features for 100,000 iterations"):
        check_budget([nnreg.Settings(num_iterations=100_000)] * 20, 211, n_features=1000)


@pytest.mark.parametrize("text, expected", [("true", True), ("False", False), ("TRUE", True)])
def test_a_switch_reads_true_or_false_in_any_case(text, expected):
    assert limits.parse_flag(text, "test_all") is expected


@pytest.mark.parametrize("text", ["maybe", "1", "yes", "", " true"])
def test_a_switch_that_is_neither_is_named_with_the_text(text):
    with pytest.raises(ValueError) as error:
        limits.parse_flag(text, "early_stopping")
    assert str(error.value) == f"early_stopping must be true or false, got {text!r}"


@pytest.mark.parametrize("num_iterations, record_every", [(100, 100), (101, 100), (30_000, 100), (7, 3), (1, 1)])
def test_the_record_count_is_every_iteration_a_copy_is_kept_at(num_iterations, record_every):
    settings = nnreg.Settings(num_iterations=num_iterations, record_every=record_every)
    # The iterations 0, record_every, ... below num_iterations, counted one by one.
    assert settings.n_records == len(range(0, num_iterations, record_every))
    sizes = settings.layer_sizes
    parameters = sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, len(sizes)))
    assert limits.snapshot_bytes(settings) == 8 * parameters * len(range(0, num_iterations, record_every))


def test_hidden_layers_are_written_the_way_they_are_read():
    assert limits.format_layers((50, 20)) == "50, 20" and parse_layers("50, 20") == parse_layers("50 20") == (50, 20)
