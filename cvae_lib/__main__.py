"""Command line.

    python -m cvae_lib train --run-dir DIR [--architecture conv ...]   train (or resume) one run
    python -m cvae_lib report [--epochs 50 --seeds 0 1 2 ...]           build the whole report
"""
import argparse
import dataclasses
import sys
import typing

from .config import ConfigError, TrainConfig, field_docs

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cvae_lib", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _train_parser(sub)
    from .report import add_report_parser
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
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
