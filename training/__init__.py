"""The PyTorch side of DRIT in the browser, a package run from the repository root:

* ``training.drit``: the inference networks (official state_dict layout) and the model-pack loader;
* ``training.trainer``: config, data, the training model, checkpoints, figures;
* ``training.train`` / ``training.sample``: train a model / draw sample grids from a checkpoint;
* ``training.eval``: held-out evaluation; ``training.card``: the model card and its figures;
* ``training.tools``: run keeping, resume and step-time measurements.

See training/README.md. Importing the package sets one OpenMP variable, before anything loads torch.
"""
import os

# libgomp's threads spin 300 000 rounds at every barrier before they sleep: beside another busy
# process a 2-thread step then runs >13x slower (measured, docs/experiments.md); a passive wait costs
# 40 % on an idle machine. A short spin keeps the idle speed and bounds the loss. Read when torch
# loads; a value already in the environment wins.
os.environ.setdefault("GOMP_SPINCOUNT", "3000")
