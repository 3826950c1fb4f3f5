"""Exponential moving average of E_c, E_a and G (the weights we ship).

A GAN's live weights oscillate around the equilibrium from step to step; their running average
gives visibly smoother, more stable images for the same training cost (Karras et al. 2018,
Yazici et al. 2019). The decay ramps up from 0 (``min(decay, (1 + n) / (10 + n))``) so that a
fresh run's average does not drag along its random initialisation.
"""
from __future__ import annotations

import copy
from typing import Dict

import torch
import torch.nn as nn

EMA_NETS = ("enc_c", "enc_a", "gen")


class EMA:
    def __init__(self, nets: Dict[str, nn.Module], decay: float):
        self.decay = decay
        self.updates = 0
        self.nets = {name: copy.deepcopy(net).eval().requires_grad_(False) for name, net in nets.items()}

    @torch.no_grad()
    def update(self, nets: Dict[str, nn.Module]) -> None:
        self.updates += 1
        d = min(self.decay, (1.0 + self.updates) / (10.0 + self.updates))
        for name, shadow in self.nets.items():
            live = nets[name]
            for p_avg, p in zip(shadow.parameters(), live.parameters()):
                p_avg.lerp_(p.detach().to(p_avg.dtype), 1.0 - d)
            for b_avg, b in zip(shadow.buffers(), live.buffers()):
                b_avg.copy_(b)

    def copy_from(self, nets: Dict[str, nn.Module]) -> None:
        """Restart the average at the live weights (a run that had no EMA before)."""
        for name, shadow in self.nets.items():
            shadow.load_state_dict(nets[name].state_dict())

    def state_dict(self) -> Dict[str, Dict[str, torch.Tensor]]:
        return {name: net.state_dict() for name, net in self.nets.items()}

    def load_state_dict(self, state: Dict[str, Dict[str, torch.Tensor]], updates: int) -> None:
        for name, net in self.nets.items():
            net.load_state_dict(state[name])
        self.updates = updates
