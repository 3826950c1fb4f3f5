"""Independent reference for the src/image tests: runs the official DRIT pipeline steps with
PIL (9.4) + NumPy, exactly as the PyTorch code does them, on inputs written by the tests.

Usage: scripts/py src/image/pil_reference.py JOBS.json
JOBS.json = {"jobs": [{"id": ..., "op": ..., ...}, ...]}; writes each job's raw output to its
"out" path and a summary {"<id>": {...}} to JOBS.json + ".result.json".
Test-only; torchvision is not needed (its Resize/CenterCrop/ToTensor/Normalize arithmetic is
re-stated here in NumPy float32).
"""
import json
import sys

import numpy as np
from PIL import Image, ImageOps


def load_raw(job):
    w, h = job["size"]
    with open(job["raw"], "rb") as f:
        return Image.frombytes("RGB", (w, h), f.read())


def model_resize(img, size, mode):
    if mode == "square":
        return img.resize((size, size), Image.BICUBIC)
    # torchvision Resize(int): shorter side = size, long side = int(size * long / short)
    w, h = img.size
    if (w <= h and w == size) or (h <= w and h == size):
        return img
    if w < h:
        ow, oh = size, int(size * h / w)
    else:
        oh, ow = size, int(size * w / h)
    return img.resize((ow, oh), Image.BICUBIC)


def center_crop(arr, crop):
    h, w = arr.shape[:2]
    assert h >= crop and w >= crop
    top = int(round((h - crop) / 2.0))
    left = int(round((w - crop) / 2.0))
    return arr[top : top + crop, left : left + crop]


def run(job):
    op = job["op"]
    if op == "resize":
        img = load_raw(job).resize(tuple(job["to"]), Image.BICUBIC)
        open(job["out"], "wb").write(img.tobytes())
        return {"size": list(img.size)}
    if op == "model_resize":
        img = model_resize(load_raw(job), job["resize"], job["mode"])
        open(job["out"], "wb").write(img.tobytes())
        return {"size": list(img.size)}
    if op == "decode":
        try:
            with Image.open(job["src"]) as im:
                mode = im.mode
                # exif_transpose: the browsers' EXIF orientation policy (src/image/orientation.ts)
                rgb = (ImageOps.exif_transpose(im) if job.get("exif_transpose") else im).convert("RGB")
        except Exception as e:  # noqa: BLE001 - reported to the test
            return {"error": repr(e)}
        open(job["out"], "wb").write(rgb.tobytes())
        return {"size": list(rgb.size), "mode": mode}
    if op == "encode":
        img = load_raw(job)
        mode = job.get("mode", "RGB")
        if mode == "P":
            img = img.quantize(colors=job.get("colors", 64))
        elif mode != "RGB":
            img = img.convert(mode)
        kw = dict(job.get("options", {}))
        if "orientation" in job:
            exif = Image.Exif()
            exif[0x0112] = job["orientation"]
            kw["exif"] = exif.tobytes()
        img.save(job["out"], job["format"], **kw)
        return {"mode": img.mode}
    if op == "preprocess":
        img = model_resize(load_raw(job), job["resize"], job["mode"])
        arr = center_crop(np.asarray(img), job["crop"])
        t = arr.astype(np.float32) / np.float32(255)  # ToTensor: float().div(255)
        mean = np.asarray(job["mean"], dtype=np.float32)
        std = np.asarray(job["std"], dtype=np.float32)
        t = (t - mean) / std  # Normalize: sub_(mean).div_(std), float32
        if job["channels"] == 1:  # DRIT dataset.py, on the normalised values
            t = t[..., 0] * 0.299 + t[..., 1] * 0.587 + t[..., 2] * 0.114
        t = np.ascontiguousarray(t, dtype=np.float32)
        open(job["out"], "wb").write(t.tobytes())
        return {"shape": list(t.shape)}
    if op == "postprocess":
        h, w, c = job["shape"]
        img = np.fromfile(job["raw"], dtype=np.float32).reshape(h, w, c)
        if c == 1:
            img = np.tile(img, (1, 1, 3))
        u8 = ((img + 1) / 2.0 * 255.0).astype(np.uint8)  # saver.tensor2img
        open(job["out"], "wb").write(u8.tobytes())
        return {}
    if op == "shorter_side_sizes":
        out = []
        for w, h in job["sizes"]:
            s = job["resize"]
            out.append([s, int(s * h / w)] if w < h else [int(s * w / h), s])
        return {"sizes": out}
    raise ValueError(f"unknown op {op}")


def main():
    path = sys.argv[1]
    with open(path) as f:
        jobs = json.load(f)["jobs"]
    results = {job["id"]: run(job) for job in jobs}
    with open(path + ".result.json", "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
