"""Shared test settings. The tests import ``training.*``: this folder and ``training/`` are packages,
so pytest puts the repository root on the import path (and ``python -m pytest`` adds the current
folder, the repository root)."""

import torch

torch.set_num_threads(min(2, torch.get_num_threads()))
