"""VAE-GAN training speed against the seed trainer's, measured as ratios in one process.

    python benchmarks/bench_vaegan.py                        # 40 batches per measurement, 3 repetitions
    python benchmarks/bench_vaegan.py --batches 4 --reps 1 --out /tmp/bench   # tiny (CI)

For each backbone (mlp, conv) three trainers run one training step after another on the same batches,
alternating, after a warm-up: the seed's objective (cvae_lib.training.train.train_epoch, extension "none"), the VAE-GAN
as trained now, and the VAE-GAN with the discriminator's first layer on the concatenated [image, label
planes] input (Discriminator.forward_concatenated, the form it had before). Seconds per 60,000-image epoch
are medians over the repetitions; the ratios divide by the seed trainer's. FLOPs per training image
(torch's FlopCounterMode over one step) show what no implementation of the same losses can avoid.
"""
import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import TrainConfig  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.training.train import make_model_and_optimizer, train_epoch  # noqa: E402
from cvae_lib.modelling.vaegan import Discriminator  # noqa: E402

VARIANTS = ("seed trainer", "VAE-GAN", "VAE-GAN, concatenated input")


def trainer(arch: str, variant: str):
    """A function that trains one pass over the images it is given, with the variant's trainer."""
    extension, lr = ("none", 1e-3) if variant == "seed trainer" else ("vaegan", 3e-4)
    config = TrainConfig(architecture=arch, extension=extension, learning_rate=lr, device="cpu")
    model, optimizer, log_sigma = make_model_and_optimizer(config, torch.device("cpu"))
    if variant == "VAE-GAN, concatenated input":
        d = optimizer.discriminator
        d.forward = d.forward_concatenated
    gens = torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)
    return lambda x, y: train_epoch(model, optimizer, x, y, config, *gens, log_sigma)


def flops_per_image(arch: str, variant: str, x, y) -> float:
    step = trainer(arch, variant)
    with FlopCounterMode(display=False) as counter:
        step(x[:128], y[:128])
    return counter.get_total_flops() / 128


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=40, help="batches of 128 per measurement (default: 40)")
    parser.add_argument("--reps", type=int, default=3, help="measurements per trainer (default: 3)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "report" / "benchmarks"),
                        help="folder for vaegan_speed.json (default: report/benchmarks)")
    args = parser.parse_args(argv)
    data = load_fashion_mnist()
    n = 128 * args.batches
    x, y = data.train_images[:n], data.train_labels[:n]
    result = {"command": "python benchmarks/bench_vaegan.py" + "".join(
        f" --{k} {v}" for k, v in (("batches", args.batches), ("reps", args.reps)) if v != parser.get_default(k)),
        "torch": torch.__version__, "threads": torch.get_num_threads(), "processor": platform.processor(),
        "date": time.strftime("%Y-%m-%d"), "architectures": {}}
    for arch in ("mlp", "conv"):
        steps = {v: trainer(arch, v) for v in VARIANTS}
        for step in steps.values():
            step(x[:256], y[:256])  # warm-up
        seconds = {v: [] for v in VARIANTS}
        for _ in range(args.reps):
            for variant, step in steps.items():
                t0 = time.perf_counter()
                step(x, y)
                seconds[variant].append((time.perf_counter() - t0) / n * len(data.train_images))
        epoch = {v: statistics.median(s) for v, s in seconds.items()}
        flops = {v: flops_per_image(arch, v, x, y) for v in VARIANTS}
        result["architectures"][arch] = {
            "epoch_seconds": epoch, "ratio_to_seed": {v: epoch[v] / epoch["seed trainer"] for v in VARIANTS},
            "gflop_per_image": {v: f / 1e9 for v, f in flops.items()},
            "flop_ratio_to_seed": {v: flops[v] / flops["seed trainer"] for v in VARIANTS}}
        r = result["architectures"][arch]
        print(f"{arch}: " + ", ".join(f"{v} {epoch[v]:.1f} s/epoch ({r['ratio_to_seed'][v]:.1f}x, "
                                      f"{r['flop_ratio_to_seed'][v]:.1f}x the FLOPs)" for v in VARIANTS), flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "vaegan_speed.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
