"""Command line.

    python -m cvae_lib train --run-dir DIR [--architecture conv ...]   train (or resume) one run
    python -m cvae_lib report [--quick] [--seeds 0 1 2] [--epochs 50 ...]   build the whole report
    python -m cvae_lib report --dry-run                                  print the plan: what is current, what
                                                                         would run, why, and how long
    python -m cvae_lib sweep sweeps/report.yaml [--jobs 2]              run a sweep file

Every run parameter (config.parameters()) is a flag; a flag given wins over a sweep file, which wins
over the defaults. --quick sets a preset of small values for every knob at once (config.QUICK);
flags given with it win over it.
"""
import argparse
import sys
import time
import typing
from dataclasses import fields
from pathlib import Path

from .base.config import QUICK, ClassifierConfig, ConfigError, RunSpec, Scale, TrainConfig, field_docs, parameters
from .base.data import DataError
from .training.runs import RunError, project_root

ARG_TYPES = {int: int, float: float, str: str, typing.Optional[str]: str}
EXIT_BAD_PARAMETER, EXIT_FAILED, EXIT_TOO_LONG = 2, 1, 3


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _run_arguments(p, names, suppress: bool) -> None:
    """One flag per run parameter; with ``suppress`` a flag not given is absent (so it overrides nothing)."""
    for name, (kind, default, doc) in parameters().items():
        if name in names:
            p.add_argument(_flag(name), type=ARG_TYPES[kind], default=argparse.SUPPRESS if suppress else default,
                           help=f"{doc} (default: {default!r})")


def _train_parser(sub):
    p = sub.add_parser("train", help="train (or resume, or reuse) one run folder")
    p.add_argument("--run-dir", required=True, help="the run folder to create, resume or reuse")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _run_arguments(p, {f.name for f in fields(TrainConfig)}, suppress=False)
    p.set_defaults(func=main_train)


def _scale_arguments(p, seeds: bool) -> None:
    p.add_argument("--quick", action="store_true",
                   help="a quick report: every knob scaled down at once (" + ", ".join(f"{k} {v}" for k, v in QUICK.items())
                   + ", seed 0; the committed classifier) — minutes instead of an hour")
    _run_arguments(p, set(parameters()) - {"architecture", "seed"}, suppress=True)
    if seeds:
        p.add_argument("--seeds", type=int, nargs="+", default=argparse.SUPPRESS,
                       help=f"seeds per architecture (default: {' '.join(map(str, Scale().seeds))}; --quick: 0)")
        p.add_argument("--no-sweep", dest="sweep", action="store_false", help="leave out the sweep of sweeps/report.yaml")
        p.add_argument("--no-extensions", dest="extensions", action="store_false",
                       help="leave out the extension models (sweeps/extensions.yaml and the latent samplers)")
    docs = field_docs(ClassifierConfig)
    for f in fields(ClassifierConfig):
        p.add_argument("--classifier-" + f.name.replace("_", "-"), dest=f"classifier_{f.name}", type=f.type,
                       default=f.default, help=f"evaluation classifier: {docs[f.name]} (default: {f.default})")
    p.add_argument("--no-pdf", action="store_true", help="write HTML only")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m cvae_lib", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    _train_parser(sub)
    p = sub.add_parser("report", help="run the whole pipeline with papermill and export HTML/PDF")
    p.add_argument("--out", help="report folder (default: report/, with --quick runs/quick-report)")
    p.add_argument("--author", default="", help="the author's name on the title page (default: a blank)")
    p.add_argument("--student-id", default="", help="the student number on the title page (default: a blank)")
    p.add_argument("--course", default="", help="the course on the title page (default: a blank)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan (each step: current, or what changed and its expected time) and stop")
    p.add_argument("--allow-long-training", action="store_true",
                   help="go on when the plan would train for more than an hour on the CPU (default: stop first)")
    _scale_arguments(p, seeds=True)
    p.set_defaults(func=main_report)
    s = sub.add_parser("sweep", help="run a sweep file's training runs in parallel, then sweep.ipynb")
    s.add_argument("file", help="the sweep's YAML file, e.g. sweeps/report.yaml")
    s.add_argument("--out", help="output folder (default: runs/sweeps/<name of the file>)")
    s.add_argument("--jobs", type=int, default=1, help="runs at once on this machine (default: 1)")
    s.add_argument("--scheduler", help="address of a Dask distributed scheduler to send the runs to")
    _scale_arguments(s, seeds=False)
    s.set_defaults(func=main_sweep)
    return parser


def scale_from_args(args) -> Scale:
    """The validated Scale of the command line: explicit flags over --quick over the defaults."""
    given = vars(args)
    overrides = {name: given[name] for name in parameters() if name in given}
    classifier = ClassifierConfig(**{f.name: given[f"classifier_{f.name}"] for f in fields(ClassifierConfig)})
    changes = {"overrides": overrides, "classifier": classifier, "sweep": given.get("sweep", False),
               "extensions": given.get("extensions", False)}
    if "seeds" in given:
        changes["seeds"] = tuple(given["seeds"])
    return Scale.quick(**changes) if args.quick else Scale(**changes)


def _run(job, out, dry_run: bool = False) -> int:
    from .reporting.report import TooLong
    from .reporting.steps import StepFailed
    t0 = time.perf_counter()
    try:
        job()
    except StepFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FAILED
    except TooLong as e:
        print(f"stopped before any work: {e}", file=sys.stderr)
        return EXIT_TOO_LONG
    if not dry_run:
        print(f"written to {Path(out) / 'index.html'} in {time.perf_counter() - t0:.0f} s")
    return 0


def main_train(args) -> int:
    from .training.train import train
    spec = RunSpec.from_params({name: getattr(args, name) for name in (f.name for f in fields(TrainConfig))})
    run_dir = train(spec.train, args.run_dir, progress=not args.no_progress)
    print(f"run folder: {run_dir}")
    return 0


def main_report(args) -> int:
    from .reporting.report import run_pipeline
    scale = scale_from_args(args)  # every parameter is checked before any notebook runs
    out = args.out or str(project_root() / ("runs/quick-report" if args.quick else "report"))
    byline = {"author": args.author, "student_id": args.student_id, "course": args.course}
    return _run(lambda: run_pipeline(out, scale, pdf=not args.no_pdf, byline=byline, dry_run=args.dry_run,
                                     allow_long_training=args.allow_long_training), out, args.dry_run)


def main_sweep(args) -> int:
    from .reporting.report import run_sweep
    from .reporting.sweep import load_sweep
    scale = scale_from_args(args)
    spec = load_sweep(args.file)
    if args.jobs < 1:
        raise ConfigError(f"jobs must be a positive integer, got {args.jobs}")
    out = args.out or str(project_root() / "runs" / "sweeps" / spec["name"])
    return _run(lambda: run_sweep(args.file, out, scale, args.jobs, args.scheduler, pdf=not args.no_pdf), out)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:  # a bad parameter, found before or while running, exits 2 with one line and no traceback
        return args.func(args)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_PARAMETER
    except (RunError, DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
