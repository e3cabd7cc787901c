"""nnreg: what regularization does to a small neural network, reproducibly and fast."""

from .data import Dataset, DatasetError, list_datasets, load_dataset, make_dataset, read_dataset
from .settings import STUDY, Settings
from .training import TrainResult, train

__all__ = [
    "Dataset", "DatasetError", "STUDY", "Settings", "TrainResult",
    "list_datasets", "load_dataset", "make_dataset", "read_dataset", "train",
]
