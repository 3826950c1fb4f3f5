"""The linear probe behind the generic-features check (training/features/probe.py)."""
from __future__ import annotations

import torch

from training.features.probe import cv_accuracy


def test_probe_separates_separable_classes_and_not_random_labels():
    g = torch.Generator().manual_seed(0)
    y = (torch.arange(120) % 3 == 0).float()                       # unbalanced, as cats vs dogs
    x = torch.randn(120, 16, generator=g)
    separable = x.clone()
    separable[:, 0] += 6 * (2 * y - 1)
    assert cv_accuracy(separable, y) == 1.0
    # labels unrelated to the features: balanced accuracy near chance, cross-validated
    assert 0.3 < cv_accuracy(x, y) < 0.7
    # variants are scored by the fold's probe: an identical copy scores the same, a copy with
    # the informative feature removed falls to chance
    acc, per = cv_accuracy(separable, y, variants={"same": separable, "erased": x})
    assert acc == per["same"] == 1.0 and per["erased"] < 0.75
