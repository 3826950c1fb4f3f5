"""DRIT networks in PyTorch with the official state_dict layout.

Import from the repository root: ``from training.drit.networks import build_inference_nets``.
"""

from .networks import (  # noqa: F401
    BasicBlock, E_attr, E_attr_concat, E_content, G, G_concat, GaussianNoiseLayer, INSResBlock,
    LayerNorm, LayerNormOld, LeakyReLUConv2d, MisINSResBlock, ReLUINSConv2d, ReLUINSConvTranspose2d,
    build_inference_nets, gaussian_weights_init, make_layer_norm,
)
