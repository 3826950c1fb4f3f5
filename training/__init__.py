"""The PyTorch side of DRIT in the browser: networks (``training.drit``), trainer (``training.trainer``)
and the entry points, each run from the repository root as a module, e.g.
``scripts/py -m training.train --help`` (see training/README.md).

Imports nothing itself: ``training.train`` sets OpenMP variables before torch loads.
"""
