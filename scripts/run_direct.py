"""Train and evaluate a sweep file's runs without papermill, several processes at once.

For a machine that has PyTorch but no Jupyter (a rented GPU, say). The run folders are the ones the report
pipeline uses (<out>/runs/<run name>), with the same configs and evaluation settings, so a later
`python -m cvae_lib report` finds them finished and evaluated (its caches match) and only renders their pages.

    python scripts/run_direct.py sweeps/extensions.yaml [--out report] [--jobs 4] [--threads 1] [--epochs N ...]

Data come from the usual places (CVAE_DATA_DIR, Debian's package, the cache; see cvae_lib.base.data). The
evaluation classifier must exist already (report/runs/classifier is in git).
"""
import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import RunSpec  # noqa: E402
from cvae_lib.reporting.sweep import load_sweep, run_specs  # noqa: E402


def run_one(params: dict, out: str, threads: int = 2) -> str:
    import torch
    from cvae_lib.base.config import resolve_device
    from cvae_lib.base.data import load_fashion_mnist
    from cvae_lib.evaluation.metrics import evaluate_run
    from cvae_lib.training.train import train

    torch.set_num_threads(threads)
    spec = RunSpec.from_params(params)
    run_dir = Path(out) / "runs" / spec.name
    t0 = time.perf_counter()
    data = load_fashion_mnist(spec.train.data_dir)
    train(spec.train, run_dir, data=data, progress=False)
    t1 = time.perf_counter()
    evaluate_run(run_dir, Path(out) / "runs" / "classifier", spec.evaluation, data=data,
                 device=resolve_device(spec.train.device), progress=False)
    return f"{spec.name}: trained in {t1 - t0:.0f} s, evaluated in {time.perf_counter() - t1:.0f} s"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_file")
    parser.add_argument("--out", default="report", help="the report folder (default: report)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at once (default: 2)")
    parser.add_argument("--threads", type=int,
                        help="torch threads per run (default: the CPU count divided by --jobs, at least 1)")
    parser.add_argument("--epochs", type=int, help="override every run's epochs")
    args = parser.parse_args(argv)
    overrides = {"epochs": args.epochs} if args.epochs else {}
    specs = run_specs(load_sweep(args.sweep_file), overrides)
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
        for line in pool.map(run_one, [s.params() for s in specs], [args.out] * len(specs),
                             [threads] * len(specs)):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
