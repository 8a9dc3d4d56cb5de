"""Re-score, with the settings they were computed with, the run folders whose metrics or sampler scores were
computed from other weights (or by an older version of the evaluation code).

    python scripts/rescore.py [--runs report/runs] [--only NAME ...] [--list]

For each run folder with weights: metrics.json is recomputed when metrics.evaluation_needed says so, with the
EvalConfig its cached key holds; samplers.json likewise (extensions.samplers_needed, its SamplerConfig and
kinds). The report pipeline would do the same in its steps; this does it without rendering pages, e.g. after
scripts/retrain_missing.py, or while some runs still lack their weights.
"""
import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.training import runs  # noqa: E402
from cvae_lib.base.config import EvalConfig, SamplerConfig  # noqa: E402


def settings(cls, key: dict):
    """The dataclass ``cls`` made of the fields a cached key holds."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in key.items() if k in names})


def pending(run_dir: Path, classifier_dir: Path) -> list:
    """(what, reason, settings, kinds) for each cached result of the folder that must be recomputed."""
    from cvae_lib.evaluation.extensions import samplers_needed
    from cvae_lib.evaluation.metrics import evaluation_needed
    todo = []
    if (run_dir / runs.METRICS).exists():
        config = settings(EvalConfig, runs.read_json(run_dir / runs.METRICS)["eval_config"])
        reason = evaluation_needed(run_dir, classifier_dir, config)
        if reason:
            todo.append(("metrics", reason, config, None))
    if (run_dir / runs.SAMPLERS).exists():
        key = runs.read_json(run_dir / runs.SAMPLERS)["key"]
        config, kinds = settings(SamplerConfig, key), key.get("kinds", ["temperature", "gmm", "two_stage"])
        reason = samplers_needed(run_dir, classifier_dir, config, kinds)
        if reason:
            todo.append(("samplers", reason, config, kinds))
    return todo


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default=str(runs.project_root() / "report" / "runs"), help="folder of run folders")
    parser.add_argument("--only", nargs="+", help="only these run folders (names)")
    parser.add_argument("--list", action="store_true", help="list what would be recomputed, and stop")
    args = parser.parse_args(argv)
    root = Path(args.runs)
    classifier_dir = root / "classifier"
    work = []
    for run_dir in sorted(p for p in root.iterdir() if (p / runs.MODEL).exists() and p.name != "classifier"):
        if not args.only or run_dir.name in args.only:
            for item in pending(run_dir, classifier_dir):
                print(f"{run_dir.name}: {item[0]} ({item[1]})", flush=True)
                work.append((run_dir, *item))
    if args.list or not work:
        return 0
    from cvae_lib.base.data import load_fashion_mnist
    from cvae_lib.evaluation.extensions import evaluate_samplers
    from cvae_lib.evaluation.metrics import evaluate_run
    data = load_fashion_mnist()
    for run_dir, what, _, config, kinds in work:
        t0 = time.perf_counter()
        if what == "metrics":
            evaluate_run(run_dir, classifier_dir, config, data=data, progress=False)
        else:
            evaluate_samplers(run_dir, classifier_dir, config, kinds=kinds, data=data, progress=False)
        print(f"{run_dir.name}: {what} recomputed in {time.perf_counter() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
