import threading
import time
import warnings

import numpy as np
import pandas as pd
import pytest

import nnreg
from nnreg import STUDY, Settings, training
from nnreg.engines.record import Record
from nnreg.report.outcomes import training_problem

SHORT = Settings(num_iterations=1500, record_every=100)


def _same_result(a, b):
    assert a.parameters.keys() == b.parameters.keys()
    for name in a.parameters:
        assert np.array_equal(a.parameters[name], b.parameters[name])
    pd.testing.assert_frame_equal(a.history, b.history)


def test_parameters_keep_the_courses_shapes(football):
    result = nnreg.train(football, SHORT.replace(num_iterations=10))
    shapes = {name: value.shape for name, value in result.parameters.items()}
    assert shapes == {"W1": (20, 2), "b1": (20, 1), "W2": (3, 20), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


def test_same_settings_give_bit_identical_results(football):
    for settings in (SHORT, SHORT.replace(keep_prob=0.8), SHORT.replace(keep_prob=0.8, dropout_mask="fixed")):
        _same_result(nnreg.train(football, settings), nnreg.train(football, settings))


def test_fresh_and_fixed_masks_differ_and_fresh_follows_its_seed(football):
    fresh = nnreg.train(football, SHORT.replace(keep_prob=0.8))
    fixed = nnreg.train(football, SHORT.replace(keep_prob=0.8, dropout_mask="fixed"))
    reseeded = nnreg.train(football, SHORT.replace(keep_prob=0.8, dropout_seed=2))
    assert not np.array_equal(fresh.parameters["W1"], fixed.parameters["W1"])
    assert not np.array_equal(fresh.parameters["W1"], reseeded.parameters["W1"])
    # The notebook's masks come from its own re-seeding, so dropout_seed has no say in them.
    fixed_other = nnreg.train(football, SHORT.replace(keep_prob=0.8, dropout_mask="fixed", dropout_seed=2))
    _same_result(fixed, fixed_other)


def test_a_larger_lambda_gives_smaller_weights(football):
    norms = []
    for lambd in (0.0, 0.1, 0.7, 3.0, 10.0):
        result = nnreg.train(football, SHORT.replace(lambd=lambd))
        norms.append(np.sqrt(sum(n**2 for n in result.weight_norms().values())))
    assert all(a > b for a, b in zip(norms, norms[1:])), norms


def test_history_records_every_record_every_iterations(football):
    result = nnreg.train(football, SHORT.replace(num_iterations=1050, lambd=0.7))
    history = result.history
    assert list(history.columns) == ["iteration", "objective", "cost", "train_cost", "test_cost",
                                     "train_accuracy", "test_accuracy", "norm_W1", "norm_W2", "norm_W3"]
    assert history.iteration.tolist() == list(range(0, 1050, 100))
    assert np.isfinite(history.to_numpy()).all()
    # Without dropout the training objective is the model's cost (L2 term included).
    np.testing.assert_allclose(history.objective, history.cost, rtol=1e-12)
    assert history.cost.iloc[-1] < history.cost.iloc[0]
    initial = nnreg.network.initialize_parameters((2, 20, 3, 1), 3)
    assert history.norm_W1.iloc[0] == pytest.approx(np.linalg.norm(initial["W1"]))
    # At iteration 0 (the initial weights): the cost less L2's penalty is the train cross-entropy,
    # and the test cost is the same on the test points.
    penalty = nnreg.network.l2_penalty(initial, 0.7, len(football.train_Y))
    assert history.cost.iloc[0] - history.train_cost.iloc[0] == pytest.approx(penalty, rel=1e-9)
    X_test, Y_test = football.test_X.T, football.test_Y.reshape(1, -1)
    ZL, _ = nnreg.network.forward(X_test, initial)
    assert history.test_cost.iloc[0] == pytest.approx(nnreg.network.cross_entropy(ZL, Y_test), rel=1e-9)


def test_dropout_history_separates_the_thinned_objective_from_the_models_cost(football):
    history = nnreg.train(football, SHORT.replace(keep_prob=0.7)).history
    assert not np.allclose(history.objective, history.cost)


def test_accuracies_are_fractions_of_correct_predictions(football):
    result = nnreg.train(football, SHORT)
    predicted = result.predict(football.train_X)
    assert predicted.dtype == np.int64 and set(np.unique(predicted)) <= {0, 1}
    assert result.train_accuracy == np.mean(predicted == football.train_Y)
    assert result.train_correct == np.sum(predicted == football.train_Y) and result.train_size == 211
    assert result.test_accuracy == np.mean(result.predict(football.test_X) == football.test_Y)
    assert result.gap == result.train_accuracy - result.test_accuracy
    proba = result.predict_proba(np.array([[-0.6, 0.6], [0.3, -0.7]]))
    assert proba.shape == (2,) and proba[0] > 0.5 > proba[1]  # upper left French, lower right not
    with pytest.raises(ValueError, match=r"\(k, 2\) array"):
        result.predict_proba(np.zeros((3, 3)))


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_overflow_stops_training_with_the_last_finite_parameters(football, engine):
    # A huge step on a huge penalty overflows the weights within a few iterations.
    result = nnreg.train(football, Settings(learning_rate=100.0, lambd=1000.0, num_iterations=500), engine=engine)
    assert result.diverged_at is not None and 1 <= result.diverged_at <= 20
    assert all(np.isfinite(value).all() for value in result.parameters.values())
    assert np.isfinite(result.history.to_numpy()).all()
    assert result.history.iteration.max() < result.diverged_at


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_steps_that_kill_the_network_are_a_divergence(football, engine):
    # Learning rate 10 throws the weights so far that every ReLU of the second hidden layer dies: the
    # output is one constant and no gradient can bring the network back, though nothing overflows.
    # Its cost rose above its start on the way: the steps, not the model, failed.
    result = nnreg.train(football, Settings(learning_rate=10.0, num_iterations=500), engine=engine)
    assert (result.outcome.kind, result.outcome.cause) == (training.DIVERGED, "thrown")
    assert result.diverged_at == 100  # the first recorded iteration whose cost is above its start
    assert result.history.cost.iloc[1] > result.history.cost.iloc[0]
    assert len(np.unique(result.predict_proba(football.train_X))) == 1
    assert np.isfinite(result.history.to_numpy()).all()
    healthy = nnreg.train(football, Settings(learning_rate=3.0, num_iterations=500), engine=engine)
    assert healthy.outcome.kind == training.TRAINED and healthy.diverged_at is None
    assert healthy.train_accuracy > 0.85


def test_an_exploding_cost_is_a_divergence(football):
    result = nnreg.train(football, Settings(learning_rate=50.0, num_iterations=1000))
    assert (result.outcome.kind, result.outcome.cause, result.diverged_at) == (training.DIVERGED, "exploded", 100)
    cost = result.history.set_index("iteration").cost
    assert cost[100] > training.EXPLODED * cost[0] and result.outcome.cost == cost[100]


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_a_penalty_too_strong_collapses_the_model_and_it_is_a_result(football, engine):
    # λ = 50 pulls every weight to 0: the network outputs sigmoid(b3) everywhere, the share of label 1,
    # and its cost falls all the way from its start to ln 2.  It learned nothing; it did not diverge.
    result = nnreg.train(football, Settings(lambd=50.0, num_iterations=3000), engine=engine)
    assert (result.outcome.kind, result.outcome.cause) == (training.COLLAPSED, "penalty")
    assert result.diverged_at is None
    _, labels = result.fitted(football)
    share = float(np.mean(labels == 1))
    assert result.outcome.output.label == 1 and share > 0.5
    assert result.train_accuracy == pytest.approx(share)
    probabilities = result.predict_proba(football.train_X)
    assert np.ptp(probabilities) == 0 and probabilities[0] == pytest.approx(share, abs=1e-3)
    assert result.history.cost.max() == result.history.cost.iloc[0]
    assert result.outcome.cost == pytest.approx(np.log(2), abs=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("lambd", [19.0, 50.0, 1000.0])
def test_huge_penalties_collapse_at_any_learning_rate(football, lambd):
    # What `compare` called divergence, even at learning rate 0.01.
    for learning_rate in (0.3, 0.01):
        result = nnreg.train(football, Settings(lambd=lambd, learning_rate=learning_rate))
        assert result.outcome.kind == training.COLLAPSED and result.outcome.cause == "penalty", learning_rate


def test_the_courses_models_train(football):
    for name, settings in STUDY.items():
        assert nnreg.train(football, settings).outcome.kind == training.TRAINED, name


def _output(low, high, label=None, dead_layer=None):
    return training.Output(low, high, label, dead_layer)


LEARNING = _output(0.05, 0.95)
STUCK = _output(0.507, 0.507, 1)


def test_an_output_is_constant_with_one_label_or_one_probability():
    probe = np.array([[0.0, 1.0, -1.0], [0.0, 0.5, 2.0]])
    # W3 = 0: the output is sigmoid(b3) at every point.
    flat = {"W1": np.eye(2), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2)), "b2": np.array([[0.1]])}
    output = training.output_of(probe, flat)
    assert output.low == output.high == pytest.approx(1 / (1 + np.exp(-0.1)), rel=1e-15)
    assert (output.label, output.dead_layer, output.constant) == (1, None, True)
    # Every unit of the hidden layer is zero on every point: the same, and the layer is named.
    dead = {"W1": np.zeros((2, 2)), "b1": -np.ones((2, 1)), "W2": np.ones((1, 2)), "b2": np.zeros((1, 1))}
    assert training.output_of(probe, dead) == training.Output(0.5, 0.5, 0, 1)
    # P exactly 0.5 is label 0: the course predicts 1 only above one half.
    assert _output(0.5, 0.5, 0).constant and STUCK.constant
    # Straddling one half, two labels: constant only within CONSTANT_SPREAD.
    assert _output(0.5 - 0.49e-6, 0.5 + 0.49e-6).constant
    assert not _output(0.5 - 0.51e-6, 0.5 + 0.51e-6).constant and not LEARNING.constant


def test_the_outcome_rule_at_its_boundaries():
    outcome_of = training.outcome_of
    iterations = [0, 100, 200]
    assert outcome_of(iterations, [0.7, 0.4, 0.3], LEARNING).kind == training.TRAINED
    # An overflow is a divergence whatever the costs.
    assert outcome_of(iterations, [0.7], None, overflowed_at=57) == training.Outcome(training.DIVERGED, "overflowed",
                                                                                     57, 0.7)
    # Exploded: above three times the start at the end (exactly three times is not), or not finite.
    assert outcome_of(iterations, [0.5, 1.0, 1.5], LEARNING).kind == training.TRAINED
    exploded = outcome_of(iterations, [0.5, 1.6, 1.5 + 1e-9], LEARNING)
    assert (exploded.kind, exploded.cause, exploded.iteration, exploded.cost) == (training.DIVERGED, "exploded",
                                                                                  100, 1.6)
    for bad in (np.inf, np.nan):
        assert outcome_of(iterations, [0.7, 0.5, bad], LEARNING).iteration == 200
    # A spike that came back is judged by the model it ended with.
    assert outcome_of(iterations, [0.7, 5.0, 0.3], LEARNING).kind == training.TRAINED
    # A constant network whose cost ever rose above its start was thrown there; one whose cost never
    # did collapsed.
    thrown = outcome_of(iterations, [0.665, 0.665 + 1e-9, 0.6], STUCK)
    assert (thrown.kind, thrown.cause, thrown.iteration) == (training.DIVERGED, "thrown", 100)
    collapsed = outcome_of(iterations, [3.6, 3.6, 0.69], STUCK, penalty=True)
    assert (collapsed.kind, collapsed.cause, collapsed.iteration, collapsed.cost) == (training.COLLAPSED, "penalty",
                                                                                      None, 0.69)
    # Its cause: a dead layer before the penalty (steps too large killed it), else nothing known.
    assert outcome_of(iterations, [0.7, 0.69, 0.69], _output(0.5, 0.5, 0, 2), penalty=True).cause == "dead layer"
    assert outcome_of(iterations, [0.7, 0.69, 0.69], STUCK).cause == ""
    # Early stopping returns another model than the run's last: collapse is the returned model's,
    # divergence the run's.
    assert outcome_of(iterations, [3.6, 1.0, 0.69], STUCK, LEARNING, penalty=True).kind == training.TRAINED
    assert outcome_of(iterations, [3.6, 1.0, 0.69], LEARNING, STUCK, penalty=True).kind == training.COLLAPSED
    assert outcome_of(iterations, [0.6, 0.7, 0.69], STUCK, LEARNING).kind == training.DIVERGED


def test_outcomes_of_several_runs_are_named_by_count():
    assert training.outcomes_text([training.COLLAPSED] * 3) == "collapsed"
    assert training.outcomes_text(["collapsed", "trained", "diverged", "trained"]) == \
        "2 trained, 1 collapsed, 1 diverged"
    assert training.outcomes_text([]) == ""


def test_settings_must_be_settings(football):
    with pytest.raises(TypeError, match="nnreg.Settings"):
        nnreg.train(football, {"lambd": 0.7})


def test_the_course_is_reproduced_exactly(course_data_path):
    dataset = nnreg.load_dataset(course_data_path)
    expected = {"none": (200, 0.915), "l2": (198, 0.93), "dropout": (196, 0.95)}
    for name, settings in STUDY.items():
        result = nnreg.train(dataset, settings.replace(dropout_mask="fixed"))
        assert (result.train_correct, result.train_size) == (expected[name][0], 211), name
        assert result.test_accuracy == expected[name][1], name
        assert result.outcome.kind == training.TRAINED and result.diverged_at is None


@pytest.mark.parametrize("name", nnreg.list_datasets())
def test_learning_rates_up_to_100_never_give_nan(name):
    dataset = nnreg.load_dataset(name)
    verdicts = {}
    for learning_rate in (0.3, 1.0, 3.0, 10.0, 30.0, 100.0):
        for keep_prob in (1.0, 0.86):
            result = nnreg.train(dataset, Settings(learning_rate=learning_rate, keep_prob=keep_prob,
                                                   num_iterations=1000))
            assert all(np.isfinite(value).all() for value in result.parameters.values())
            assert np.isfinite(result.history.to_numpy()).all()
            assert np.isfinite(result.predict_proba(dataset.test_X)).all()
            verdicts[learning_rate, keep_prob] = result.outcome.kind
    assert verdicts[0.3, 1.0] == verdicts[0.3, 0.86] == training.TRAINED
    # From 10 on, the first steps throw every dataset's network out of reach: each run says so.
    assert all(verdicts[rate, keep] == training.DIVERGED for rate in (10.0, 30.0, 100.0) for keep in (1.0, 0.86))


class _Gone(Exception):
    """What Streamlit raises in a page's thread when the page reran or closed."""


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_a_stop_flag_ends_training_within_an_iteration(football, engine):
    # Would take minutes; the flag is set from another thread after 0.5 s.
    long = nnreg.Settings(layer_dims=(100, 100), num_iterations=100_000)
    flag = nnreg.StopFlag()
    threading.Timer(0.5, flag.set).start()
    start = time.monotonic()
    with pytest.raises(nnreg.TrainingStopped):
        nnreg.train(football, long, engine=engine, stop=flag)
    assert time.monotonic() - start < 2.0


def test_a_heartbeat_that_raises_stops_every_model_in_training(football):
    long = nnreg.Settings(layer_dims=(100, 100), num_iterations=100_000)
    beats = []

    def heartbeat():
        beats.append(time.monotonic())
        if len(beats) == 4:
            raise _Gone

    with pytest.raises(_Gone):
        training.train_many(football, [long.replace(seed=seed) for seed in range(4)], heartbeat=heartbeat)
    # Both threads' models stopped, none of the queued ones started: the pool is idle at once.
    assert time.monotonic() - beats[-1] < 1.0
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("nnreg-train")]


def test_checkpoints_run_from_the_initial_weights_to_the_final_parameters(football):
    settings = SHORT.replace(num_iterations=1500, record_every=10, lambd=0.7)
    result = nnreg.train(football, settings)
    kept = result.checkpoint_iterations
    # 150 records thinned to every third (50) and the last parameters, at 1,500 updates.
    assert kept == list(range(0, 1500, 30)) + [1500]
    initial = nnreg.network.initialize_parameters(settings.layer_sizes, settings.seed)
    for name, value in result.parameters_at(0).items():
        np.testing.assert_array_equal(value, initial[name])
        np.testing.assert_array_equal(result.parameters_at(1500)[name], result.parameters[name])
    # A checkpoint is the parameters after that many updates: 30 more updates from it reach the next.
    resumed = nnreg.engines.reference.numpy_loop(
        football.train_X.T, football.train_Y.reshape(1, -1).astype(float), result.parameters_at(30),
        settings.replace(num_iterations=30)).parameters
    for name, value in resumed.items():
        np.testing.assert_allclose(value, result.parameters_at(60)[name], rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match=r"checkpoint_iterations \(0 to 1,500, 51 in all\), got 7"):
        result.parameters_at(7)
    # Copies, kept small: about 1 KB per checkpoint at the course's size.
    result.parameters_at(0)["W1"][:] = 0
    assert result.parameters_at(0)["W1"].any()
    assert sum(v.nbytes for c in result.checkpoints.values() for v in c.values()) == 51 * 127 * 8


def test_a_run_that_overflowed_keeps_its_last_finite_parameters_as_its_last_checkpoint():
    # The update of iteration 4 overflowed: diverged_at = 5, four updates were made.
    parameters = [{"W1": np.full((1, 1), float(i))} for i in range(5)]
    record = Record(parameters=parameters[4], record_iterations=[0, 2, 4], objectives=[1.0, 0.5, 0.4],
                    snapshots=[parameters[0], parameters[2], parameters[4]], diverged_at=5)
    kept = training._checkpoints(record, SHORT.replace(num_iterations=1000))
    assert list(kept) == [0, 2, 4] and kept[4]["W1"][0, 0] == 4.0


def _weights(parameters):
    return np.concatenate([value.ravel() for name, value in parameters.items() if name.startswith("W")])


def test_l1_sets_weights_to_exactly_zero_and_more_of_them_when_stronger(football):
    zeros = [int(np.sum(_weights(nnreg.train(football, SHORT.replace(l1=l1)).parameters) == 0))
             for l1 in (0.0, 0.02, 0.2)]
    assert zeros[0] == 0 < zeros[1] < zeros[2]
    # Biases are not penalized.
    result = nnreg.train(football, SHORT.replace(l1=0.2))
    assert all(np.count_nonzero(result.parameters[f"b{l}"]) for l in (1, 2))
    # The history's cost is the objective L1 minimizes: cross-entropy plus (l1/m)·Σ|W|.
    last = result.history.iloc[-1]
    penalty = 0.2 / result.train_size * np.abs(_weights(result.parameters_at(int(last.iteration)))).sum()
    assert last.cost == pytest.approx(last.train_cost + penalty)


def test_early_stopping_keeps_the_iteration_with_the_best_dev_accuracy(football):
    settings = SHORT.replace(early_stopping=True, record_every=50, num_iterations=3000)
    result = nnreg.train(football, settings)
    dev, fitted = result.dev_index, result.train_index
    # A stratified quarter of the training points held out, never a test point, never fitted.
    assert len(dev) == round(0.25 * np.sum(football.train_Y == 1)) + round(0.25 * np.sum(football.train_Y == 0))
    assert not set(dev) & set(fitted) and len(dev) + len(fitted) == len(football.train_Y)
    assert result.train_size == len(fitted)
    history = result.history
    best = history.dev_accuracy.max()
    assert result.best_iteration == history.iteration[history.dev_accuracy == best].min()
    assert result.best_iteration in result.checkpoint_iterations
    for name, value in result.parameters_at(result.best_iteration).items():
        np.testing.assert_array_equal(value, result.parameters[name])
    X_dev, Y_dev = football.train_X[dev].T, football.train_Y[dev]
    assert result.dev_accuracy == nnreg.network.count_correct(X_dev, Y_dev, result.parameters) / len(dev) == best
    assert result.test_accuracy == nnreg.network.count_correct(
        football.test_X.T, football.test_Y, result.parameters) / len(football.test_Y)
    # The last checkpoint is still the last update: the replay runs to the end.
    assert result.checkpoint_iterations[-1] == 3000
    assert result.checkpoint_iterations == sorted(result.checkpoint_iterations)


def test_early_stopping_never_looks_at_the_test_labels(football):
    flipped = nnreg.Dataset(football.name, football.train_X, football.train_Y, football.test_X,
                            1 - football.test_Y)
    settings = SHORT.replace(early_stopping=True, record_every=50)
    assert nnreg.train(flipped, settings).best_iteration == nnreg.train(football, settings).best_iteration


def test_the_best_iteration_is_the_earliest_of_ties():
    history = pd.DataFrame({"iteration": [0, 100, 200, 300], "dev_accuracy": [0.5, 0.8, 0.8, 0.7]})
    assert training._best_iteration(history, 0.8, 400) == 100
    assert training._best_iteration(history, 0.9, 400) == 400


def test_a_train_fraction_trains_on_a_seeded_stratified_share(football):
    result = nnreg.train(football, SHORT.replace(train_fraction=0.4))
    used = result.train_index
    y = football.train_Y
    for label in (0, 1):
        assert np.sum(y[used] == label) == round(0.4 * np.sum(y == label))
    assert result.train_size == len(used) and result.test_size == len(football.test_Y)
    assert result.train_accuracy == nnreg.network.count_correct(
        football.train_X[used].T, y[used], result.parameters) / len(used)
    same = nnreg.train(football, SHORT.replace(train_fraction=0.4, lambd=0.7))
    np.testing.assert_array_equal(same.train_index, used)
    other = nnreg.train(football, SHORT.replace(train_fraction=0.4, seed=4))
    assert not np.array_equal(other.train_index, used)
    # Early stopping holds its dev set out of the share, not of all the points.
    both = nnreg.train(football, SHORT.replace(train_fraction=0.4, early_stopping=True))
    assert set(both.train_index) | set(both.dev_index) == set(used)


def test_a_train_fraction_that_leaves_too_few_points_is_named(moons):
    with pytest.raises(ValueError, match=r"train_fraction 0.05 keeps 4 of 60 training points; at least 10, of both labels"):
        nnreg.train(moons, SHORT.replace(train_fraction=0.05))
    with pytest.raises(ValueError, match=r"dev_fraction 0.05 leaves 0 dev point"):
        nnreg.train(moons, SHORT.replace(train_fraction=0.3, early_stopping=True, dev_fraction=0.05))


def test_futures_come_back_as_they_finish_with_a_heartbeat_while_some_run():
    # The one waiting loop of train_many and the shared model cache.
    from concurrent.futures import Future

    slow, fast = Future(), Future()
    fast.set_result("fast")
    beats = []

    def heartbeat():
        beats.append(time.perf_counter())
        if len(beats) == 2:
            slow.set_result("slow")

    pending = {slow: "a", fast: "b"}
    seen = [(value, future.result(), len(pending)) for future, value in training.as_finished(pending, heartbeat)]
    # Each is taken out of pending before it is handed back; beats only while one is left.
    assert seen == [("b", "fast", 1), ("a", "slow", 0)] and pending == {} and len(beats) == 2
    assert beats[1] - beats[0] >= 0.9 * training.HEARTBEAT_SECONDS


def _blobs(n_classes=3, n_features=4, per_class=60, spread=0.6, seed=0, name="blobs"):
    """Gaussian blobs, one per class around well-separated centres (``per_class`` points each, or
    a count for each class), split 2:1 into train and test."""
    rng = np.random.default_rng(seed)
    centres = 2.5 * rng.normal(0, 1, (n_classes, n_features))
    Y = np.repeat(np.arange(n_classes), per_class)
    X = centres[Y] + spread * rng.normal(0, 1, (len(Y), n_features))
    test = np.arange(len(Y)) % 3 == 0
    return nnreg.Dataset(name, X[~test], Y[~test], X[test], Y[test])


def test_three_gaussian_blobs_on_four_features_are_learned():
    dataset = _blobs()
    result = nnreg.train(dataset, Settings(num_iterations=3000))
    assert result.test_accuracy > 0.9 and result.outcome.kind == training.TRAINED
    assert (result.n_features, result.n_classes) == (4, 3)
    assert {name: value.shape for name, value in result.parameters.items()} == {
        "W1": (20, 4), "b1": (20, 1), "W2": (3, 20), "b2": (3, 1), "W3": (3, 3), "b3": (3, 1)}
    # Accuracy by argmax: the share of points whose most probable class is their label.
    P = result.class_probabilities(dataset.test_X)
    assert P.shape == (len(dataset.test_Y), 3) and np.allclose(P.sum(axis=1), 1)
    predicted = result.predict(dataset.test_X)
    np.testing.assert_array_equal(predicted, np.argmax(P, axis=1))
    assert result.test_accuracy == np.mean(predicted == dataset.test_Y)
    assert result.train_correct == np.sum(result.predict(dataset.train_X) == dataset.train_Y)
    # With three classes there is no label 1 alone: predict_proba is every class's probability.
    np.testing.assert_array_equal(result.predict_proba(dataset.test_X), P)
    with pytest.raises(ValueError, match=r"\(k, 4\) array"):
        result.predict(dataset.test_X[:, :2])
    # The history's last row is the model's own numbers.
    last = result.history.iloc[-1]
    X, Y = dataset.train_X.T, dataset.train_Y.reshape(1, -1)
    assert last.train_accuracy == np.mean(
        nnreg.network.predict(X, result.parameters_at(int(last.iteration))) == dataset.train_Y)
    ZL, _ = nnreg.network.forward(X, result.parameters_at(int(last.iteration)))
    assert last.train_cost == pytest.approx(nnreg.network.cross_entropy(ZL, Y), rel=1e-12)
    assert result.history.cost.iloc[-1] < 0.2 * result.history.cost.iloc[0]
    assert result.checkpoint_iterations[0] == 0 and result.checkpoint_iterations[-1] == 3000


def test_two_classes_give_both_probabilities_and_keep_p_of_label_1(football):
    result = nnreg.train(football, SHORT)
    P = result.class_probabilities(football.test_X)
    p1 = result.predict_proba(football.test_X)
    assert P.shape == (len(football.test_Y), 2) and p1.shape == (len(football.test_Y),)
    np.testing.assert_array_equal(P[:, 1], p1)
    np.testing.assert_array_equal(P[:, 0], 1 - p1)
    assert (result.n_features, result.n_classes) == (2, 2)


def test_every_regularizer_trains_three_classes_on_thirty_features():
    dataset = _blobs(n_features=30, spread=2.0, seed=1)
    for changes in ({"lambd": 0.7}, {"l1": 0.05}, {"keep_prob": 0.86}, {"keep_prob": 0.86, "dropout_mask": "fixed"},
                    {"early_stopping": True}, {"train_fraction": 0.5}):
        result = nnreg.train(dataset, SHORT.replace(**changes))
        assert result.outcome.kind == training.TRAINED, changes
        assert result.test_accuracy > 0.8, changes
        assert np.isfinite(result.history.drop(columns="iteration").to_numpy()).all(), changes


def test_dev_sets_and_subsamples_are_stratified_by_class():
    dataset = _blobs(n_classes=4, per_class=45)
    y = dataset.train_Y
    result = nnreg.train(dataset, SHORT.replace(early_stopping=True, train_fraction=0.8))
    used = np.concatenate([result.train_index, result.dev_index])
    for label in range(4):
        assert np.sum(y[used] == label) == round(0.8 * np.sum(y == label))
        assert np.sum(y[result.dev_index] == label) == round(0.25 * np.sum(y[used] == label))
    assert result.dev_accuracy == nnreg.network.count_correct(
        dataset.train_X[result.dev_index].T, y[result.dev_index], result.parameters) / len(result.dev_index)


def test_train_many_trains_several_classes_as_train_does():
    dataset = _blobs()
    all_settings = [SHORT.replace(lambd=lambd) for lambd in (0.0, 0.7)] + [SHORT.replace(keep_prob=0.8)]
    for alone, together in zip([nnreg.train(dataset, s) for s in all_settings],
                               nnreg.train_many(dataset, all_settings, max_workers=2)):
        _same_result(alone, together)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_a_penalty_too_strong_collapses_three_classes_to_the_largest(engine):
    # λ = 50 pulls every weight to 0: each point gets softmax(b3), whose largest entry is the
    # largest class in training.
    uneven = _blobs(per_class=(30, 60, 45))
    counts = np.bincount(uneven.train_Y)
    result = nnreg.train(uneven, Settings(lambd=50.0, num_iterations=3000), engine=engine)
    assert (result.outcome.kind, result.outcome.cause) == (training.COLLAPSED, "penalty")
    output = result.outcome.output
    assert output.label == int(np.argmax(counts)) and output.n_classes == 3 and output.constant
    assert np.all(result.predict(uneven.train_X) == output.label)
    assert result.train_accuracy == pytest.approx(counts.max() / counts.sum())
    # P(that class) at every point is its share of the training points, which the bias learned.
    assert output.low == pytest.approx(counts.max() / counts.sum(), abs=1e-2)
    # The message names the class given to all and its probability, not P(label 1).
    message = training_problem(result)
    assert f"gives label {output.label} to every point it trained on (P(label {output.label}) " in message


def test_a_network_that_still_tells_classes_apart_did_not_collapse():
    parameters = {"W1": np.eye(3), "b1": np.zeros((3, 1)), "W2": np.eye(3), "b2": np.zeros((3, 1))}
    probe = np.eye(3)
    # Each point's largest logit is its own row: three classes given, nothing constant.
    output = training.output_of(probe, parameters)
    assert output.label is None and not output.constant and output.n_classes == 3
    # Class 2's bias outweighs every point's own logit: class 2 everywhere, one output for all.
    parameters["b2"] = np.array([[0.0], [0.0], [5.0]])
    output = training.output_of(probe, parameters)
    assert output.label == 2 and output.constant
    # P(class 2) = e^5 / (e^5 + e + 1) at points 0 and 1, e^6 / (e^6 + 2) at point 2.
    assert output.low == pytest.approx(np.exp(5) / (np.exp(5) + np.e + 1), rel=1e-12)
    assert output.high == pytest.approx(np.exp(6) / (np.exp(6) + 2), rel=1e-12)


@pytest.mark.parametrize("train_Y, test_Y, words", [
    ([1] * 20, [0, 1] * 5, "the training labels are all .?1.?: at least two classes are needed"),
    ([0, 1] * 10, [0, 2] * 5, "test label.* 2 never appear among the training labels"),
    ([0, np.nan] * 10, [0, 1] * 5, "NaN or infinite"),
])
def test_a_dataset_of_one_class_or_with_labels_training_never_saw_is_refused_by_name(train_Y, test_Y, words):
    # Refused where the Dataset is made, or at the latest when a network is made for it.
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=words):
        dataset = nnreg.Dataset("odd", rng.normal(0, 1, (20, 4)), np.array(train_Y), rng.normal(0, 1, (10, 4)),
                                np.array(test_Y))
        nnreg.train(dataset, SHORT)


@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_lambd_is_scikit_learns_alpha_with_full_batches(football, lambd):
    # MLPClassifier's cost is the mean log-loss plus alpha/(2m)·Σ‖W‖², nnreg's with λ = alpha: from
    # the same initial weights, plain full-batch steps of the same size give the same weights.
    MLPClassifier = pytest.importorskip("sklearn.neural_network").MLPClassifier
    settings = Settings(lambd=lambd, num_iterations=1000)
    ours = nnreg.train(football, settings, engine="numpy")
    initial = nnreg.network.initialize_parameters(settings.layer_sizes, settings.seed)
    theirs = MLPClassifier(hidden_layer_sizes=settings.layer_dims, activation="relu", solver="sgd", alpha=lambd,
                           batch_size=len(football.train_Y), learning_rate="constant",
                           learning_rate_init=settings.learning_rate, momentum=0.0, nesterovs_momentum=False,
                           max_iter=1, shuffle=False, tol=0.0, n_iter_no_change=10**6, warm_start=True)
    with warnings.catch_warnings():
        # One step to build the network, which the course's initial weights then replace.
        warnings.simplefilter("ignore", category=UserWarning)
        theirs.fit(football.train_X, football.train_Y)
        theirs.coefs_ = [initial[f"W{l}"].T.copy() for l in (1, 2, 3)]
        theirs.intercepts_ = [initial[f"b{l}"].ravel().copy() for l in (1, 2, 3)]
        theirs.set_params(max_iter=settings.num_iterations).fit(football.train_X, football.train_Y)
    for l in (1, 2, 3):
        assert np.allclose(theirs.coefs_[l - 1], ours.parameters[f"W{l}"].T, rtol=0, atol=1e-10)
        assert np.allclose(theirs.intercepts_[l - 1], ours.parameters[f"b{l}"].ravel(), rtol=0, atol=1e-10)
    assert theirs.score(football.test_X, football.test_Y) == ours.test_accuracy


# --- Standardization: fitted on the points a model fits, applied to every point it sees --------
# Blobs whose four features are on scales from 0.001 to 1,000, as an analyst's columns are.
SCALES = np.array([1e-3, 1.0, 50.0, 1e3])


def _uneven_table(standardize=True, seed=0):
    blobs = _blobs(seed=seed)
    return nnreg.Dataset("uneven", blobs.train_X * SCALES, blobs.train_Y, blobs.test_X * SCALES, blobs.test_Y,
                         standardize=standardize)


def test_standardize_resolves_to_the_settings_else_the_datas_default(football):
    table = _uneven_table()
    assert not training.standardizes(Settings(), football) and training.standardizes(Settings(), table)
    assert training.standardizes(Settings(standardize=True), football)
    assert not training.standardizes(Settings(standardize=False), table)
    # The course's data trains on its points as they are: nothing to undo, nothing stored.
    result = nnreg.train(football, SHORT)
    assert result.input_mean is None and result.input_scale is None
    np.testing.assert_array_equal(result.network_inputs(football.test_X), football.test_X.T)


@pytest.mark.parametrize("changes", [{}, {"early_stopping": True}, {"train_fraction": 0.5},
                                     {"early_stopping": True, "train_fraction": 0.6}])
def test_the_scaling_is_fitted_on_the_points_the_model_fits_only(changes):
    table = _uneven_table()
    result = nnreg.train(table, SHORT.replace(**changes))
    fitted = table.train_X[result.train_index]
    m = len(result.train_index)
    mean = fitted.sum(axis=0) / m
    np.testing.assert_allclose(result.input_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(result.input_scale, np.sqrt(((fitted - mean) ** 2).sum(axis=0) / m), rtol=1e-12)
    if changes:
        # The dev points and those left out are not among them: another mean than all training points'.
        assert m < len(table.train_Y)
        assert not np.allclose(result.input_mean, table.train_X.mean(axis=0), rtol=1e-6, atol=0)
        unused = np.setdiff1d(np.arange(len(table.train_Y)), result.train_index)
        moved = table.train_X.copy()
        moved[unused] += 100 * SCALES
        moved_table = nnreg.Dataset("moved", moved, table.train_Y, table.test_X, table.test_Y, standardize=True)
        # Points it does not fit move the mean of all points, never the model's scaling.
        np.testing.assert_array_equal(nnreg.train(moved_table, SHORT.replace(**changes)).input_mean, result.input_mean)


@pytest.mark.parametrize("changes", [{}, {"early_stopping": True, "keep_prob": 0.86}])
def test_standardizing_football_is_training_on_its_standardized_points_by_hand(football, changes):
    settings = SHORT.replace(**changes)
    result = nnreg.train(football, settings.replace(standardize=True))
    fitted = football.train_X[result.train_index]
    mean, std = fitted.mean(axis=0), fitted.std(axis=0)
    by_hand = nnreg.Dataset("by hand", (football.train_X - mean) / std, football.train_Y,
                            (football.test_X - mean) / std, football.test_Y)
    expected = nnreg.train(by_hand, settings)
    np.testing.assert_array_equal(expected.train_index, result.train_index)
    _same_result(result, expected)
    assert (result.train_accuracy, result.test_accuracy, result.dev_accuracy, result.best_iteration) == (
        expected.train_accuracy, expected.test_accuracy, expected.dev_accuracy, expected.best_iteration)
    # The dataset behind the scaled copy is the same football field.
    assert result.dataset_fingerprint == football.fingerprint


def test_predictions_take_raw_points_and_the_network_sees_them_scaled():
    table = _uneven_table()
    result = nnreg.train(table, SHORT)
    scaled = ((table.test_X - result.input_mean) / result.input_scale).T
    np.testing.assert_allclose(result.network_inputs(table.test_X), scaled, rtol=1e-15)
    np.testing.assert_array_equal(result.predict(table.test_X), nnreg.network.predict(scaled, result.parameters))
    np.testing.assert_allclose(result.class_probabilities(table.test_X),
                               nnreg.network.probabilities(scaled, result.parameters).T, rtol=1e-12)
    assert result.test_accuracy == np.mean(result.predict(table.test_X) == table.test_Y)
    assert result.train_accuracy == np.mean(result.predict(table.train_X) == table.train_Y)
    # The history's last row is measured on the inputs scaled the same way.
    last = result.history.iloc[-1]
    assert last.test_accuracy == np.mean(
        nnreg.network.predict(scaled, result.parameters_at(int(last.iteration))) == table.test_Y)


def test_standardizing_trains_features_of_uneven_scales_that_raw_steps_cannot():
    raw = nnreg.train(_uneven_table(standardize=False), SHORT)
    scaled = nnreg.train(_uneven_table(standardize=True), SHORT)
    assert raw.outcome.kind != training.TRAINED
    assert scaled.outcome.kind == training.TRAINED and scaled.test_accuracy > 0.9


def test_a_constant_feature_keeps_scale_1_and_adds_nothing():
    blobs = _blobs()
    with_constant = nnreg.Dataset("constant", np.column_stack([blobs.train_X, np.full(len(blobs.train_Y), 7.0)]),
                                  blobs.train_Y, np.column_stack([blobs.test_X, np.full(len(blobs.test_Y), 5.0)]),
                                  blobs.test_Y, standardize=True)
    result = nnreg.train(with_constant, SHORT)
    assert result.input_mean[4] == 7.0 and result.input_scale[4] == 1.0
    assert np.isfinite(result.history.drop(columns="iteration").to_numpy()).all()
    # Centred, it is 0 on every fitted point; a test point off it moves by its raw difference.
    assert not result.network_inputs(with_constant.train_X)[4].any()
    np.testing.assert_array_equal(result.network_inputs(with_constant.test_X)[4], -2.0)


def test_train_many_and_either_engine_standardize_as_train_does():
    table = _uneven_table()
    all_settings = [SHORT, SHORT.replace(lambd=0.7), SHORT.replace(early_stopping=True)]
    for alone, together in zip([nnreg.train(table, s) for s in all_settings],
                               nnreg.train_many(table, all_settings, max_workers=2)):
        _same_result(alone, together)
        np.testing.assert_array_equal(alone.input_mean, together.input_mean)
        np.testing.assert_array_equal(alone.input_scale, together.input_scale)


def test_a_run_that_fails_on_large_features_names_standardizing_as_the_first_cure(football):
    table = _uneven_table(standardize=False)
    raw = nnreg.train(table, SHORT)
    # The largest feature's root mean square over the training points, rounded as the message rounds it.
    assert round(np.sqrt(np.mean(table.train_X[:, 3] ** 2)), -1) == 1560
    assert raw.unscaled and (raw.outcome.kind, raw.outcome.cause) == (training.COLLAPSED, "dead layer")
    assert training_problem(raw).endswith(
        "Steps too large leave a network so: standardize the inputs first (standardize=on: its largest feature is "
        "1,560 in size, far above 1), then, if it still fails, lower the learning rate (now 0.3).")
    # A diverged run on such features: the same cure, first.
    big = nnreg.Dataset("big", football.train_X * [1, 1000], football.train_Y, football.test_X * [1, 1000],
                        football.test_Y)
    thrown = nnreg.train(big, Settings(learning_rate=100.0, lambd=1000.0, num_iterations=500))
    assert thrown.outcome.kind == training.DIVERGED
    assert training_problem(thrown).endswith("the weights overflowed: standardize the inputs first (standardize=on: "
                                             "its largest feature is 325 in size, far above 1), then, if it still "
                                             "fails, lower the learning rate (now 100).")
    # Standardized, or on features near 1 in size (the course's, 0.26 and 0.33), the learning rate is the cure.
    scaled = nnreg.train(table, SHORT.replace(standardize=True, learning_rate=100.0, lambd=1000.0))
    assert not scaled.unscaled and scaled.outcome.kind == training.DIVERGED
    assert "standardize" not in training_problem(scaled)
    course = nnreg.train(football, Settings(learning_rate=10.0, num_iterations=500))
    assert not course.unscaled and training_problem(course).endswith(": lower the learning rate (now 10).")


def test_every_evaluation_of_a_standardized_model_scales_the_points_first():
    from nnreg.study import checkpoint_accuracies
    from nnreg.sweeps.dev import dev_mask, with_dev_as_test
    from nnreg.sweeps.rows import model_row

    table = _uneven_table()
    result = nnreg.train(table, SHORT.replace(lambd=0.7))
    # The replay's accuracies at the last checkpoint are the model's own.
    last = checkpoint_accuracies(result, table).iloc[-1]
    assert (last.train_accuracy, last.test_accuracy) == (result.train_accuracy, result.test_accuracy)
    # A sweep's row: its test accuracy and its cost on the points scaled by hand.
    row = model_row(table, None, table, result)
    scaled = (table.train_X - table.train_X.mean(axis=0)) / table.train_X.std(axis=0)
    assert row["test_accuracy"] == result.test_accuracy
    assert row["cost"] == pytest.approx(nnreg.network.compute_cost(
        scaled.T, table.train_Y.reshape(1, -1), result.parameters, 0.7), rel=1e-12)
    # A sweep's dev split keeps the data's default, so its models standardize as the final ones do.
    assert with_dev_as_test(table, dev_mask(table)).standardize
