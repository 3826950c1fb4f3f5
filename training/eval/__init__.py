"""Held-out evaluation of a checkpoint or model pack. Entry points (run from the repository root):

* ``python -m training.eval.evaluate``: translation success, diversity, realism, KID (the main one);
* ``python -m training.eval.compare``: paired comparison of two evaluations (the balanced ship rule);
* ``python -m training.eval.content_gap``: where a direction fails (content codes vs the generator);
* ``python -m training.eval.attr_health``: is the attribute encoder alive.

Library modules: ``core`` (model loading, the judge cache, image measures), ``realism`` (the judge
and KID), ``unlike`` (photos unlike the training set).
"""
