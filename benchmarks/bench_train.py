"""Training throughput: the seed's loop against the project's trainer, side by side.

    python benchmarks/bench_train.py                     # full scale: 60,000-image epochs, 3 repetitions
    python benchmarks/bench_train.py --images 2048 --reps 1 --out /tmp/bench   # tiny (CI)

(a) seed: torchvision FashionMNIST with ToTensor through a DataLoader (batch 128, shuffled), the seed's
    model code (cvae_lib.modelling.reference), its summed BCE + KL loss, Adam;
(b) project: cvae_lib.training.train.train_epoch on in-memory tensors, same model math, batch and optimizer.
Each architecture runs one warm-up epoch per variant, then the variants alternate for --reps measured
epochs. Throughput is images per second over whole epochs; the fraction of the machine's bound divides
the achieved FLOP/s (FLOPs per training step counted by torch's FlopCounterMode) by a measured fp32
matrix-multiply rate.
"""
import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from torch.utils.data import DataLoader, Subset  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from cvae_lib.modelling import reference  # noqa: E402
from cvae_lib.base.config import TrainConfig  # noqa: E402
from cvae_lib.base.data import cache_root, load_fashion_mnist  # noqa: E402
from cvae_lib.modelling.losses import negative_elbo  # noqa: E402
from cvae_lib.modelling.models import build_model, one_hot, reparameterize  # noqa: E402
from cvae_lib.training.train import make_model_and_optimizer, train_epoch  # noqa: E402

SEED_MODELS = {"mlp": reference.CVAE, "conv": reference.ConvCVAE}


def matmul_gflops(n: int = 2048, seconds: float = 2.0) -> float:
    """Best fp32 matrix-multiply rate over a few timed bursts (the machine's practical bound)."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = 0.0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        for _ in range(4):
            torch.mm(a, b)
        best = max(best, 4 * 2 * n ** 3 / (time.perf_counter() - t0) / 1e9)
    return best


def flops_per_image(arch: str, batch: int = 128) -> float:
    model = build_model(arch)
    x, y = torch.rand(batch, 1, 28, 28), one_hot(torch.randint(0, 10, (batch,)))
    with FlopCounterMode(display=False) as counter:
        mu, log_var = model.encode(x, y)
        negative_elbo(model.decode_logits(reparameterize(mu, log_var), y), x, mu, log_var).total.backward()
    return counter.get_total_flops() / batch


def seed_epoch(model, optimizer, loader) -> None:
    model.train()
    for x, labels in loader:
        y = one_hot(labels)
        optimizer.zero_grad()
        recon, mu, log_var = model(x, y)
        loss = reference.seed_loss(recon, x, mu, log_var)
        loss.backward()
        optimizer.step()


def run(images: int, reps: int, architectures) -> pd.DataFrame:
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST
    data = load_fashion_mnist()  # verifies the files and fills the torchvision root the seed loop reads
    dataset = FashionMNIST(str(cache_root()), train=True, download=False, transform=transforms.ToTensor())
    loader = DataLoader(Subset(dataset, range(images)), batch_size=128, shuffle=True)
    x, labels = data.train_images[:images], data.train_labels[:images]
    rows = []
    for arch in architectures:
        torch.manual_seed(0)
        seed_model = SEED_MODELS[arch]()
        seed_opt = torch.optim.Adam(seed_model.parameters(), lr=1e-3)
        config = TrainConfig(architecture=arch, epochs=1, device="cpu")
        model, opt, log_sigma = make_model_and_optimizer(config, torch.device("cpu"))
        gens = torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)
        variants = {"seed loop": lambda: seed_epoch(seed_model, seed_opt, loader),
                    "project trainer": lambda: train_epoch(model, opt, x, labels, config, *gens, log_sigma)}
        for rep in range(reps + 1):  # rep 0 is the warm-up
            for variant, epoch in variants.items():
                t0 = time.perf_counter()
                epoch()
                seconds = time.perf_counter() - t0
                if rep:
                    rows.append({"architecture": arch, "variant": variant, "rep": rep, "images": images,
                                 "seconds": seconds, "images_per_s": images / seconds})
                print(f"{arch:4s} {variant:15s} rep {rep}: {images / seconds:8.0f} images/s", file=sys.stderr)
    return pd.DataFrame(rows)


def summarize(raw: pd.DataFrame, bound_gflops: float) -> pd.DataFrame:
    rows = []
    for arch, group in raw.groupby("architecture", sort=False):
        flops = flops_per_image(arch)
        med = {v: statistics.median(g["images_per_s"]) for v, g in group.groupby("variant")}
        for variant, ips in med.items():
            rows.append({"architecture": arch, "variant": variant, "median_images_per_s": ips,
                         "speedup_vs_seed": ips / med["seed loop"], "mflop_per_image": flops / 1e6,
                         "gflop_per_s": ips * flops / 1e9, "fraction_of_matmul_bound": ips * flops / 1e9 / bound_gflops})
    return pd.DataFrame(rows)


def plot(summary: pd.DataFrame, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    pivot = summary.pivot(index="architecture", columns="variant", values="median_images_per_s")
    pivot.plot.bar(ax=axes[0], rot=0)
    axes[0].set_ylabel("images / s (median)")
    axes[0].set_title("training throughput")
    frac = summary.pivot(index="architecture", columns="variant", values="fraction_of_matmul_bound")
    (100 * frac).plot.bar(ax=axes[1], rot=0, legend=False)
    axes[1].set_ylabel("% of fp32 matmul FLOP/s")
    axes[1].set_title("fraction of the machine's bound")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=60_000, help="images per measured epoch")
    parser.add_argument("--reps", type=int, default=3, help="measured epochs per variant, after one warm-up")
    parser.add_argument("--architectures", nargs="+", default=["mlp", "conv"])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "report" / "benchmarks"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bound = matmul_gflops()
    raw = run(args.images, args.reps, args.architectures)
    summary = summarize(raw, bound)
    raw.to_csv(out / "train_throughput_raw.csv", index=False)
    summary.to_csv(out / "train_throughput.csv", index=False)
    plot(summary, out / "train_throughput.png")
    command = "python benchmarks/bench_train.py" + "".join(
        f" --{k} {v}" for k, v in (("images", args.images), ("reps", args.reps)) if v != parser.get_default(k))
    meta = {"command": command, "matmul_gflops": bound, "torch": torch.__version__, "threads": torch.get_num_threads(),
            "machine": platform.platform(), "processor": platform.processor(), "date": time.strftime("%Y-%m-%d")}
    (out / "train_throughput.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(summary.round(3).to_string(index=False))
    print(f"fp32 matmul bound: {bound:.0f} GFLOP/s; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
