"""Tests of the ``training`` package (``scripts/py -m pytest -q training/tests`` from the repository root)."""
