#!/usr/bin/env python3
"""Train DRIT / DRIT++ (spec §6). Single process (CPU or one GPU) or torchrun (multi-GPU / multi-process).

    scripts/py training/train.py --preset cpu-small --name cat2dog_cpu --time-budget-min 75
    torchrun --nproc_per_node 8 training/train.py --preset official --name cat2dog_gpu

Outputs under <result_dir>/<name>/: config.json, losses.csv, loss_curve.png, samples/*.png,
checkpoints/latest.pth (+ %05d.pth every --model_save_freq epochs), run_info.json.
See docs/training.md.
"""
from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

from trainer import checkpoint as ckpt_io  # noqa: E402
from trainer.config import TrainConfig, parse_config  # noqa: E402
from trainer.data import UnpairedDataset, list_images, split_files, eval_tensor  # noqa: E402
from trainer.model import DRIT, NET_NAMES, dist_ready  # noqa: E402
from trainer.viz import CsvLog, Progress, image_grid, plot_losses  # noqa: E402


def hardware_string(device: torch.device) -> str:
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} x{dist.get_world_size() if dist_ready() else 1}"
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    procs = dist.get_world_size() if dist_ready() else 1
    return f"CPU {cpu}, {torch.get_num_threads()} thread(s) x {procs} process(es)"


def setup_distributed(cfg: TrainConfig):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    want_cuda = cfg.device == "cuda" or (cfg.device == "auto" and torch.cuda.is_available())
    if want_cuda:
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, timeout=timedelta(minutes=30))
    return rank, world, device


class Trainer:
    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg
        if cfg.threads > 0:
            torch.set_num_threads(cfg.threads)
        self.rank, self.world, self.device = setup_distributed(cfg)
        self.main = self.rank == 0
        self.run_dir = cfg.run_dir()
        if self.main:
            (self.run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
            (self.run_dir / "samples").mkdir(parents=True, exist_ok=True)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        torch.manual_seed(cfg.seed * 1000 + self.rank)
        random.seed(cfg.seed * 1000 + self.rank)
        np.random.seed(cfg.seed * 1000 + self.rank)

        root = Path(cfg.dataroot)
        self.dir_a, self.dir_b = root / f"{cfg.phase}A", root / f"{cfg.phase}B"
        self.dataset = UnpairedDataset(self.dir_a, self.dir_b, cfg.resize_size, cfg.crop_size, train=True,
                                       no_flip=cfg.no_flip, holdout=cfg.holdout, split_seed=cfg.split_seed,
                                       log=self.log, quiet=not self.main, seed=cfg.seed * 1000 + self.rank)
        self.sampler = None
        if self.world > 1:
            self.sampler = torch.utils.data.distributed.DistributedSampler(
                self.dataset, num_replicas=self.world, rank=self.rank, shuffle=True, seed=cfg.seed, drop_last=True)
        self.loader = torch.utils.data.DataLoader(
            self.dataset, batch_size=cfg.batch_size, shuffle=self.sampler is None, sampler=self.sampler,
            num_workers=cfg.num_workers, drop_last=True, pin_memory=self.device.type == "cuda",
            worker_init_fn=_worker_init, persistent_workers=cfg.num_workers > 0)
        if len(self.loader) == 0:
            raise RuntimeError(f"not enough images for one batch of {cfg.batch_size} per process")

        self.model = DRIT(cfg, self.device)
        self.ep0, self.total_it = -1, 0
        self.prev_wall_s = 0.0
        resume = cfg.resume
        if resume == "auto":
            latest = self.run_dir / "checkpoints" / "latest.pth"
            resume = str(latest) if latest.exists() else None
        if resume:
            ck = ckpt_io.load(resume)
            self.ep0, self.total_it = self.model.load_state_dict(ck, train=True)
            self.log(f"resumed from {resume}: ep {self.ep0}, total_it {self.total_it}")
            info = self.run_dir / "run_info.json"
            if info.exists():
                self.prev_wall_s = float(json.loads(info.read_text()).get("wall_time_s", 0.0))
        else:
            self.model.initialize()
        self.model.broadcast_parameters()
        self.model.set_scheduler(last_ep=self.ep0)
        self.csv = CsvLog(self.run_dir / "losses.csv") if self.main else None
        if self.main:
            (self.run_dir / "config.json").write_text(cfg.to_json())
        self._display = self._display_batch() if self.main else None

    # ------------------------------------------------------------------ utils
    def log(self, msg: str) -> None:
        if getattr(self, "main", True):
            print(msg, flush=True)

    def _display_batch(self):
        """4 fixed (centre-cropped) training images per domain and fixed z for sample grids."""
        fa = split_files(list_images(self.dir_a), self.cfg.holdout, self.cfg.split_seed)[0]
        fb = split_files(list_images(self.dir_b), self.cfg.holdout, self.cfg.split_seed)[0]
        def pick(files):
            out = []
            for f in files:
                try:
                    out.append(eval_tensor(f, self.cfg.resize_size, self.cfg.crop_size))
                except Exception:  # noqa: BLE001 - unreadable, already reported
                    continue
                if len(out) == 4:
                    break
            return torch.cat(out, 0)
        g = torch.Generator().manual_seed(1234)
        return pick(fa), pick(fb), torch.randn(4, self.cfg.nz, generator=g)

    @torch.no_grad()
    def write_samples(self, tag: str) -> Path:
        m = self.model
        m.set_train(False)
        xa, xb, z = self._display
        dev = self.device
        rows, labels = [], []
        for x, enc, gen_other, gen_same, enc_attr in (
                (xa, m.enc_c.forward_a, m.gen.forward_b, m.gen.forward_a, "a"),
                (xb, m.enc_c.forward_b, m.gen.forward_a, m.gen.forward_b, "b")):
            for i in range(x.shape[0]):
                xi = m._prep(x[i:i + 1])  # noqa: SLF001
                c = enc(xi).float()
                zs = z.to(dev)
                outs = gen_other(c.expand(zs.shape[0], *c.shape[1:]).contiguous(), zs).float()
                za = ckpt_io.attribute(m.enc_a, xi, enc_attr, self.cfg.concat).float()
                rec = gen_same(c, za).float()
                rows.append([x[i], rec[0]] + [o for o in outs])
                labels.append("A>B" if enc_attr == "a" else "B>A")
        m.set_train(True)
        path = self.run_dir / "samples" / f"{tag}.png"
        image_grid(rows, row_labels=labels, col_labels=["input", "recon"] + [f"z{j}" for j in range(z.shape[0])]).save(path)
        return path

    def save(self, ep: int, numbered: bool = False) -> None:
        if self.main:
            ck = self.model.state_dict(ep, self.total_it)
            ckpt_io.save(ck, self.run_dir / "checkpoints" / "latest.pth")
            if numbered:
                ckpt_io.save(ck, self.run_dir / "checkpoints" / f"{ep:05d}.pth")
            self.write_info(ep)
            try:
                plot_losses(self.run_dir / "losses.csv", self.run_dir / "loss_curve.png")
            except Exception as e:  # noqa: BLE001 - a figure must never kill a run
                self.log(f"warning: loss plot failed: {e}")
        if dist_ready():
            dist.barrier()

    def write_info(self, ep: int) -> None:
        wall = self.prev_wall_s + (time.time() - self.t_start)
        its = self.total_it - self.it_start
        info = {
            "ep": ep, "total_it": self.total_it, "wall_time_s": round(wall, 1),
            "session_it_per_s": round(its / max(1e-9, time.time() - self.t_start), 4),
            "hardware": hardware_string(self.device), "world_size": self.world,
            "torch": torch.__version__, "amp": str(self.model.amp_dtype), "channels_last": self.model.channels_last,
            "train_images": {"a": self.dataset.a_size, "b": self.dataset.b_size},
            "final_losses": {k: round(v, 5) for k, v in self.model.losses.items()},
            "lr": self.model.gen_opt.param_groups[0]["lr"],
        }
        (self.run_dir / "run_info.json").write_text(json.dumps(info, indent=2))

    def _should_stop(self) -> bool:
        cfg = self.cfg
        stop = self.total_it >= cfg.max_it
        if cfg.time_budget_min > 0 and (time.time() - self.t_start) / 60.0 >= cfg.time_budget_min:
            stop = True
        if dist_ready():  # every rank must agree (the collectives must stay in step)
            t = torch.tensor([1.0 if stop else 0.0], device=self.device)
            dist.all_reduce(t, op=dist.ReduceOp.MAX)
            stop = bool(t.item() > 0)
        return stop

    def check_replicas(self) -> None:
        """All ranks must hold bit-identical parameters and optimiser moments (data-parallel invariant)."""
        vals = []
        for name in NET_NAMES:
            for p in getattr(self.model, name).parameters():
                vals.append(p.detach().double().sum())
                vals.append(p.detach().double().abs().sum())
        mine = torch.stack(vals).to(self.device)
        gathered = [torch.zeros_like(mine) for _ in range(self.world)]
        dist.all_gather(gathered, mine)
        if self.main:
            same = all(torch.equal(gathered[0], g) for g in gathered[1:])
            if not same:
                raise RuntimeError("replicas diverged across processes")
            self.log(f"replicas identical across {self.world} processes ({mine.numel()} checksums)")

    # ------------------------------------------------------------------ loop
    def train(self) -> int:
        cfg, m = self.cfg, self.model
        self.t_start = time.time()
        self.it_start = self.total_it
        last_save = time.time()
        ep_start = self.ep0 + 1
        n_batches = len(self.loader)
        full_per_ep = sum(1 for it in range(n_batches) if not ((it + 1) % cfg.d_iter != 0 and it < n_batches - 2))
        total_target = min(cfg.max_it, self.total_it + full_per_ep * max(0, cfg.n_ep - ep_start))
        self.log(f"start training at epoch {ep_start} (total_it {self.total_it}); {n_batches} batches/epoch/process, "
                 f"{full_per_ep} full iterations/epoch; world {self.world}; device {self.device}; "
                 f"amp {m.amp_dtype}; channels_last {m.channels_last}; "
                 f"train images A {self.dataset.a_size} B {self.dataset.b_size}")
        bar = Progress(total_target, self.total_it, cfg.progress if self.main else "off", cfg.print_freq)
        stopped = False
        ep = ep_start - 1
        for ep in range(ep_start, cfg.n_ep):
            if self.sampler is not None:
                self.sampler.set_epoch(ep)
            self.dataset.reseed((cfg.seed * 1000 + self.rank) * 100003 + ep)
            t_ep = time.time()
            for it, (images_a, images_b) in enumerate(self.loader):
                if images_a.size(0) != cfg.batch_size or images_b.size(0) != cfg.batch_size:
                    continue
                if (it + 1) % cfg.d_iter != 0 and it < n_batches - 2:
                    m.update_D_content(images_a, images_b)
                    continue
                m.update_D(images_a, images_b)
                m.update_EG()
                self.total_it += 1
                if self.main:
                    row = {"total_it": self.total_it, "ep": ep, "it": it,
                           "time_s": round(self.prev_wall_s + time.time() - self.t_start, 2),
                           "lr": m.gen_opt.param_groups[0]["lr"]}
                    row.update({k: round(v, 6) for k, v in m.losses.items()})
                    self.csv.write(row)
                    bar.update(self.total_it, f"ep {ep} D {m.losses['disA']:.3f}/{m.losses['disB']:.3f} "
                                              f"EG {m.losses['loss_EG']:.3f} G2 {m.losses['loss_G2']:.3f}")
                    if cfg.img_save_freq and self.total_it % cfg.img_save_freq == 0:
                        self.write_samples(f"it{self.total_it:06d}")
                if self._should_stop():
                    stopped = True
                    break
                if cfg.save_every_min > 0 and time.time() - last_save > cfg.save_every_min * 60:
                    self.save(ep - 1)  # mid-epoch: ep = last completed epoch (resume redoes this one)
                    last_save = time.time()
            if stopped:
                break
            if cfg.n_ep_decay > -1:
                m.update_lr()
            numbered = (ep + 1) % cfg.model_save_freq == 0
            self.save(ep, numbered=numbered)
            last_save = time.time()
            if self.main and bar.mode != "bar":
                self.log(f"epoch {ep} done in {time.time() - t_ep:.1f} s; total_it {self.total_it}; "
                         f"lr {m.gen_opt.param_groups[0]['lr']:.3g}")
        bar.close()
        if stopped:
            self.save(ep - 1)
            reason = "max_it" if self.total_it >= cfg.max_it else "time budget"
            self.log(f"stopped ({reason}) in epoch {ep} at total_it {self.total_it}; latest.pth stores ep {ep - 1}")
        if cfg.check_replicas and dist_ready():
            self.check_replicas()
        if self.main:
            if cfg.img_save_freq:
                self.write_samples("final")
            self.write_info(ep if not stopped else ep - 1)
        return self.total_it


def _worker_init(worker_id: int) -> None:
    info = torch.utils.data.get_worker_info()
    info.dataset.reseed(torch.initial_seed() % 2 ** 32)


def main(argv=None) -> int:
    cfg = parse_config(argv)
    trainer = Trainer(cfg)
    try:
        trainer.train()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
