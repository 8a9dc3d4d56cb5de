"""Command line.

    python -m cvae_lib train --run-dir DIR [--architecture conv ...]   train (or resume) one run
    python -m cvae_lib report [--epochs 50 --seeds 0 1 2 ...]           build the whole report
    python -m cvae_lib sweep sweeps/report.yaml [--jobs 2]              run a sweep file
"""
import argparse
import dataclasses
import sys
import time
import typing
from dataclasses import fields
from pathlib import Path

from .config import ConfigError, TrainConfig, field_docs
from .report import ROOT, SWEEP_FILE, Scale, StepFailed, run_pipeline, run_sweep

ARG_TYPES = {int: int, float: float, str: str, typing.Optional[str]: str}


def _train_parser(sub):
    p = sub.add_parser("train", help="train (or resume, or reuse) one run folder")
    p.add_argument("--run-dir", required=True, help="the run folder to create, resume or reuse")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    docs = field_docs()
    for f in dataclasses.fields(TrainConfig):
        p.add_argument("--" + f.name.replace("_", "-"), type=ARG_TYPES[f.type], default=f.default,
                       help=f"{docs.get(f.name, '')} (default: {f.default!r})")
    return p


SCALE_HELP = {
    "epochs": "training epochs per run", "seeds": "seeds per architecture",
    "train_subset": "train on the first N images (0: all)", "test_subset": "evaluate on the first N test images (0: all)",
    "device": "auto, cpu, cuda, cuda:N or mps", "iwae_k": "importance samples per test image for the IWAE bound",
    "eval_samples_per_class": "prior samples per class for conditional accuracy and Fréchet distance",
    "interpolation_pairs": "random test pairs per kind for interpolation smoothness",
    "classifier_epochs": "epochs of the evaluation classifier",
    "classifier_train_subset": "train the classifier on the first N images (0: all)",
}


def _add_scale_arguments(p, skip=()):
    for f in fields(Scale):
        flag = "--" + f.name.replace("_", "-")
        if f.name in skip:
            continue
        if f.name == "seeds":
            p.add_argument(flag, type=int, nargs="+", default=list(f.default), help=SCALE_HELP[f.name])
        elif f.name == "sweep":
            p.add_argument("--no-sweep", dest="sweep", action="store_false",
                           help=f"leave out the sweep of {SWEEP_FILE.relative_to(ROOT)}")
        else:
            p.add_argument(flag, type=type(f.default), default=f.default,
                           help=f"{SCALE_HELP[f.name]} (default: {f.default})")
    p.add_argument("--no-pdf", action="store_true", help="write HTML only")


def add_report_parser(sub):
    p = sub.add_parser("report", help="run the whole pipeline with papermill and export HTML/PDF")
    p.add_argument("--out", default=str(ROOT / "report"), help="report folder (default: report/)")
    _add_scale_arguments(p)
    p.set_defaults(func=main_report)
    s = sub.add_parser("sweep", help="run a sweep file's training runs in parallel, then sweep.ipynb")
    s.add_argument("file", help="the sweep's YAML file, e.g. sweeps/report.yaml")
    s.add_argument("--out", help="output folder (default: runs/sweeps/<name of the file>)")
    s.add_argument("--jobs", type=int, default=1, help="runs at once on this machine (default: 1)")
    s.add_argument("--scheduler", help="address of a Dask distributed scheduler to send the runs to")
    _add_scale_arguments(s, skip=("seeds", "sweep"))
    s.set_defaults(func=main_sweep, seeds=[0], sweep=False)
    return p


def _scale(args) -> Scale:
    """The validated scale from the command line; ConfigError names a bad value."""
    scale = Scale(**{f.name: getattr(args, f.name) for f in fields(Scale)})
    scale.seeds = tuple(scale.seeds)
    for seed in scale.seeds:
        TrainConfig(epochs=scale.epochs, seed=seed, train_subset=scale.train_subset,
                    test_subset=scale.test_subset, device=scale.device)
    for name in ("iwae_k", "eval_samples_per_class", "interpolation_pairs", "classifier_epochs"):
        if getattr(scale, name) <= 0:
            raise ConfigError(f"{name} must be a positive integer, got {getattr(scale, name)}")
    if scale.classifier_train_subset < 0:
        raise ConfigError(f"classifier_train_subset must be a non-negative integer, got {scale.classifier_train_subset}")
    return scale


def _run(job, out) -> int:
    t0 = time.perf_counter()
    try:
        job()
    except StepFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"written to {Path(out) / 'index.html'} in {time.perf_counter() - t0:.0f} s")
    return 0


def main_report(args) -> int:
    scale = _scale(args)  # every parameter is checked before any notebook runs
    return _run(lambda: run_pipeline(args.out, scale, pdf=not args.no_pdf), args.out)


def main_sweep(args) -> int:
    from .sweep import load_sweep
    scale = _scale(args)
    spec = load_sweep(args.file)
    if args.jobs < 1:
        raise ConfigError(f"jobs must be a positive integer, got {args.jobs}")
    out = args.out or str(ROOT / "runs" / "sweeps" / spec["name"])
    return _run(lambda: run_sweep(args.file, out, scale, args.jobs, args.scheduler, pdf=not args.no_pdf), out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cvae_lib", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    _train_parser(sub)
    add_report_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "train":
        from .train import train
        values = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)}
        try:
            config = TrainConfig(**values)
        except ConfigError as e:
            parser.error(str(e))
        run_dir = train(config, args.run_dir, progress=not args.no_progress)
        print(f"run folder: {run_dir}")
        return 0
    try:  # report and sweep: a bad parameter, found before or while running, exits 2 without a traceback
        return args.func(args)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
