"""The model card of a shipped pack. Entry points (run from the repository root):

* ``python -m training.card.direction_figure``: the attribute directions of a pack and their figure;
* ``python -m training.card.model_card``: the pack's README (card) from its run, evaluation and figures.
"""
