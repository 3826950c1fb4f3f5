"""Train DRIT / DRIT++ (docs/drit-reference.md §6). Single process (CPU or one GPU) or torchrun
(multi-GPU / multi-process).

    scripts/py -m training.train --preset cpu-small --name cat2dog_cpu --time-budget-min 75
    torchrun --nproc_per_node 8 -m training.train --preset official --name cat2dog_gpu

Outputs under <result_dir>/<name>/: config.json, losses.csv, loss_curve.png, samples/*.png,
checkpoints/latest.pth (+ ema.pth with --ema, %05d.pth every --model_save_freq epochs), run_info.json.
One checkpoint format: the official one; training.tools.keep_run makes the compact copy that the
repository keeps, and --resume takes either.
See docs/training.md.
"""
from __future__ import annotations

import json
import os
import platform
import random
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from training.trainer import checkpoint as ckpt_io
from training.trainer import compact
from training.trainer.config import TrainConfig, parse_config
from training.trainer.data import UnpairedDataset, list_images, split_files, eval_tensor
from training.trainer.ema import EMA_NETS
from training.trainer.model import DRIT, NET_NAMES, dist_ready
from training.trainer.viz import CsvLog, Progress, image_grid, plot_losses


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


def busy_cores() -> float:
    """Runnable work on the machine besides us, from the 1-minute load average (0 when unknown)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def choose_threads(cfg: TrainConfig, device: torch.device, log) -> int:
    """--threads, or automatically all cores (then ThreadGovernor adapts them while training)."""
    cores = os.cpu_count() or 1
    if device.type != "cpu":
        return cfg.threads if cfg.threads > 0 else torch.get_num_threads()
    load = busy_cores()
    n = cfg.threads if cfg.threads > 0 else cores
    if cfg.threads > 1 and load >= 0.5:
        log(f"warning: the machine is busy (load {load:.1f} on {cores} cores); {n} fixed training threads will "
            f"contend with it: --threads 0 adapts the thread count to the other work")
    return n


class ThreadGovernor:
    """Adapts torch's CPU threads to what the rest of the machine uses, once per iteration.

    Measured on 2 cores (docs/experiments.md, "CPU throughput"): idle, 2 threads run 1.7x faster
    than 1; beside one busy process, 2 threads run 1.5x *slower* than 1 (every barrier waits for
    the descheduled thread).
    Other processes' CPU use = machine busy time (/proc/stat) - this process's CPU time, over the
    last iteration; above half a core -> 1 thread, below a quarter -> all cores."""

    def __init__(self, max_threads: int, log):
        self.max, self.log = max_threads, log
        self.hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.last = self._sample()
        self.switches = 0

    @staticmethod
    def _machine_busy_jiffies() -> int:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v) - v[3] - (v[4] if len(v) > 4 else 0)  # all but idle and iowait

    def _sample(self):
        try:
            return time.monotonic(), self._machine_busy_jiffies(), time.process_time()
        except (OSError, ValueError, IndexError):
            return None

    def others_cores(self) -> float:
        now = self._sample()
        if now is None or self.last is None:
            return 0.0
        (t0, b0, p0), (t1, b1, p1) = self.last, now
        self.last = now
        dt = t1 - t0
        return max(0.0, ((b1 - b0) / self.hz - (p1 - p0)) / dt) if dt > 0 else 0.0

    def tick(self) -> None:
        others = self.others_cores()
        cur = torch.get_num_threads()
        want = 1 if others > 0.5 else self.max if others < 0.25 else cur
        if want != cur:
            torch.set_num_threads(want)
            self.switches += 1
            if self.switches <= 20 or self.switches % 100 == 0:
                self.log(f"threads {cur} -> {want} (other processes use {others:.2f} cores)")


def check_dataroot(root: Path, phase: str) -> None:
    missing = [str(root / f"{phase}{d}") for d in ("A", "B") if not (root / f"{phase}{d}").is_dir()]
    if missing:
        raise SystemExit(
            f"error: training images not found: {', '.join(missing)}\n"
            "The cat2dog images come from the DRIT authors' repository (github.com/HsinYingLee/DRIT, "
            "datasets/cat2dog, for research use): download and unpack it, then pass "
            "--dataroot <folder that holds trainA/ (cats) and trainB/ (dogs)>. See docs/training.md.")


class Trainer:
    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg
        self.rank, self.world, self.device = setup_distributed(cfg)
        torch.set_num_threads(choose_threads(cfg, self.device, self.log))
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
        check_dataroot(root, cfg.phase)
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
        # cumulative over every resume: wall seconds, process CPU seconds, images seen per domain
        self.prev = {"wall_s": 0.0, "cpu_s": 0.0, "images": 0}
        resume = cfg.resume
        if resume == "auto":
            latest = self.run_dir / "checkpoints" / "latest.pth"
            resume = str(latest) if latest.exists() else None
        if resume:
            self._resume(resume)
        else:
            self.model.initialize()
        if cfg.init_from:
            self._init_from(cfg.init_from)
        self.model.total_it = self.total_it
        self.model.broadcast_parameters()
        self.model.set_scheduler(last_ep=self.ep0)
        self.csv = CsvLog(self.run_dir / "losses.csv") if self.main else None
        if self.main:
            (self.run_dir / "config.json").write_text(cfg.to_json())
        self._display = self._display_batch() if self.main else None

    def _resume(self, path: str) -> None:
        m = self.model
        small = compact.read_resume(path)
        if small is not None:  # the committed compact checkpoint (trainer/compact.py)
            c = small["counters"]
            m.check_activation(compact.enc_a_activation(small))
            # a critic the checkpoint lacks (a branch that adds --critic) starts fresh
            names = [n for n in m.net_names if n in NET_NAMES or n in small["weights"]]
            nets = {n: getattr(m, n) for n in names}
            opts = {n: getattr(m, n + "_opt") for n in names}
            has_ema = compact.apply_resume(small, nets, opts, m.ema.nets if m.ema else None)
            fresh = [n for n in m.net_names if n not in names]
            if fresh:
                self.log(f"not in the checkpoint, starting fresh: {', '.join(fresh)}")
            if m.ema is not None and not has_ema:
                m.restart_ema()
            self.ep0, self.total_it = int(c["ep"]), int(c["total_it"])
            self.prev = {"wall_s": float(c["wall_s"]), "cpu_s": float(c["cpu_s"]), "images": int(c["images"])}
            if m.ema is not None:
                m.ema.updates = int(c.get("ema_updates", self.total_it))
            self.log(f"resumed from compact checkpoint {path}: ep {self.ep0}, total_it {self.total_it}, "
                     f"EMA {'restored' if has_ema else 'restarted'}")
            return
        ck = ckpt_io.load(path)
        self.ep0, self.total_it = m.load_state_dict(ck, train=True)
        ema_path = Path(path).with_name("ema.pth")
        if m.ema is not None:
            if ema_path.exists():
                e = ckpt_io.load(ema_path)
                m.ema.load_state_dict({n: e[n] for n in EMA_NETS}, updates=int(e.get("ema_updates", e["total_it"])))
            else:
                m.restart_ema()
        self.log(f"resumed from {path}: ep {self.ep0}, total_it {self.total_it}")
        # the cumulative counters: those of the checkpoint's own run when written with it (<run>/checkpoints/
        # latest.pth -> <run>/run_info.json, what keep_run puts into the compact file), else this run's
        own, here = Path(path).resolve().parent.parent / "run_info.json", self.run_dir / "run_info.json"
        for info in (own, here):
            d = json.loads(info.read_text()) if info.exists() else None
            if d is not None and (info is here or int(d.get("total_it", -1)) == self.total_it):
                self.prev = {"wall_s": float(d.get("wall_time_s", 0.0)), "cpu_s": float(d.get("cpu_time_s", 0.0)),
                             "images": int(d.get("images_seen", 0))}
                break

    def _init_from(self, path: str) -> None:
        """Warm start: copy every network whose keys and shapes match from another run's checkpoint
        (official or compact); optimisers, counters and the rest start fresh."""
        m = self.model
        small = compact.read_resume(path)
        src = ({n: {k: v.float() if v.is_floating_point() else v for k, v in sd.items()} for n, sd in small["weights"].items()}
               if small is not None else ckpt_io.load(path))
        m.check_activation(compact.enc_a_activation(small) if small is not None else ckpt_io.enc_a_activation(src))
        copied, kept = [], []
        for n in NET_NAMES:
            net = getattr(m, n)
            mine = net.state_dict()
            theirs = src.get(n)
            if isinstance(theirs, dict) and set(theirs) == set(mine) and all(theirs[k].shape == mine[k].shape for k in mine):
                net.load_state_dict(theirs)
                copied.append(n)
            else:
                kept.append(n)
        if not {"enc_c", "enc_a", "gen"} <= set(copied):
            raise SystemExit(f"error: --init-from {path}: E_c, E_a and G must match this run's widths (copied: {copied})")
        m.restart_ema()
        self.log(f"initialised from {path}: copied {', '.join(copied)}; fresh {', '.join(kept) or 'none'}")

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
        # the EMA weights when the run keeps them: those are the ones that ship
        enc_c, enc_a, gen = (m.ema.nets[n] for n in EMA_NETS) if m.ema else (m.enc_c, m.enc_a, m.gen)
        for x, enc, gen_other, gen_same, enc_attr in (
                (xa, enc_c.forward_a, gen.forward_b, gen.forward_a, "a"),
                (xb, enc_c.forward_b, gen.forward_a, gen.forward_b, "b")):
            for i in range(x.shape[0]):
                xi = m._prep(x[i:i + 1])  # noqa: SLF001
                c = enc(xi).float()
                zs = z.to(dev)
                outs = gen_other(c.expand(zs.shape[0], *c.shape[1:]).contiguous(), zs).float()
                za = ckpt_io.attribute(enc_a, xi, enc_attr, self.cfg.concat).float()
                rec = gen_same(c, za).float()
                rows.append([x[i], rec[0]] + [o for o in outs])
                labels.append("A>B" if enc_attr == "a" else "B>A")
        m.set_train(True)
        path = self.run_dir / "samples" / f"{tag}.png"
        image_grid(rows, row_labels=labels, col_labels=["input", "recon"] + [f"z{j}" for j in range(z.shape[0])]).save(path)
        return path

    def counters(self, ep: int) -> dict:
        return {"ep": ep, "total_it": self.total_it,
                "wall_s": round(self.prev["wall_s"] + time.time() - self.t_start, 1),
                "cpu_s": round(self.prev["cpu_s"] + time.process_time() - self.cpu_start, 1),
                "images": self.prev["images"] + self.images,
                "ema_updates": self.model.ema.updates if self.model.ema else 0}

    def save(self, ep: int, numbered: bool = False) -> None:
        if self.main:
            m = self.model
            ck = m.state_dict(ep, self.total_it)
            ckpt_io.save(ck, self.run_dir / "checkpoints" / "latest.pth")
            if numbered:
                ckpt_io.save(ck, self.run_dir / "checkpoints" / f"{ep:05d}.pth")
            if m.ema is not None:  # the EMA weights in the official key names: what evaluate/convert read
                ema = {n: {k: v.detach().cpu().contiguous() for k, v in sd.items()} for n, sd in m.ema.state_dict().items()}
                ckpt_io.save({**ema, "ep": ep, "total_it": self.total_it, "ema_updates": m.ema.updates,
                              **ckpt_io.arch_entry(self.cfg.ea_activation)},
                             self.run_dir / "checkpoints" / "ema.pth")
            self.write_info(ep)
            try:
                plot_losses(self.run_dir / "losses.csv", self.run_dir / "loss_curve.png")
            except Exception as e:  # noqa: BLE001 - a figure must never kill a run
                self.log(f"warning: loss plot failed: {e}")
        if dist_ready():
            dist.barrier()

    def write_info(self, ep: int) -> None:
        c = self.counters(ep)
        its = self.total_it - self.it_start
        info = {
            "ep": ep, "total_it": self.total_it, "wall_time_s": c["wall_s"], "cpu_time_s": c["cpu_s"],
            "cpu_hours": round(c["cpu_s"] / 3600.0, 3), "images_seen": c["images"],
            "session_it_per_s": round(its / max(1e-9, time.time() - self.t_start), 4),
            "threads": torch.get_num_threads(),
            "hardware": hardware_string(self.device), "world_size": self.world,
            "torch": torch.__version__, "amp": str(self.model.amp_dtype), "channels_last": self.model.channels_last,
            "train_images": {"a": self.dataset.a_size, "b": self.dataset.b_size},
            "final_losses": {k: round(v, 5) for k, v in self.model.losses.items()},
            "lr": self.model.gen_opt.param_groups[0]["lr"],
        }
        (self.run_dir / "run_info.json").write_text(json.dumps(info, indent=2))

    def _on_signal(self, signum, frame) -> None:  # noqa: ARG002
        self.log(f"signal {signal.Signals(signum).name}: stopping after this iteration with a checkpoint")
        self.interrupted = True

    def _should_stop(self) -> bool:
        cfg = self.cfg
        stop = self.total_it >= cfg.max_it or self.interrupted
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
        for name in self.model.net_names:
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
        self.cpu_start = time.process_time()
        # SIGTERM / SIGINT (a machine shutting down, Ctrl+C): finish the iteration, checkpoint, exit cleanly
        self.interrupted = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        self.images = 0  # images per domain drawn by this process (every batch, content-only steps too)
        self.governor = (ThreadGovernor(torch.get_num_threads(), self.log)
                         if self.device.type == "cpu" and cfg.threads == 0 and torch.get_num_threads() > 1 else None)
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
                self.images += images_a.size(0) * self.world
                if (it + 1) % cfg.d_iter != 0 and it < n_batches - 2:
                    m.update_D_content(images_a, images_b)
                    continue
                m.update_D(images_a, images_b)
                m.update_EG()
                self.total_it += 1
                m.total_it = self.total_it
                if self.governor is not None:
                    self.governor.tick()
                if self.main:
                    row = {"total_it": self.total_it, "ep": ep, "it": it,
                           "time_s": round(self.prev["wall_s"] + time.time() - self.t_start, 2),
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
            reason = "max_it" if self.total_it >= cfg.max_it else "signal" if self.interrupted else "time budget"
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
