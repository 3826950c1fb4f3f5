"""Put training/ on sys.path so tests import the package as ``drit`` (see training/README.md)."""

import os
import sys

TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAINING not in sys.path:
    sys.path.insert(0, TRAINING)

import torch  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))
