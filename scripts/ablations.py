"""Why the conv VAE-GAN samples better: train its ablations (sweeps/ablations.yaml) where their weights are missing,
evaluate and review them like every run of the report, and write report/review/ablations.json (each ablation
against the full model's seeds at tau = 1; cvae_lib.reporting.ablation says how they are tested).

    python scripts/ablations.py [--sweep sweeps/ablations.yaml] [--threads 2] [--device auto]

A missing run trains here first (about 45-50 min per conv run on 2 CPU threads; `python scripts/run_direct.py
sweeps/ablations.yaml --jobs 1 --threads 2` does the same training and evaluation); a finished one is reused,
and so are its metrics and review (cached on the weights and the judges). The review of one run takes about 5 min.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.base.fileio import write_json  # noqa: E402
from cvae_lib.base.review_config import ReviewConfig  # noqa: E402
from cvae_lib.reporting import ablation  # noqa: E402
from cvae_lib.reporting.sweep import load_sweep, run_specs  # noqa: E402
from cvae_lib.training import runs  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweep", default=str(runs.PROJECT / "sweeps" / "ablations.yaml"))
    parser.add_argument("--runs", default=str(runs.PROJECT / "report" / "runs"), help="folder of run folders")
    parser.add_argument("--out", default=str(runs.PROJECT / "report" / "review" / ablation.FILE))
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--no-train", action="store_true",
                        help="leave out the runs that are not finished (e.g. one training in another process)")
    args = parser.parse_args(argv)
    import torch
    from cvae_lib.evaluation.judge import ensure_judge
    from cvae_lib.evaluation.metrics import evaluate_run
    from cvae_lib.evaluation.review import Judges, review_run
    from cvae_lib.training.train import train, training_needed

    if args.threads:
        torch.set_num_threads(args.threads)
    device, root = resolve_device(args.device), Path(args.runs)
    specs = run_specs(load_sweep(args.sweep), {})
    data = load_fashion_mnist()
    config = ReviewConfig()
    judges = Judges(root / "classifier", ensure_judge(root / "judge", data=data, device=device), data, config, device)
    dirs = {}
    for spec in specs:
        run_dir = root / spec.name
        reason = training_needed(spec.train, run_dir)
        if reason and args.no_train:
            print(f"{spec.name}: left out ({reason})")
            continue
        train(spec.train, run_dir, data=data)
        evaluate_run(run_dir, root / "classifier", spec.evaluation, data=data, device=device)
        review_run(run_dir, judges, config, device=device)
        dirs.setdefault(spec.train.gan_ablation, []).append(run_dir)  # an ablation's seeds, tested together
    full = dict(spec.params(), gan_ablation="none")
    architecture, gamma, lr = full["architecture"], full["gan_gamma"], full["learning_rate"]
    pick = lambda pattern: sorted(d for d in root.glob(pattern) if (d / "review.json").is_file())  # noqa: E731
    full_dirs = pick(f"{architecture}-s*-vaegan-gamma{gamma:g}-lr{lr:g}")
    baselines = {"control": pick(f"{architecture}-s*-rmsprop-lr{lr:g}"), "original": pick(f"{architecture}-s[0-9]")}
    if not dirs:
        parser.error("no ablation run is finished: run without --no-train to train them")
    table = ablation.summarize(full_dirs, dirs, baselines)
    write_json(Path(args.out), table)
    for name, entry in table["ablations"].items():
        print(name, {s: {j: f"FD {entry[s][j]['fd']:.1f} (p {entry[s][j]['p_holm']:.3g})" for j in ablation.JUDGES}
                     for s in ablation.SAMPLERS})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
