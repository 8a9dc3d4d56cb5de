"""Train again, in place, the report's run folders whose weights (model.pt) are missing, from their own config.json.

    python scripts/retrain_missing.py [--runs report/runs] [--only NAME ...] [--threads N] [--list]

Runs go cheapest first (the plain MLP runs, then conv, VampPrior, VAE-GAN), one at a time, with the thread
count the folder's environment.json records (the MLP runs trained here on the CPU were deterministic with it,
so the same machine type gives the same weights), else 2; `--threads 1` leaves a core free for other work
(two torch processes with 2 threads each on a 2-core machine run about 30x slower). Each folder gets a fresh history.csv,
environment.json and model.pt; training resumes from state.pt when the script is stopped and started again.
Afterwards `git diff --stat report/runs` tells which histories changed: where history.csv is unchanged the
weights are the ones the committed metrics were computed from (metrics.json is keyed on their hash, so the
next `python -m cvae_lib report` reuses it); elsewhere the metrics are recomputed there.
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.training import runs  # noqa: E402

COST_ORDER = {("mlp", "none"): 0, ("conv", "none"): 1, ("mlp", "vampprior"): 2, ("mlp", "vaegan"): 3,
              ("conv", "vampprior"): 4, ("conv", "vaegan"): 5}


def missing(root: Path) -> list:
    """Finished run folders under ``root`` without model.pt, cheapest first."""
    found = []
    for run_dir in sorted(p for p in root.iterdir() if (p / runs.CONFIG).exists()):
        if (run_dir / runs.MODEL).exists() or run_dir.name == "classifier":
            continue
        config = runs.read_config(run_dir)
        found.append((COST_ORDER.get((config.architecture, config.extension), 9), run_dir.name, run_dir, config))
    return [(run_dir, config) for *_, run_dir, config in sorted(found, key=lambda t: t[:2])]


def threads_of(run_dir: Path) -> int:
    path = run_dir / runs.ENVIRONMENT
    return int(json.loads(path.read_text()).get("torch_threads", 2)) if path.exists() else 2


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default=str(runs.project_root() / "report" / "runs"), help="folder of run folders")
    parser.add_argument("--only", nargs="+", help="train only these run folders (names)")
    parser.add_argument("--threads", type=int, help="torch threads for every run (default: as recorded, else 2)")
    parser.add_argument("--list", action="store_true", help="list what would be trained, and stop")
    args = parser.parse_args(argv)
    todo = [(d, c) for d, c in missing(Path(args.runs)) if not args.only or d.name in args.only]
    for run_dir, config in todo:
        print(f"{run_dir.name}: {config.architecture}, extension {config.extension}, {config.epochs} epochs, "
              f"{args.threads or threads_of(run_dir)} threads", flush=True)
    if args.list:
        return 0
    import torch
    from cvae_lib.base.data import load_fashion_mnist
    from cvae_lib.training.train import train
    data = load_fashion_mnist()
    for run_dir, config in todo:
        torch.set_num_threads(args.threads or threads_of(run_dir))
        t0 = time.perf_counter()
        train(config, run_dir, data=data, progress=False)
        print(f"{run_dir.name}: trained in {time.perf_counter() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
