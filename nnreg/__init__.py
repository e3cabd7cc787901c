"""nnreg: what regularization does to a small neural network, reproducibly and fast."""

from .classifier import Classifier
from .data import Dataset, DatasetError, list_datasets, load_dataset, make_dataset, read_dataset
from .engines.record import StopFlag, TrainingStopped
from .settings import STUDY, Settings
from .sweeps import SweepResult, sweep
from .training import TrainResult, train, train_many

__all__ = [
    "Classifier", "Dataset", "DatasetError", "STUDY", "Settings", "StopFlag", "SweepResult", "TrainResult",
    "TrainingStopped", "list_datasets", "load_dataset", "make_dataset", "read_dataset", "sweep",
    "train", "train_many",
]
