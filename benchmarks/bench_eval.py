"""Evaluation time against training time, both measured in one run (the machine is shared and noisy).

    python benchmarks/bench_eval.py                      # full scale: IWAE k=1000 on all 10,000 test images
    python benchmarks/bench_eval.py --k 10 --test-images 100 --train-images 1024 --out /tmp/bench   # tiny (CI)

For each trained run (default: report/runs/mlp-s0 and conv-s0): one warm-up and one measured training
epoch of the project trainer on --train-images images, scaled to the run's 50 epochs of 60,000 images;
then the run's full evaluation (cvae_lib.evaluation.metrics.evaluate_run: ELBO, IWAE bounds, active units,
classifier metrics) on a copy of the run folder, so the run's cached metrics.json is neither used nor
touched. Also the IWAE step alone the way it was computed before commit "Fast IWAE" (eager per-pixel
terms, the model's own decoder called on 50,000 samples at once) on --old-images test images, scaled up.
"""
import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F

from cvae_lib.training import runs
from cvae_lib.base.data import load_fashion_mnist
from cvae_lib.evaluation.evaluate import LOG_2PI
from cvae_lib.modelling.losses import continuous_bernoulli_log_norm
from cvae_lib.base.config import EvalConfig, TrainConfig
from cvae_lib.evaluation.metrics import evaluate_run
from cvae_lib.modelling.models import one_hot
from cvae_lib.training.train import make_model_and_optimizer, train_epoch

ROOT = Path(__file__).resolve().parents[1]


def training_seconds(config: TrainConfig, data, images: int) -> float:
    """Seconds for the run's whole training (its epochs x 60,000 images), from one measured epoch on `images`."""
    one_epoch = TrainConfig(**{**config.__dict__, "device": "cpu", "epochs": 1})
    model, opt, log_sigma = make_model_and_optimizer(one_epoch, torch.device("cpu"))
    x, labels = data.train_images[:images], data.train_labels[:images]
    gens = torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)
    train_epoch(model, opt, x, labels, one_epoch, *gens, log_sigma)  # warm-up
    t0 = time.perf_counter()
    train_epoch(model, opt, x, labels, one_epoch, *gens, log_sigma)
    return (time.perf_counter() - t0) / images * len(data.train_images) * config.epochs


@torch.inference_mode()
def old_iwae_seconds(run_dir: Path, data, k: int, images: int) -> float:
    """The Bernoulli IWAE step as computed before the fused path (the model's own decoder called on 50,000
    samples at once, eager per-pixel terms), on `images` test images, scaled to 10,000."""
    _, model = runs.load_model(run_dir)
    model.eval()
    generator = torch.Generator().manual_seed(0)
    t0 = time.perf_counter()
    for start in range(0, images, 100):
        x = data.test_images[start:start + 100]
        y = one_hot(data.test_labels[start:start + 100])
        mu, log_var = model.encode(x, y)
        std, flat_x = torch.exp(0.5 * log_var), x.reshape(1, len(x), -1)
        bern, cb = [], []
        for s in range(0, k, 500):
            n = min(500, k - s)
            z = mu + std * torch.randn(n, len(x), mu.shape[1], generator=generator)
            logits = model.decode_logits(z.reshape(-1, mu.shape[1]), y.repeat(n, 1)).view(n, len(x), -1)
            log_px = -(F.softplus(logits) - flat_x * logits).sum(-1)
            ratio = -0.5 * (LOG_2PI + z.pow(2)).sum(-1) + 0.5 * (LOG_2PI + log_var + (z - mu).pow(2) / log_var.exp()).sum(-1)
            bern.append(log_px + ratio)
            cb.append(bern[-1] + continuous_bernoulli_log_norm(logits).sum(-1))
        torch.logsumexp(torch.cat(bern).double(), 0), torch.logsumexp(torch.cat(cb).double(), 0)
    return (time.perf_counter() - t0) * len(data.test_images) / images


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", nargs="+", default=[str(ROOT / "report" / "runs" / r) for r in ("mlp-s0", "conv-s0")])
    parser.add_argument("--classifier", default=str(ROOT / "report" / "runs" / "classifier"))
    parser.add_argument("--k", type=int, default=1000, help="IWAE importance samples")
    parser.add_argument("--test-images", type=int, default=0, help="test images to evaluate on; 0 = all 10,000")
    parser.add_argument("--train-images", type=int, default=60_000, help="images in the measured training epoch")
    parser.add_argument("--old-images", type=int, default=500, help="test images for the old IWAE path (scaled up)")
    parser.add_argument("--out", default=str(ROOT / "report" / "benchmarks"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = load_fashion_mnist()
    rows = []
    for run in map(Path, args.runs):
        config = runs.read_config(run)
        train_s = training_seconds(config, data, args.train_images)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / run.name
            copy.mkdir()
            for name in (runs.CONFIG, runs.MODEL, runs.STATUS, runs.LIKELIHOOD):
                if (run / name).exists():
                    shutil.copy2(run / name, copy / name)
            t0 = time.perf_counter()
            result = evaluate_run(copy, args.classifier, EvalConfig(iwae_k=args.k, test_subset=args.test_images),
                                  data=data, progress=False)
            eval_s = time.perf_counter() - t0
        test_images = args.test_images or len(data.test_images)
        old_s = old_iwae_seconds(run, data, args.k, min(args.old_images, test_images)) * test_images / 10_000
        rows.append({"run": run.name, "architecture": config.architecture, "iwae_k": args.k,
                     "test_images": test_images, "training_s": train_s, "evaluation_s": eval_s,
                     "iwae_s": result["seconds"]["iwae"], "iwae_s_before": old_s,
                     "iwae_speedup": old_s / result["seconds"]["iwae"], "evaluation_over_training": eval_s / train_s,
                     **{f"{name}_s": s for name, s in result["seconds"].items() if name != "iwae"}})
        print(f"{run.name}: training {train_s:.0f} s, evaluation {eval_s:.0f} s "
              f"(IWAE {result['seconds']['iwae']:.0f} s, before {old_s:.0f} s)", file=sys.stderr)
    table = pd.DataFrame(rows)
    table.to_csv(out / "eval_speed.csv", index=False)
    command = "python benchmarks/bench_eval.py" + "".join(
        f" --{k.replace('_', '-')} {getattr(args, k)}" for k in ("k", "test_images", "train_images", "old_images")
        if getattr(args, k) != parser.get_default(k))
    meta = {"command": command, "torch": torch.__version__, "threads": torch.get_num_threads(),
            "machine": platform.platform(), "processor": platform.processor(), "date": time.strftime("%Y-%m-%d")}
    (out / "eval_speed.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(table.round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
