"""Training options (the official ``options.py`` names where they exist, plus width/run knobs)."""
from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional


@dataclass
class TrainConfig:
    # data
    dataroot: str = "../shared/datasets/cat2dog"
    phase: str = "train"                 # folders <dataroot>/<phase>A and <phase>B
    input_dim_a: int = 3
    input_dim_b: int = 3
    resize_size: int = 256
    crop_size: int = 216
    no_flip: bool = False
    holdout: float = 0.0                 # fraction of each domain held out for evaluate.py
    split_seed: int = 0
    num_workers: int = 0
    # model
    concat: int = 0                      # 0: E_attr + G (recommended for cat<->dog); 1: E_attr_concat + G_concat
    nz: int = 8
    enc_c_base: int = 64                 # E_content base width; content code has 4x channels (official 64 -> 256)
    enc_a_base: int = 64                 # E_attr base width (concat=0)
    enc_a_ndf: int = 64                  # E_attr_concat ndf (concat=1)
    dis_ch: int = 64                     # first-layer width of the image discriminators
    dis_scale: int = 3
    dis_n_layer: int = 4
    dis_spectral_norm: bool = False
    dis_content: str = "auto"            # auto | official | small (see trainer/discriminators.py)
    no_ms: bool = False                  # disable mode seeking (DRIT++)
    ms_start: int = 0                    # mode seeking weight is 0 before this total_it ...
    ms_warmup: int = 0                   # ... then ramps linearly to lambda_ms over this many iterations
    # CPU-scale recipe (docs/training.md "The CPU recipe"); the defaults are the original's
    diffaug: str = ""                    # DiffAugment policy for the image discriminators: color,translation,cutout
    coat_jitter: float = 0.0             # share of E_c's real inputs recoloured (hue, saturation, greyscale):
                                         # content codes that do not depend on coat colour (trainer/augment.py)
    gan_loss: str = "bce"                # bce (original) | lsgan | hinge, image discriminators
    critic: str = ""                     # "" (off) | pretrained: an extra critic per domain on nsfwjs's frozen
                                         # MobileNetV2 features (trainer/projected.py), same gan_loss
    lambda_critic: float = 1.0           # weight of the critics' adversarial term for E/G
    critic_input: str = "unit"           # the critic trunk's input range: unit [0, 1] (nsfwjs) | symmetric [-1, 1]
    ema: float = 0.0                     # EMA decay of E_c, E_a, G (0 = off); written to checkpoints/ema.pth
    latent_ea: bool = False              # latent regression also trains E_a (not in the original, where it
                                         # updates E_c and G only): an attribute-encoder-collapse fix to A/B
    ea_activation: str = "relu"           # E_a's activation: relu (original) | leakyrelu (slope 0.2: its units
                                         # cannot die; carried in the checkpoint's "arch" entry and the pack)
    # optimisation (official constants)
    lr: float = 1e-4
    lr_dis_content: float = 1e-4 / 2.5
    beta1: float = 0.5
    beta2: float = 0.999
    weight_decay: float = 1e-4
    batch_size: int = 2                  # per process; sample 0 "encoded", samples 1.. "random"
    d_iter: int = 3
    lr_policy: str = "lambda"            # lambda | step
    n_ep: int = 1200
    n_ep_decay: int = 600
    max_it: int = 500000
    # loss weights (official values)
    lambda_rec: float = 10.0
    lambda_cc: float = 10.0
    lambda_kl: float = 0.01
    lambda_kl_content: float = 0.01
    lambda_latent: float = 10.0
    lambda_ms: float = 1.0
    # run control
    name: str = "trial"
    result_dir: str = "training/runs"
    resume: Optional[str] = None         # checkpoint path (official or compact resume.pt), or "auto" = <run>/checkpoints/latest.pth
    init_from: Optional[str] = None      # warm start: copy matching networks from this checkpoint, fresh optimisers
    model_save_freq: int = 10            # epochs between numbered checkpoints (latest.pth every epoch)
    save_every_min: float = 10.0         # also refresh latest.pth mid-epoch this often (0 = off)
    img_save_freq: int = 200             # EG iterations between sample grids (0 = off)
    print_freq: int = 10                 # EG iterations between progress lines
    time_budget_min: float = 0.0         # stop (and checkpoint) after this many minutes; 0 = none
    seed: int = 0
    threads: int = 0                     # CPU threads (0 = auto: all cores, down to 1 while other processes are busy)
    device: str = "auto"                 # auto | cpu | cuda
    amp: str = "auto"                    # auto (bf16 on CUDA) | bf16 | off
    channels_last: str = "auto"          # auto (on CUDA) | on | off
    progress: str = "auto"               # auto (bar on a tty, lines otherwise) | bar | lines | off
    check_replicas: bool = False         # multi-process: verify at the end that all replicas are identical

    def run_dir(self) -> Path:
        return Path(self.result_dir) / self.name

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """Unknown keys are ignored: a run's config.json may name options since removed (their A/B
        results are in docs/experiments.md)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def _str2bool(v: str) -> bool:
    if isinstance(v, bool):
        return v
    if v.lower() in ("1", "true", "yes", "on"):
        return True
    if v.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected a boolean, got {v!r}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Train DRIT / DRIT++ (cat <-> dog by default). Single process, or torchrun for multi-GPU.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    defaults = TrainConfig()
    for f in dataclasses.fields(TrainConfig):
        default = getattr(defaults, f.name)
        flag = "--" + f.name
        alt = "--" + f.name.replace("_", "-")
        names = [flag] if alt == flag else [flag, alt]
        if isinstance(default, bool):
            p.add_argument(*names, dest=f.name, nargs="?", const=True, default=default, type=_str2bool)
        elif f.name in ("resume", "init_from"):
            p.add_argument(*names, dest=f.name, default=default)
        else:
            p.add_argument(*names, dest=f.name, default=default, type=type(default))
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="start from a preset; explicit flags override it")
    return p


PRESETS = {
    # the paper's settings for cat<->dog (README: --concat 0), on a GPU
    "official": dict(concat=0, resize_size=256, crop_size=216, enc_c_base=64, enc_a_base=64, dis_ch=64,
                     n_ep=1200, n_ep_decay=600),
    # the owed GPU run for the shipped pack: paper resolution and schedule, widths cut so the
    # float16 pack stays under 30 MB (base 40: 12.4 M inference parameters, 23.6 MiB), with the
    # changes the CPU run's A/B tests support (DiffAugment, EMA, LeakyReLU E_a trained by latent
    # regression, half L1 weights; docs/training.md "The CPU recipe")
    "gpu-ship": dict(concat=0, resize_size=256, crop_size=216, enc_c_base=40, enc_a_base=40, dis_ch=64,
                     n_ep=1200, n_ep_decay=600, holdout=0.1, num_workers=4, img_save_freq=2000, print_freq=100,
                     diffaug="color,translation,cutout", ema=0.999, ms_warmup=500,
                     ea_activation="leakyrelu", latent_ea=True, lambda_rec=5.0, lambda_cc=5.0),
    # what a CPU can train in about an hour (narrow widths, 128 px)
    "cpu-small": dict(concat=0, resize_size=144, crop_size=128, enc_c_base=16, enc_a_base=16, dis_ch=16,
                      threads=1),
    # the long background CPU run (docs/training.md "The CPU recipe"): cpu-small widths, batch 8
    # split 4 encoded / 4 random, DiffAugment, EMA, mode seeking ramped in, constant lr, a LeakyReLU
    # E_a that latent regression also trains, half the L1 weights (self-reconstruction, cross-cycle);
    # the evidence for each is in docs/experiments.md
    "cpu-recipe": dict(concat=0, resize_size=144, crop_size=128, enc_c_base=16, enc_a_base=16, dis_ch=16,
                       batch_size=8, lr=2e-4, lr_dis_content=8e-5, diffaug="color,translation,cutout",
                       ema=0.999, ms_warmup=500, holdout=0.1, n_ep=100000, n_ep_decay=-1,
                       save_every_min=10, img_save_freq=250, ea_activation="leakyrelu", latent_ea=True,
                       lambda_rec=5.0, lambda_cc=5.0),
    # CI / smoke tests: tiny widths at 64 px
    "tiny": dict(concat=0, resize_size=72, crop_size=64, enc_c_base=4, enc_a_base=4, enc_a_ndf=4, dis_ch=4,
                 img_save_freq=0, print_freq=5, save_every_min=0),
}


def parse_config(argv=None) -> TrainConfig:
    """Flags over the preset over the dataclass defaults: the preset only changes argparse's own
    defaults, so any flag argparse accepts (also an abbreviation such as --print_fr) wins over it."""
    p = build_parser()
    known, _ = p.parse_known_args(argv)
    if known.preset:
        p.set_defaults(**PRESETS[known.preset])
    args = p.parse_args(argv)
    return TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)})
