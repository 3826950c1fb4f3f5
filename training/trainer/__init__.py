"""DRIT training: discriminators, data pipeline, training model, checkpoints and figures.

Import from the repository root: ``from training.trainer.model import DRIT``.
"""
