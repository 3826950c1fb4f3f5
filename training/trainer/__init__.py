"""DRIT training: discriminators, data pipeline, training model, checkpoints and figures.

Import with ``training/`` on ``sys.path`` (as ``drit``): ``from trainer.model import DRIT``.
"""
