"""``nnreg.Classifier``: nnreg's network as a scikit-learn estimator, for ``Pipeline``,
``GridSearchCV`` and cross-validation.

It keeps scikit-learn's conventions without importing scikit-learn (a test requirement, not a
runtime one): ``__init__`` stores its parameters as given, every ``Settings`` field and
``engine``; ``fit`` checks them (a ValueError names the field, in ``Settings``' words) and the
data, then trains on every point it is given (``training.train_points``).  Nothing is held out for
a test: choosing the test points is the caller's, by a split of their own or cross-validation.
"""

from __future__ import annotations

import dataclasses
import numbers
import sys
import warnings

import numpy as np
import pandas as pd

from .data import MAX_ABS_COORDINATE, MIN_SPLIT_POINTS
from .limits import RANGES, check
from .report.outcomes import training_problem
from .settings import Settings
from .training import TRAINED, train_points, training_loop

SETTINGS_FIELDS = tuple(field.name for field in dataclasses.fields(Settings))
PARAMETERS = (*SETTINGS_FIELDS, "engine")
_DEFAULT = Settings()


class NotFittedError(ValueError, AttributeError):
    """A Classifier used before ``fit`` (a ValueError and an AttributeError, as scikit-learn's)."""


class DataConversionWarning(UserWarning):
    """Data given in another shape than expected and read anyway (a column y as its labels)."""


def _sklearns(kind: type) -> type:
    """scikit-learn's class of this name when scikit-learn is loaded (the caller uses it, so its
    ``except NotFittedError`` catches ours), else nnreg's: scikit-learn is never imported here."""
    exceptions = sys.modules.get("sklearn.exceptions")
    return getattr(exceptions, kind.__name__, kind) if exceptions is not None else kind


class Classifier:
    """nnreg's network as a scikit-learn classifier: ``Classifier(lambd=0.7).fit(X, y)``.

    The parameters are ``Settings``' fields, with the same names, defaults and limits (the course's
    2-20-3-1 network, learning rate 0.3, 30,000 iterations), and ``engine`` ("auto", "numba",
    "numpy").  ``standardize`` None means on here: each feature scaled to mean 0 and standard
    deviation 1 over the points the model fits, as an analyst's table in its own units needs;
    ``standardize=False`` trains on the features as given.

    ``fit(X, y)`` takes X as an (m, n_features) array or a DataFrame (its column names are kept
    as ``feature_names_in_``) and y as numbers or text, one label per point.  After it:
    ``classes_`` (the distinct labels, sorted), ``n_features_in_``, and ``result_``, the
    ``TrainResult`` (parameters, history, outcome).  A run that did not train warns with its cure.
    """

    def __init__(self, layer_dims=_DEFAULT.layer_dims, learning_rate=_DEFAULT.learning_rate,
                 num_iterations=_DEFAULT.num_iterations, lambd=_DEFAULT.lambd, keep_prob=_DEFAULT.keep_prob,
                 l1=_DEFAULT.l1, early_stopping=_DEFAULT.early_stopping, dev_fraction=_DEFAULT.dev_fraction,
                 train_fraction=_DEFAULT.train_fraction, seed=_DEFAULT.seed, dropout_mask=_DEFAULT.dropout_mask,
                 dropout_seed=_DEFAULT.dropout_seed, record_every=_DEFAULT.record_every, standardize=None,
                 activation=_DEFAULT.activation, optimizer=_DEFAULT.optimizer, batch_size=_DEFAULT.batch_size,
                 weight_decay=_DEFAULT.weight_decay, engine="auto"):
        # Stored as given and checked in fit, as scikit-learn's clone and set_params expect.
        self.layer_dims = layer_dims
        self.learning_rate = learning_rate
        self.num_iterations = num_iterations
        self.lambd = lambd
        self.keep_prob = keep_prob
        self.l1 = l1
        self.early_stopping = early_stopping
        self.dev_fraction = dev_fraction
        self.train_fraction = train_fraction
        self.seed = seed
        self.dropout_mask = dropout_mask
        self.dropout_seed = dropout_seed
        self.record_every = record_every
        self.standardize = standardize
        self.activation = activation
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.engine = engine

    # --- scikit-learn's parameter protocol ------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict:
        """Every parameter by name (``deep`` is scikit-learn's: there are no nested estimators)."""
        return {name: getattr(self, name) for name in PARAMETERS}

    def set_params(self, **params) -> Classifier:
        """Parameters changed by name, checked at the next ``fit``; an unknown name is a ValueError."""
        for name, value in params.items():
            if name not in PARAMETERS:
                raise ValueError(f"Invalid parameter {name!r} for estimator Classifier(). Valid parameters are: "
                                 f"{', '.join(PARAMETERS)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        """The parameters that differ from the defaults, as scikit-learn shows an estimator."""
        defaults = {name: repr(value) for name, value in Classifier().get_params().items()}
        changed = [f"{name}={value!r}" for name, value in self.get_params().items() if repr(value) != defaults[name]]
        return f"Classifier({', '.join(changed)})"

    def __sklearn_tags__(self):
        """scikit-learn's tags: a classifier that needs y and refuses NaN.  Only scikit-learn calls
        this, so scikit-learn is imported here and nowhere else."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(), input_tags=InputTags(sparse=True, allow_nan=False))

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "result_")

    # --- Training and prediction --------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The parameters as ``Settings``; a ValueError names a bad one."""
        return Settings(**{name: getattr(self, name) for name in SETTINGS_FIELDS})

    def fit(self, X, y) -> Classifier:
        """Train on every point of ``X`` with labels ``y``; returns the classifier."""
        # Every parameter is checked before the data, and the data before any training.
        settings = self.settings
        training_loop(self.engine)
        X, names = _points(X, fitting=True)
        if y is None:
            raise ValueError("Classifier requires y to be passed, but the target y is None: give one label per point")
        classes, codes = _labels(y, X.shape[0])
        result = train_points(X, codes, settings, n_classes=len(classes), standardize=True, engine=self.engine,
                              name="Classifier")
        if result.outcome.kind != TRAINED:
            warnings.warn(training_problem(result), RuntimeWarning, stacklevel=2)
        self.classes_, self.n_features_in_, self.result_ = classes, X.shape[1], result
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def predict_proba(self, X) -> np.ndarray:
        """P(each class) of each point, shape (k, len(classes_)), columns in ``classes_``' order."""
        X = self._checked(X)
        return self.result_.class_probabilities(X)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each point, as a label of ``classes_`` (the course's rule,
        P(label 1) > 0.5, for two classes)."""
        X = self._checked(X)
        return self.classes_[self.result_.predict(X)]

    def score(self, X, y, sample_weight=None) -> float:
        """The accuracy on ``X`` and ``y``: the share of points predicted right (weighted by
        ``sample_weight`` when given)."""
        predicted = self.predict(X)
        y = _label_array(y)
        if y.shape != predicted.shape:
            raise ValueError(f"y must hold one label per point of X ({predicted.shape[0]}), got shape {y.shape}")
        return float(np.average(predicted == y, weights=sample_weight))

    def _checked(self, X) -> np.ndarray:
        """``X`` as points of the features it was fitted on, or a ValueError saying what differs
        (NotFittedError before ``fit``)."""
        if not self.__sklearn_is_fitted__():
            raise _sklearns(NotFittedError)("This Classifier is not fitted yet: call fit(X, y) before predicting")
        fitted_names = getattr(self, "feature_names_in_", None)
        if fitted_names is not None and isinstance(X, pd.DataFrame):
            given = [str(column) for column in X.columns]
            if given != list(fitted_names):
                missing = [name for name in fitted_names if name not in given]
                raise ValueError("X's columns must be the features the classifier was fitted on, in the same "
                                 f"order: {', '.join(fitted_names)}; got {', '.join(given)}"
                                 + (f" (missing: {', '.join(missing)})" if missing else ""))
        X, _ = _points(X, fitting=False)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but Classifier is expecting {self.n_features_in_} "
                             "features as input")
        return X


def _points(X, fitting: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """X as a float64 (m, n_features) array and its column names (a DataFrame's, when they are all
    text; else None), or a ValueError saying what is wrong."""
    names = None
    # At most MAX features a point: a sparse matrix is read as the dense one it stands for.  Whoever
    # passes one has loaded scipy.sparse; importing it here would add half a second to `import nnreg`.
    sparse = sys.modules.get("scipy.sparse")
    if sparse is not None and sparse.issparse(X):
        X = X.toarray()
    if isinstance(X, pd.DataFrame):
        text = [str(column) for column in X.columns if not (pd.api.types.is_numeric_dtype(X[column])
                                                             or pd.api.types.is_bool_dtype(X[column]))]
        if text:
            raise ValueError(f"X's column(s) {', '.join(text)} are not numbers; encode them as numbers first "
                             "(e.g. one column per value)")
        if len(X.columns) and all(isinstance(column, str) for column in X.columns):
            names = np.asarray(X.columns, dtype=object)
        X = X.to_numpy(dtype=np.float64)
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise ValueError("Complex data not supported: X must hold real numbers")
    if X.dtype.kind in "USO":
        try:
            X = X.astype(np.float64)
        except ValueError:
            text = next(value for value in X.flat if not _number(value))
            raise ValueError(f"X must hold numbers, found {_shown(text)}; encode text as numbers first") from None
    if X.ndim != 2:
        raise ValueError(f"X must be a 2D array, one row per point, got a {X.ndim}D array of shape {X.shape}. "
                         "Reshape your data with X.reshape(-1, 1) if it has a single feature or X.reshape(1, -1) "
                         "if it is a single point")
    X = X.astype(np.float64)
    least = MIN_SPLIT_POINTS if fitting else 1
    if X.shape[1] == 0:
        raise ValueError(f"X has 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
    if X.shape[0] < least:
        raise ValueError(f"X has {X.shape[0]} sample(s) (shape={X.shape}) while a minimum of {least} is required"
                         + (" to train" if fitting else ""))
    if fitting:
        check("n_features", X.shape[1])
    if not np.isfinite(X).all():
        raise ValueError(f"X contains {int(np.sum(~np.isfinite(X)))} NaN or infinite value(s); drop or fill "
                         "those points first")
    if np.abs(X).max() > MAX_ABS_COORDINATE:
        raise ValueError(f"X's values must lie within ±{MAX_ABS_COORDINATE:g}, got {np.abs(X).max():g}")
    return X, names


def _number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _shown(value) -> str:
    """A value as a message names it: text quoted, numbers as written."""
    return repr(str(value)) if isinstance(value, str) else str(value)


def _label_array(y) -> np.ndarray:
    """y as a 1D array; a column (m, 1) is read as its m labels, as a Dataset reads it, with a
    warning (it is often a table given where its label column was meant)."""
    y = y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected: its one column is read as the "
                      "labels (y.ravel() says so without this warning)", _sklearns(DataConversionWarning), stacklevel=3)
        return y.reshape(-1)
    return y


def _labels(y, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct labels of ``y``, sorted, and each point's as a code (its position there); a
    ValueError says what is wrong.  Labels are whole numbers or text: other numbers are a
    regression's target, not classes."""
    y = _label_array(y)
    if y.ndim != 1 or y.shape[0] != m:
        raise ValueError(f"y must hold one label per point of X ({m}), got shape {y.shape}")
    if y.dtype.kind == "O":
        if any(value is None or (isinstance(value, float) and np.isnan(value)) for value in y):
            raise ValueError("y contains missing labels (None or NaN); drop those points first")
        kinds = {"text" if isinstance(value, str) else "number" if isinstance(value, numbers.Real) else "other"
                 for value in y}
        if kinds - {"text", "number"} or len(kinds) > 1:
            raise ValueError("Unknown label type: y must hold numbers or text, one kind, got "
                             + ", ".join(sorted({type(value).__name__ for value in y})))
        y = y.astype(str) if kinds == {"text"} else y.astype(np.float64)
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite labels; drop those points first")
        fractional = y[y != np.round(y)]
        if len(fractional):
            raise ValueError(f"Unknown label type: continuous values such as {fractional[0]:g} are a regression's "
                             "target; a classifier needs class labels, whole numbers or text")
    elif y.dtype.kind not in "biuUS":
        raise ValueError(f"Unknown label type: y must hold numbers or text, got {y.dtype}")
    classes = np.unique(y)
    most = RANGES["n_classes"].high
    if len(classes) < 2:
        raise ValueError(f"y has one class ({_shown(classes[0])}); at least two are needed to learn to tell them apart")
    if len(classes) > most:
        raise ValueError(f"y has {len(classes)} classes; at most {int(most)} can be told apart")
    return classes, np.searchsorted(classes, y)
