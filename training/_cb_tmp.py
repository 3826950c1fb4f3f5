import torch, glob, random, sys
from training.trainer import checkpoint as ckpt_io
from training.trainer.data import load_folder, crop_flip, to_tensor
torch.set_num_threads(1)
ec, ea, g, arch = ckpt_io.load_inference_nets(sys.argv[1])
rng = random.Random(0)
def load(d, n):
    imgs, _ = load_folder(sorted(glob.glob(f'../shared/datasets/cat2dog/{d}/*.jpg'))[-n:], 144, quiet=True)
    return torch.stack([to_tensor(crop_flip(a, 128, rng, train=False, flip=False)) for a in imgs])
def grid_energy(x):
    # share of the image's (mean-removed) spectral power at the period-2 frequencies (pi,0), (0,pi), (pi,pi):
    # what a stride-2 transposed-conv checkerboard puts there
    x = x.mean(1)  # luminance-ish
    x = x - x.mean((1, 2), keepdim=True)
    P = torch.fft.fft2(x).abs() ** 2
    h, w = x.shape[1:]
    nyq = P[:, h // 2, 0] + P[:, 0, w // 2] + P[:, h // 2, w // 2]
    return (nyq / P.sum((1, 2))).mean().item() * 1e4
cats, dogs = load('trainA', 48), load('trainB', 24)
torch.manual_seed(0)
with torch.no_grad():
    z = torch.randn(48, 8)
    c2d = g.forward_b(ec.forward_a(cats), z)
    d2c = g.forward_a(ec.forward_b(dogs), z[:24])
print(f'period-2 spectral power x1e4: real cats {grid_energy(cats):.2f}, real dogs {grid_energy(dogs):.2f}, cat->dog {grid_energy(c2d):.2f}, dog->cat {grid_energy(d2c):.2f}')
