"""nnreg.Classifier as scikit-learn uses an estimator: Pipeline, GridSearchCV, clone and its common
checks, on the real tables that ship with scikit-learn; the same model as nnreg.train; bad input named."""

import inspect
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import nnreg  # noqa: E402
from nnreg import Classifier, Settings  # noqa: E402

SHORT = {"num_iterations": 2000}


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True, as_frame=True)


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


# scikit-learn's own checks of an estimator, each one a test.  All that apply pass; the array API
# check skips itself unless SCIPY_ARRAY_API is set (nnreg computes in NumPy only).
with warnings.catch_warnings():
    # That Classifier does not inherit scikit-learn's BaseEstimator is the point: nnreg does not
    # import scikit-learn.
    warnings.simplefilter("ignore", UserWarning)
    _checks = parametrize_with_checks([Classifier(num_iterations=300)])


@_checks
def test_scikit_learns_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # A check's deliberately odd data (one feature, ten points) may train a model that collapsed.
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)


def test_the_parameters_are_every_setting_and_the_engine_with_the_settings_defaults():
    signature = inspect.signature(Classifier.__init__).parameters
    fields = [name for name in signature if name != "self"]
    assert fields == [*Settings.__dataclass_fields__, "engine"]
    defaults = {name: parameter.default for name, parameter in signature.items() if name != "self"}
    assert defaults == {**{name: getattr(Settings(), name) for name in Settings.__dataclass_fields__}, "engine": "auto"}
    # Stored as given, checked at fit.
    odd = Classifier(lambd="abc", layer_dims=[50, 20])
    assert odd.get_params()["lambd"] == "abc" and odd.get_params()["layer_dims"] == [50, 20]
    assert repr(Classifier(lambd=0.7, keep_prob=0.86)) == "Classifier(lambd=0.7, keep_prob=0.86)"


@pytest.mark.parametrize("params, words", [
    ({"lambd": -1}, "lambd must be a number from 0 to 1,000, got -1"),
    ({"lambd": "abc"}, "lambd must be a number from 0 to 1,000, got 'abc'"),
    ({"keep_prob": 0}, "keep_prob must be a number from 0.05 to 1, got 0"),
    ({"layer_dims": (20, 0)}, "layer_dims must be a whole number from 1 to 500, got 0"),
    ({"standardize": "yes"}, "standardize must be True, False or None"),
    ({"engine": "gpu"}, "engine must be one of auto, numba, numpy, got 'gpu'"),
])
def test_a_bad_parameter_is_named_when_fitting(iris, params, words):
    with pytest.raises(ValueError, match=words):
        Classifier(**params).fit(*iris)
    with pytest.raises(ValueError, match="Invalid parameter 'alpha' for estimator Classifier"):
        Classifier().set_params(alpha=0.1)


@pytest.mark.parametrize("X, y, words", [
    (np.zeros(20), [0, 1] * 10, "X must be a 2D array, one row per point, got a 1D array of shape \\(20,\\)"),
    (np.zeros((20, 0)), [0, 1] * 10, "X has 0 feature\\(s\\) \\(shape=\\(20, 0\\)\\)"),
    (np.zeros((5, 2)), [0, 1, 0, 1, 0], "X has 5 sample\\(s\\) \\(shape=\\(5, 2\\)\\) while a minimum of 10"),
    (np.full((20, 2), np.nan), [0, 1] * 10, "X contains 40 NaN or infinite value\\(s\\)"),
    (np.full((20, 2), 1e7), [0, 1] * 10, "X's values must lie within ±1e\\+06, got 1e\\+07"),
    (np.zeros((20, 1001)), [0, 1] * 10, "n_features must be a whole number from 1 to 1,000, got 1001"),
    ([["1.5", "b"]] * 20, [0, 1] * 10, "X must hold numbers, found 'b'; encode text as numbers first"),
    (pd.DataFrame({"size": range(20), "colour": ["red", "blue"] * 10}), [0, 1] * 10,
     "X's column\\(s\\) colour are not numbers"),
    (np.zeros((20, 2)), [0, 1] * 5, "y must hold one label per point of X \\(20\\), got shape \\(10,\\)"),
    (np.zeros((20, 2)), [1] * 20, "y has one class \\(1\\); at least two are needed"),
    (np.zeros((20, 2)), ["spam"] * 20, "y has one class \\('spam'\\); at least two are needed"),
    (np.zeros((20, 2)), np.linspace(0, 1, 20), "Unknown label type: continuous values such as 0.0526316"),
    (np.zeros((20, 2)), np.array([0, "a"] * 10, dtype=object), "Unknown label type: y must hold numbers or text, "
                                                                "one kind, got int, str"),
    (np.zeros((20, 2)), [0, None] * 10, "y contains missing labels"),
    (np.zeros((30, 2)), np.arange(30), "y has 30 classes; at most 20 can be told apart"),
    (np.zeros((20, 2)), None, "requires y to be passed, but the target y is None"),
])
def test_bad_data_is_named(X, y, words):
    with pytest.raises(ValueError, match=words), warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        Classifier(**SHORT).fit(X, y)


def test_predicting_before_fitting_or_on_other_features_is_named(iris):
    X, y = iris
    with pytest.raises(NotFittedError, match="not fitted yet: call fit"):
        Classifier().predict(X)
    fitted = Classifier(**SHORT).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but Classifier is expecting 4 features as input"):
        fitted.predict(X.to_numpy()[:, :3])
    with pytest.raises(ValueError, match="X's columns must be the features the classifier was fitted on, in the same "
                                         "order: sepal length"):
        fitted.predict(X[X.columns[::-1]])
    with pytest.raises(ValueError, match=r"\(missing: petal width \(cm\)\)"):
        fitted.predict(X.rename(columns={"petal width (cm)": "width"}))


def test_it_is_nnreg_train_on_the_same_points(cancer):
    X, y = cancer
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    for params in ({}, {"lambd": 0.7}, {"keep_prob": 0.86}, {"standardize": False}):
        with warnings.catch_warnings():
            # Unstandardized, this table collapses the network (the next test): the same way in both.
            warnings.simplefilter("ignore", RuntimeWarning)
            fitted = Classifier(**SHORT, **params).fit(X_train, y_train)
        dataset = nnreg.Dataset.from_arrays(X_train, y_train, X_test, y_test)
        result = nnreg.train(dataset, Settings(**SHORT, **params))
        for name, value in result.parameters.items():
            np.testing.assert_array_equal(fitted.result_.parameters[name], value)
        np.testing.assert_array_equal(fitted.predict(X_test), result.predict(X_test))
        np.testing.assert_array_equal(fitted.predict_proba(X_test), result.class_probabilities(X_test))
        assert fitted.score(X_test, y_test) == result.test_accuracy
        assert fitted.score(X_train, y_train) == result.train_accuracy
        # Nothing was held out: no test split behind the classifier's model.
        assert fitted.result_.test_size == 0 and np.isnan(fitted.result_.test_accuracy)
        assert "test_accuracy" not in fitted.result_.history


def test_standardizing_is_on_unless_turned_off_and_fitted_on_the_points_given(cancer):
    X, y = cancer
    on = Classifier(**SHORT).fit(X, y)
    np.testing.assert_allclose(on.result_.input_mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(on.result_.input_scale, X.std(axis=0), rtol=1e-12)
    assert on.score(X, y) > 0.97
    with pytest.warns(RuntimeWarning, match=r"standardize the inputs first \(standardize=on"):
        off = Classifier(**SHORT, standardize=False).fit(X, y)
    assert off.result_.input_mean is None and off.result_.outcome.kind == "collapsed"


def test_labels_as_text_come_back_as_text_and_names_are_kept(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    fitted = Classifier(**SHORT).fit(X, names)
    np.testing.assert_array_equal(fitted.classes_, ["setosa", "versicolor", "virginica"])
    assert list(fitted.feature_names_in_) == list(X.columns) and fitted.n_features_in_ == 4
    predicted = fitted.predict(X)
    assert predicted.dtype.kind == "U" and set(predicted) <= set(fitted.classes_)
    assert fitted.score(X, names) == np.mean(predicted == names) > 0.95
    P = fitted.predict_proba(X)
    assert P.shape == (150, 3) and np.allclose(P.sum(axis=1), 1)
    np.testing.assert_array_equal(fitted.classes_[np.argmax(P, axis=1)], predicted)
    # Refitted on an array, the names of the frame before are gone.
    assert not hasattr(fitted.fit(X.to_numpy(), names), "feature_names_in_")


def test_two_classes_give_two_columns_of_probability(cancer):
    X, y = cancer
    P = Classifier(**SHORT).fit(X, y).predict_proba(X[:7])
    assert P.shape == (7, 2) and np.allclose(P.sum(axis=1), 1)


def test_clone_keeps_the_parameters_and_not_the_fit(iris):
    fitted = Classifier(lambd=0.7, layer_dims=(10,), **SHORT).fit(*iris)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params() and not hasattr(copy, "result_")


def test_a_pipeline_and_a_grid_search_on_iris(iris):
    X, y = iris
    pipeline = Pipeline([("scale", StandardScaler()), ("net", Classifier(standardize=False, **SHORT))])
    search = GridSearchCV(pipeline, {"net__lambd": [0.0, 3.0], "net__layer_dims": [(5,), (20, 3)]},
                          cv=StratifiedKFold(3, shuffle=True, random_state=0))
    search.fit(X, y)
    assert set(search.best_params_) == {"net__lambd", "net__layer_dims"}
    assert search.cv_results_["mean_test_score"].shape == (4,)
    assert search.best_score_ > 0.9 and search.score(X, y) > 0.95
    # The refitted best model is the one the grid named.
    assert search.best_estimator_.named_steps["net"].lambd == search.best_params_["net__lambd"]


def test_a_grid_search_over_regularizers_on_breast_cancer(cancer):
    X, y = cancer
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    search = GridSearchCV(Classifier(**SHORT), {"lambd": [0.0, 0.7], "keep_prob": [1.0, 0.86]}, cv=3)
    search.fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (4,) and np.all(scores > 0.9)
    assert search.score(X_test, y_test) > 0.93


def test_scikit_learn_is_not_imported_to_train_and_predict():
    code = ("import sys, numpy as np, nnreg\n"
            "rng = np.random.default_rng(0)\n"
            "X = rng.normal(size=(40, 3)); y = (X[:, 0] > 0).astype(int)\n"
            "c = nnreg.Classifier(num_iterations=200).fit(X, y); c.predict(X); c.score(X, y)\n"
            "assert 'sklearn' not in sys.modules, 'sklearn was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
