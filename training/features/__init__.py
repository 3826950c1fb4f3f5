"""Pretrained feature networks for the training critic, built on demand from installed npm packages.

* ``nsfw_mobilenet.py``: nsfwjs's MobileNetV2 as a PyTorch network (weights exported by
  ``nsfw_export.cjs`` into the ignored ``training/.cache/``; nothing is committed);
* ``python -m training.features.probe``: linear probes that check whether its taps are generic.
"""
