import dataclasses
import os
import subprocess
import sys
import threading
from pathlib import Path

import numba
import numpy as np
import pytest

import nnreg
from nnreg import Settings, network, training
from nnreg.engines import compiled, reference

SHORT = Settings(num_iterations=1000, record_every=50)


def _arrays(dataset):
    return dataset.train_X.T, dataset.train_Y.reshape(1, -1).astype(float)


def _both(dataset, settings, parameters=None):
    X, Y = _arrays(dataset)
    parameters = parameters or network.initialize_parameters(settings.layer_sizes, settings.seed)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = reference.numpy_loop(X, Y, parameters, settings)
    return expected, compiled.numba_loop(X, Y, parameters, settings)


def _relative_difference(a, b) -> float:
    """Largest difference over all arrays, each relative to that array's largest entry (or 1 if all 0)."""
    return max(float(np.max(np.abs(a[name] - b[name])) / (np.max(np.abs(b[name])) or 1.0)) for name in b)


@pytest.mark.parametrize("changes", [
    {},                                                    # plain
    {"lambd": 0.7},                                        # the course's L2
    {"keep_prob": 0.86},                                   # dropout, fresh masks
    {"keep_prob": 0.86, "dropout_mask": "fixed"},          # the notebook's masks
    {"keep_prob": 0.7, "lambd": 0.5, "dropout_seed": 9},   # both regularizers
    {"layer_dims": (6, 5, 4, 3), "keep_prob": 0.8, "lambd": 0.3},  # deeper, every pass width
    {"layer_dims": (9,), "learning_rate": 0.5, "seed": 0},  # one hidden layer
    {"l1": 0.05},                                          # L1's proximal steps
    {"l1": 0.05, "lambd": 0.3, "keep_prob": 0.8},          # L1, L2 and dropout together
])
def test_the_kernel_computes_the_reference_loop(football, changes):
    settings = SHORT.replace(**changes)
    reference, fast = _both(football, settings)
    assert fast.parameters.keys() == reference.parameters.keys()
    assert {name: v.shape for name, v in fast.parameters.items()} == \
           {name: v.shape for name, v in reference.parameters.items()}
    assert _relative_difference(fast.parameters, reference.parameters) < 1e-9
    assert fast.record_iterations == reference.record_iterations == list(range(0, 1000, 50))
    np.testing.assert_allclose(fast.objectives, reference.objectives, rtol=1e-9)
    for fast_snapshot, reference_snapshot in zip(fast.snapshots, reference.snapshots):
        assert _relative_difference(fast_snapshot, reference_snapshot) < 1e-9
    assert fast.diverged_at is reference.diverged_at is None
    # L1's exact zeros are the same weights in both.
    for name in reference.parameters:
        np.testing.assert_array_equal(fast.parameters[name] == 0, reference.parameters[name] == 0)


def _classes(n_features, n_classes, m=157, seed=0):
    """Points (features × m) around one random centre per class, and their class codes as a (1, m) row."""
    rng = np.random.default_rng(seed)
    Y = rng.integers(0, n_classes, m)
    centres = rng.normal(0, 1, (n_classes, n_features))
    return (centres[Y] + rng.normal(0, 1, (m, n_features))).T, Y.reshape(1, -1).astype(float)


@pytest.mark.parametrize("n_features, n_classes", [(4, 3), (30, 3), (30, 2)])
@pytest.mark.parametrize("changes", [
    {},                                                    # plain
    {"lambd": 0.7},                                        # L2
    {"l1": 0.05},                                          # L1's proximal steps
    {"keep_prob": 0.86},                                   # dropout, fresh masks
    {"keep_prob": 0.86, "dropout_mask": "fixed"},          # the notebook's masks
    {"layer_dims": (6, 5, 4, 3), "keep_prob": 0.8, "lambd": 0.3, "l1": 0.01},  # deeper, every pass width
    # Wide layers: passes of four inputs with one to three left over in each (30 inputs, 22, 9, 5 units).
    {"layer_dims": (22, 9, 5), "keep_prob": 0.8, "lambd": 0.3},
    {"layer_dims": (22, 9, 5), "keep_prob": 0.8, "dropout_mask": "fixed", "l1": 0.01},
])
def test_the_kernel_computes_the_reference_loop_on_tables_of_any_width_and_classes(n_features, n_classes, changes):
    X, Y = _classes(n_features, n_classes)
    settings = SHORT.replace(**changes)
    parameters = network.initialize_parameters(network.layer_sizes(settings.layer_dims, n_features, n_classes),
                                               settings.seed)
    reference_record = reference.numpy_loop(X, Y, parameters, settings)
    fast = compiled.numba_loop(X, Y, parameters, settings)
    # Two classes keep the course's single sigmoid output.
    assert fast.parameters[f"W{len(settings.layer_dims) + 1}"].shape[0] == (n_classes if n_classes > 2 else 1)
    assert fast.parameters["W1"].shape[1] == n_features
    assert _relative_difference(fast.parameters, reference_record.parameters) < 1e-9
    assert fast.record_iterations == reference_record.record_iterations == list(range(0, 1000, 50))
    np.testing.assert_allclose(fast.objectives, reference_record.objectives, rtol=1e-9)
    for fast_snapshot, reference_snapshot in zip(fast.snapshots, reference_record.snapshots):
        assert _relative_difference(fast_snapshot, reference_snapshot) < 1e-9
    # It learned: the cost fell from its start (ln K for near-even initial probabilities).
    assert reference_record.objectives[-1] < 0.9 * reference_record.objectives[0]
    for name in reference_record.parameters:
        np.testing.assert_array_equal(fast.parameters[name] == 0, reference_record.parameters[name] == 0)


def test_early_stopping_on_five_classes_is_the_same_with_either_engine():
    X, Y = _classes(6, 5, m=300, seed=1)
    labels = Y[0].astype(np.int64)
    dataset = nnreg.Dataset("five classes", X.T[:200], labels[:200], X.T[200:], labels[200:])
    settings = SHORT.replace(early_stopping=True, keep_prob=0.9)
    fast, slow = nnreg.train(dataset, settings), nnreg.train(dataset, settings, engine="numpy")
    assert fast.best_iteration == slow.best_iteration and fast.dev_accuracy == slow.dev_accuracy
    assert _relative_difference(fast.parameters, slow.parameters) < 1e-9
    np.testing.assert_allclose(fast.history.to_numpy(), slow.history.to_numpy(), rtol=1e-9)
    assert (fast.train_correct, fast.test_correct) == (slow.train_correct, slow.test_correct)
    assert fast.parameters["W3"].shape == (5, 3)


@pytest.mark.parametrize("changes", [{}, {"lambd": 0.7, "keep_prob": 0.86}, {"early_stopping": True, "l1": 0.01}])
def test_standardized_inputs_train_the_same_with_either_engine(changes):
    # Four features on scales from 0.001 to 1,000 and three classes, scaled on the fitted points.
    X, Y = _classes(4, 3, m=240, seed=2)
    X = X.T * np.array([1e-3, 1.0, 50.0, 1e3])
    labels = Y[0].astype(np.int64)
    dataset = nnreg.Dataset("uneven", X[:160], labels[:160], X[160:], labels[160:], standardize=True)
    settings = SHORT.replace(**changes)
    fast, slow = nnreg.train(dataset, settings), nnreg.train(dataset, settings, engine="numpy")
    np.testing.assert_array_equal(fast.input_mean, slow.input_mean)
    np.testing.assert_array_equal(fast.input_scale, slow.input_scale)
    assert _relative_difference(fast.parameters, slow.parameters) < 1e-9
    np.testing.assert_allclose(fast.history.to_numpy(), slow.history.to_numpy(), rtol=1e-9)
    assert (fast.train_correct, fast.test_correct, fast.best_iteration) == (
        slow.train_correct, slow.test_correct, slow.best_iteration)
    assert fast.outcome.kind == "trained"


def test_the_loops_buffers_start_on_cache_lines():
    # Off a 64-byte boundary, the loop's 32-byte loads straddle cache lines: a tenth more time.
    for n in (1, 7, 216, 1001):
        buffer = compiled._aligned_zeros(n)
        assert buffer.ctypes.data % 64 == 0 and buffer.shape == (n,) and not buffer.any()


def test_fresh_masks_are_the_references_draws():
    # Seven examples: two outputs per unit, the second's top quarter unused, as in network.fresh_masks.
    hidden, m, keep_prob, quarter = (20, 3), 7, 0.6, 2
    rng = np.random.Generator(np.random.SFC64(5))
    state = np.random.SFC64(5).state["state"]["state"].astype(np.uint64)
    threshold = round(keep_prob * 2**16)
    for _ in range(2):
        expected = np.vstack(network.fresh_masks(rng, hidden, m, keep_prob))
        key = int(compiled._next_key(state))
        drawn = np.zeros((23, 4 * quarter), dtype=bool)
        for unit in range(23):
            for t in range(quarter):
                counter = unit * quarter + t + 1
                draw = int(compiled._splitmix64(np.uint64((key + counter * 0x9E3779B97F4A7C15) % 2**64)))
                for part in range(4):
                    drawn[unit, part * quarter + t] = (draw >> (16 * part)) & 0xFFFF < threshold
        np.testing.assert_array_equal(drawn[:, :m], expected)
    assert 0.5 < expected.mean() < 0.7


def test_the_kernels_exp_is_exact_to_a_rounding_and_saturates_like_numpy():
    x = np.concatenate([np.linspace(-745, 709, 20001), [-800.0, -746.0, 709.8, 710.0, 800.0, 0.0]])
    with np.errstate(over="ignore"):
        expected = np.exp(x)
    got = np.array([compiled._exp(value) for value in x])
    normal = (expected > 1e-300) & np.isfinite(expected)
    np.testing.assert_allclose(got[normal], expected[normal], rtol=4e-16)
    assert np.array_equal(np.isinf(got), np.isinf(expected))
    assert np.array_equal(got == 0, expected == 0)


def test_divergence_stops_both_engines_at_the_same_iteration(football):
    # λ·learning_rate/m ≫ 2: weight decay overshoots and the weights grow geometrically until the
    # logits overflow.
    settings = SHORT.replace(learning_rate=100.0, lambd=1000.0, keep_prob=0.86, record_every=1)
    reference, fast = _both(football, settings)
    assert reference.diverged_at is not None and fast.diverged_at == reference.diverged_at
    # The logits overflowed: the last recorded iteration is the one before.
    assert fast.record_iterations == reference.record_iterations == list(range(reference.diverged_at - 1))
    assert all(np.isfinite(value).all() for value in fast.parameters.values())
    assert _relative_difference(fast.parameters, reference.parameters) < 1e-9


def test_divergence_in_the_update_keeps_the_last_finite_parameters(football):
    # Dead hidden units (zero weights, negative biases) keep the logits finite while weight decay
    # multiplies W2 and W3 by 1 - 100·1000/211 every step, until the update overflows.
    settings = SHORT.replace(learning_rate=100.0, lambd=1000.0, record_every=1)
    parameters = network.initialize_parameters(settings.layer_sizes, settings.seed)
    parameters.update(W1=np.zeros((20, 2)), b1=np.full((20, 1), -1.0),
                      W2=np.full((3, 20), 1e300), W3=np.full((1, 3), 1e300))
    reference, fast = _both(football, settings, parameters)
    assert reference.diverged_at is not None and fast.diverged_at == reference.diverged_at
    # The iteration that overflowed was still recorded: its forward pass was finite.
    assert len(fast.record_iterations) == len(reference.record_iterations) == reference.diverged_at
    assert all(np.isfinite(value).all() for value in fast.parameters.values())
    assert _relative_difference(fast.parameters, reference.parameters) < 1e-9


def test_train_uses_the_kernel_by_default_and_either_engine_on_request(football):
    settings = SHORT.replace(keep_prob=0.8)
    fast, slow = nnreg.train(football, settings), nnreg.train(football, settings, engine="numpy")
    assert _relative_difference(fast.parameters, slow.parameters) < 1e-9
    np.testing.assert_allclose(fast.history.to_numpy(), slow.history.to_numpy(), rtol=1e-9)
    assert (fast.train_correct, fast.test_correct) == (slow.train_correct, slow.test_correct)
    assert training.training_loop("auto") is compiled.numba_loop
    assert training.training_loop("numba") is compiled.numba_loop
    assert training.training_loop("numpy") is reference.numpy_loop


@pytest.mark.parametrize("engine", ["fortran", "", None, 1])
def test_a_bad_engine_is_named(football, engine):
    with pytest.raises(ValueError, match=f"engine must be one of auto, numba, numpy, got {engine!r}"):
        nnreg.train(football, SHORT, engine=engine)
    with pytest.raises(ValueError, match="engine must be one of"):
        nnreg.train_many(football, [SHORT], engine=engine)


def _assert_same_loop(a, b):
    for name in a.parameters:
        assert np.array_equal(a.parameters[name], b.parameters[name])
    assert a.objectives == b.objectives and a.diverged_at == b.diverged_at


def test_four_threads_at_once_give_the_results_of_one_at_a_time(football):
    X, Y = _arrays(football)
    all_settings = [SHORT.replace(num_iterations=3000, **changes) for changes in (
        {"keep_prob": 0.86}, {"keep_prob": 0.86, "dropout_mask": "fixed"}, {"lambd": 0.7},
        {"layer_dims": (6, 5, 4, 3), "keep_prob": 0.8, "dropout_seed": 4})]
    initial = [network.initialize_parameters(s.layer_sizes, s.seed) for s in all_settings]
    alone = [compiled.numba_loop(X, Y, p, s) for p, s in zip(initial, all_settings)]
    together = [None] * 4
    start = threading.Barrier(4)

    def run(index):
        start.wait()
        together[index] = compiled.numba_loop(X, Y, initial[index], all_settings[index])

    threads = [threading.Thread(target=run, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for a, b in zip(alone, together):
        _assert_same_loop(a, b)


def test_train_many_keeps_input_order_and_reports_progress(football):
    all_settings = [SHORT.replace(lambd=lambd, seed=seed) for lambd in (0.0, 0.7, 3.0) for seed in (1, 2)]
    all_settings.append(SHORT.replace(keep_prob=0.8))
    calls = []
    results = nnreg.train_many(football, all_settings, max_workers=3,
                               progress=lambda done, total: calls.append((done, total)))
    assert [r.settings for r in results] == all_settings
    assert calls == [(done, 7) for done in range(1, 8)]
    for settings, result in zip(all_settings, results):
        alone = nnreg.train(football, settings)
        assert all(np.array_equal(alone.parameters[n], result.parameters[n]) for n in alone.parameters)
    reference = nnreg.train_many(football, all_settings[:2], engine="numpy", max_workers=1)
    assert _relative_difference(results[1].parameters, reference[1].parameters) < 1e-9
    assert nnreg.train_many(football, []) == []


def test_train_many_reports_each_model_as_it_finishes(football, monkeypatch):
    events = []
    train_with = training._train_with

    def logged(loop, dataset, settings, stop, nudge):
        result = train_with(loop, dataset, settings, stop, nudge)
        events.append(("finished", settings.seed))
        return result

    monkeypatch.setattr(training, "_train_with", logged)
    all_settings = [SHORT.replace(num_iterations=3000, seed=seed) for seed in (1, 2, 3)]
    nnreg.train_many(football, all_settings, max_workers=1,
                     progress=lambda done, total: events.append(("progress", done)))
    # One worker: the first progress report comes while the last model is still to be trained.
    assert events.index(("progress", 1)) < events.index(("finished", 3))
    assert [e for e in events if e[0] == "progress"] == [("progress", 1), ("progress", 2), ("progress", 3)]


class Stopped(Exception):
    """What Streamlit raises in the script thread when the page reruns mid-training."""


def test_a_progress_callback_that_raises_stops_the_models_not_yet_started(football, monkeypatch):
    started = []
    train_with = training._train_with

    def logged(loop, dataset, settings, stop, nudge):
        started.append(settings.seed)
        return train_with(loop, dataset, settings, stop, nudge)

    def stop(done, total):
        raise Stopped

    monkeypatch.setattr(training, "_train_with", logged)
    all_settings = [SHORT.replace(seed=seed) for seed in range(1, 9)]
    with pytest.raises(Stopped):
        nnreg.train_many(football, all_settings, max_workers=1, progress=stop)
    # The model that finished, and at most the one the worker had already picked up.
    assert 1 <= len(started) <= 2


@pytest.mark.parametrize("max_workers", [0, -2, 1.5, True, "4"])
def test_train_many_names_a_bad_worker_count(football, max_workers):
    with pytest.raises(ValueError, match=f"max_workers must be a whole number of at least 1, got {max_workers!r}"):
        nnreg.train_many(football, [SHORT], max_workers=max_workers)


def test_train_many_checks_every_settings(football):
    with pytest.raises(TypeError, match="nnreg.Settings"):
        nnreg.train_many(football, [SHORT, {"lambd": 0.7}])


def test_warm_up_reports_its_time():
    assert 0 < compiled.warm_up() < 60


def test_a_read_only_package_sends_numbas_cache_to_a_temporary_folder(tmp_path):
    # Root may write anywhere, so the read-only package is simulated by what os.access answers.
    probe = (
        "import os, tempfile\n"
        "real = os.access\n"
        "read_only = ('engines', '__pycache__')\n"
        "os.access = lambda path, mode: False if str(path).endswith(read_only) else real(path, mode)\n"
        "os.environ.pop('NUMBA_CACHE_DIR', None)\n"
        "from nnreg.engines import compiled\n"
        "import numba\n"
        "print(numba.config.CACHE_DIR == os.path.join(tempfile.gettempdir(), 'nnreg-numba-cache'))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = str(Path(nnreg.__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_the_course_is_reproduced_exactly_by_the_kernel(course_data_path):
    dataset = nnreg.load_dataset(course_data_path)
    expected = {"none": (200, 0.915), "l2": (198, 0.93), "dropout": (196, 0.95)}
    for name, settings in nnreg.STUDY.items():
        result = nnreg.train(dataset, settings.replace(dropout_mask="fixed"), engine="numba")
        train_correct, test_accuracy = expected[name]
        assert (result.train_correct, result.train_size) == (train_correct, 211), name
        assert result.test_accuracy == test_accuracy, name


def test_one_compilation_serves_every_dataset_read_only_ones_included(football):
    # A .mat file's arrays arrive read-only, which Numba would compile as a second type.
    frozen = [np.array(values) for values in (football.train_X, football.train_Y, football.test_X, football.test_Y)]
    for values in frozen:
        values.setflags(write=False)
    read_only = dataclasses.replace(football, train_X=frozen[0], train_Y=frozen[1], test_X=frozen[2],
                                    test_Y=frozen[3])
    nnreg.train(football, SHORT, engine="numba")
    nnreg.train(read_only, SHORT, engine="numba")
    assert len(compiled._train.signatures) == 1


@pytest.mark.slow
def test_the_compiled_loop_runs_uncompiled_for_debugging(football):
    # NUMBA_DISABLE_JIT=1 runs the same functions as plain Python: slow, but steppable in a debugger.
    probe = (
        "import numpy as np, nnreg\n"
        "from nnreg import network\n"
        "from nnreg.engines import compiled, reference\n"
        "data = nnreg.load_dataset('football')\n"
        "X, Y = data.train_X.T, data.train_Y.reshape(1, -1).astype(float)\n"
        "for s in (nnreg.Settings(num_iterations=20, lambd=0.7, keep_prob=0.86),\n"
        "          nnreg.Settings(num_iterations=20, activation='tanh', optimizer='adam', learning_rate=0.01,\n"
        "                         batch_size=50, keep_prob=0.86, weight_decay=0.1)):\n"
        "    p = network.initialize_parameters(s.layer_sizes, s.seed)\n"
        "    a, b = compiled.numba_loop(X, Y, p, s), reference.numpy_loop(X, Y, p, s)\n"
        "    print(max(float(np.max(np.abs(a.parameters[k] - b.parameters[k]))) for k in a.parameters))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=str(Path(nnreg.__file__).resolve().parent.parent))
    done = subprocess.run([sys.executable, "-W", "error", "-c", probe], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert [float(line) < 1e-12 for line in done.stdout.split()] == [True, True]


# How the network trains (issue 25): the reference loop's variants


@pytest.mark.parametrize("loop", [reference.numpy_loop, compiled.numba_loop])
def test_weight_decay_with_gradient_descent_trains_as_l2_with_lambd_wd_times_m(football, loop):
    m = len(football.train_Y)
    X, Y = football.train_X.T, football.train_Y.reshape(1, -1).astype(float)
    initial = network.initialize_parameters((2, 20, 3, 1), 3)
    decayed = loop(X, Y, initial, nnreg.Settings(num_iterations=1000, weight_decay=0.7 / m))
    l2 = loop(X, Y, initial, nnreg.Settings(num_iterations=1000, lambd=0.7))
    for name in initial:
        assert np.allclose(decayed.parameters[name], l2.parameters[name], rtol=0, atol=1e-12)


def test_mini_batches_cover_every_point_once_an_epoch_the_last_smaller():
    from nnreg.engines.reference import batches
    source = batches(10, nnreg.Settings(batch_size=4, seed=5))
    epoch = [next(source) for _ in range(3)]
    assert [len(batch) for batch in epoch] == [4, 4, 2]
    assert sorted(np.concatenate(epoch)) == list(range(10))
    assert not np.array_equal(np.concatenate(epoch), np.concatenate([next(source) for _ in range(3)]))
    # A batch as large as the data, or none, is the course's full batch.
    assert next(batches(10, nnreg.Settings(batch_size=10))) == slice(None)
    assert next(batches(10, nnreg.Settings())) == slice(None)


@pytest.mark.parametrize("changes", [dict(optimizer="adam", learning_rate=0.01), dict(optimizer="momentum"),
                                     dict(batch_size=32, learning_rate=0.05), dict(activation="tanh"),
                                     dict(optimizer="adam", learning_rate=0.01, batch_size=32, keep_prob=0.86)])
def test_each_variant_learns_the_football_field(football, changes):
    result = nnreg.train(football, nnreg.Settings(num_iterations=2000, **changes), engine="numpy")
    assert result.outcome.kind == "trained" and result.test_accuracy > 0.8


# The compiled engine's variants: every activation with every optimizer, each with regularizers.
_REGULARIZERS = [
    {"lambd": 0.7},
    {"l1": 0.05},
    {"weight_decay": 0.1},
    {"keep_prob": 0.86},
    {"keep_prob": 0.86, "dropout_mask": "fixed"},
    {"lambd": 0.3, "l1": 0.01, "weight_decay": 0.05, "keep_prob": 0.8},
]
_VARIANTS = [(activation, optimizer, _REGULARIZERS[(3 * a + o) % len(_REGULARIZERS)])
             for a, activation in enumerate(network.ACTIVATIONS) for o, optimizer in enumerate(network.OPTIMIZERS)]
# Adam's steps are about α each, whatever the gradient: the course's 0.3 would throw the weights about.
_LEARNING_RATES = {"gd": 0.3, "momentum": 0.3, "adam": 0.01}


def _agree(fast, expected):
    """The compiled loop's record is the reference's to 1e-9, exact zeros included."""
    assert _relative_difference(fast.parameters, expected.parameters) < 1e-9
    assert fast.record_iterations == expected.record_iterations
    np.testing.assert_allclose(fast.objectives, expected.objectives, rtol=1e-9)
    for fast_snapshot, reference_snapshot in zip(fast.snapshots, expected.snapshots, strict=True):
        assert _relative_difference(fast_snapshot, reference_snapshot) < 1e-9
    assert fast.diverged_at == expected.diverged_at
    for name in expected.parameters:
        np.testing.assert_array_equal(fast.parameters[name] == 0, expected.parameters[name] == 0)


@pytest.mark.parametrize("activation, optimizer, regularizers", _VARIANTS)
def test_every_variant_of_the_kernel_computes_the_reference_loop(football, activation, optimizer, regularizers):
    settings = SHORT.replace(activation=activation, optimizer=optimizer, learning_rate=_LEARNING_RATES[optimizer],
                             **regularizers)
    expected, fast = _both(football, settings)
    _agree(fast, expected)
    assert fast.record_iterations == list(range(0, 1000, 50)) and fast.diverged_at is None
    # It trained: the objective fell.
    assert expected.objectives[-1] < 0.9 * expected.objectives[0]


_WIDE = {"keep_prob": 0.8, "lambd": 0.3, "weight_decay": 0.05}


@pytest.mark.parametrize("activation, optimizer, regularizers", [
    ("tanh", "adam", _WIDE), ("sigmoid", "momentum", _WIDE), ("leaky_relu", "gd", _WIDE),
    # ReLU and Adam with all three is chaotic here: the reference itself moves 2e-6 from initial
    # weights nudged by 1e-14, so two summation orders cannot agree to 1e-9.
    ("relu", "adam", {"keep_prob": 0.8, "dropout_mask": "fixed", "weight_decay": 0.05}),
])
def test_the_variants_on_wide_layers_and_three_classes(activation, optimizer, regularizers):
    # Every pass width of the hidden layers (30 inputs; 22, 9 and 5 units) and a softmax output.
    X, Y = _classes(30, 3)
    settings = SHORT.replace(activation=activation, optimizer=optimizer, learning_rate=_LEARNING_RATES[optimizer],
                             layer_dims=(22, 9, 5), **regularizers)
    parameters = network.initialize_parameters(network.layer_sizes(settings.layer_dims, 30, 3), settings.seed)
    _agree(compiled.numba_loop(X, Y, parameters, settings), reference.numpy_loop(X, Y, parameters, settings))


@pytest.mark.parametrize("activation, optimizer, changes", [
    ("relu", "gd", {"batch_size": 32, "learning_rate": 0.05, "keep_prob": 0.86}),
    ("relu", "momentum", {"batch_size": 50, "keep_prob": 0.86, "dropout_mask": "fixed", "lambd": 0.7}),
    ("tanh", "adam", {"batch_size": 64, "learning_rate": 0.01, "weight_decay": 0.1, "l1": 0.01, "keep_prob": 0.8}),
    # One point a batch, recorded at updates that fall inside epochs.
    ("sigmoid", "gd", {"batch_size": 1, "learning_rate": 0.1, "record_every": 7}),
    # 211 points: each epoch ends with a batch of one.
    ("leaky_relu", "adam", {"batch_size": 210, "learning_rate": 0.01, "lambd": 0.3}),
])
def test_the_kernel_trains_on_the_references_mini_batches(football, activation, optimizer, changes):
    settings = SHORT.replace(activation=activation, optimizer=optimizer, **changes)
    expected, fast = _both(football, settings)
    _agree(fast, expected)
    assert fast.record_iterations == list(range(0, 1000, settings.record_every)) and fast.diverged_at is None
    assert expected.objectives[-1] < 0.9 * expected.objectives[0]


def test_mini_batches_on_wide_layers_and_three_classes():
    X, Y = _classes(30, 3)
    settings = SHORT.replace(activation="tanh", optimizer="momentum", layer_dims=(22, 9, 5), batch_size=40,
                             keep_prob=0.8, lambd=0.3)
    parameters = network.initialize_parameters(network.layer_sizes(settings.layer_dims, 30, 3), settings.seed)
    _agree(compiled.numba_loop(X, Y, parameters, settings), reference.numpy_loop(X, Y, parameters, settings))


@pytest.mark.parametrize("m, seed, epoch", [(1, 0, 0), (2, 3, 1), (211, 3, 0), (211, 3, 7), (1000, 12345, 2)])
def test_the_kernels_shuffle_is_the_references_batch_order(m, seed, epoch):
    order = np.zeros(m, np.int64)
    compiled._shuffle(order, seed, epoch)
    np.testing.assert_array_equal(order, network.batch_order(m, seed, epoch))


def test_each_activation_and_optimizer_has_its_own_kernel_the_courses_made_at_import():
    course = compiled._kernel_for(Settings(), 211)
    assert course is compiled._train
    tanh_adam = compiled._kernel_for(Settings(activation="tanh", optimizer="adam"), 211)
    # Weight decay and the regularizers are numbers the kernel is given, not variants of it.
    assert compiled._kernel_for(Settings(activation="tanh", optimizer="adam", weight_decay=0.1, lambd=0.7), 211) \
        is tanh_adam is not course
    kernels = {compiled._kernel_for(Settings(activation=activation, optimizer=optimizer, batch_size=size), 211)
               for activation in network.ACTIVATIONS for optimizer in network.OPTIMIZERS for size in (None, 32)}
    assert len(kernels) == len(network.ACTIVATIONS) * len(network.OPTIMIZERS) * 2
    # A batch of every point is the full batch.
    assert compiled._kernel_for(Settings(batch_size=211), 211) is course is not compiled._kernel_for(
        Settings(batch_size=210), 211)


@pytest.mark.slow
def test_a_variants_kernel_is_compiled_once_and_then_read_from_numbas_cache(tmp_path):
    probe = (
        "import numpy as np, nnreg\n"
        "from nnreg.engines import compiled\n"
        "s = nnreg.Settings(num_iterations=3, activation='sigmoid', optimizer='momentum', keep_prob=0.8)\n"
        "X, Y = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.5]]), np.array([[0.0, 1.0, 1.0]])\n"
        "compiled.numba_loop(X, Y, nnreg.network.initialize_parameters((2, 20, 3, 1), 0), s)\n"
        "stats = compiled._kernel_for(s, 3).stats\n"
        "print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))\n"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(Path(nnreg.__file__).resolve().parent.parent))
    runs = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    # Hits, misses: compiled in the first process, read from disk in the second.
    assert [run.stdout.split() for run in runs] == [["0", "1"], ["1", "0"]]


@pytest.mark.slow
def test_variants_compiled_in_different_processes_load_together_into_one(tmp_path):
    # Each process below compiles one more variant into the same cache; the last loads all three.
    # Named alike, two cached kernels carried the same symbol and the second one loaded failed.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(Path(nnreg.__file__).resolve().parent.parent))
    for optimizers in (["gd"], ["gd", "adam"], ["gd", "momentum"], ["gd", "momentum", "adam"]):
        probe = ("import nnreg\n"
                 "football = nnreg.load_dataset('football')\n"
                 f"for optimizer in {optimizers!r}:\n"
                 "    s = nnreg.Settings(num_iterations=300, learning_rate=0.01, optimizer=optimizer)\n"
                 "    print(nnreg.train(football, s, engine='numba').outcome.kind)\n")
        run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
        assert (run.returncode, run.stdout.split()) == (0, ["trained"] * len(optimizers)), run.stderr[-2000:]


@numba.njit
def _step_in_kernel(optimizer, theta, grad, velocity, squares, t, learning_rate):
    # The kernel's helpers have no Python wrapper: called here as the kernel calls them.
    if optimizer == compiled.ADAM:
        compiled._adam(grad, velocity, squares, t)
    else:
        compiled._momentum(grad, velocity)
    updated = np.empty_like(theta)
    compiled._update(theta, updated, grad, learning_rate, None, 0.0, np.array([0, 0, 2]), np.array([0, 2, 3]))
    return updated


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_running_average_stuck_in_the_subnormals_is_set_to_0_moving_no_parameter_differently(optimizer):
    # A dead unit's averages decay to the smallest subnormal and stay there (0.9 times it rounds back
    # to it), where every operation is slow; the compiled engine sets them to 0.  The reference
    # keeps them, and its parameters end exactly where the compiled engine's do.
    smallest = 5e-324
    assert network.MOMENTUM_BETA * smallest == smallest == network.ADAM_BETA1 * smallest
    parameters = {"W1": np.array([[0.5, -0.25]]), "b1": np.array([[0.125]])}
    grads = {"dW1": np.zeros((1, 2)), "db1": np.zeros((1, 1))}
    state = network.initialize_optimizer(parameters, optimizer)
    for name in state:
        state[name][...] = smallest if name.startswith("v") else 1e-300
    expected, reference_state = network.optimizer_step(parameters, grads, state, optimizer, 0.3, 5000)
    assert reference_state["vW1"][0, 0] == smallest
    grad, velocity = np.zeros(3), np.full(3, smallest)
    updated = _step_in_kernel(network.OPTIMIZERS.index(optimizer), np.array([0.5, -0.25, 0.125]), grad, velocity,
                              np.full(3, 1e-300), 5000, 0.3)
    assert (velocity == 0).all() and (grad == 0).all()
    np.testing.assert_array_equal(updated, [expected["W1"][0, 0], expected["W1"][0, 1], expected["b1"][0, 0]])
