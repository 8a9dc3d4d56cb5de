"""Does the conv VAE-GAN's decoder do better where the prior reaches beyond the codes? For the original conv CVAE,
the same CVAE trained with the VAE-GAN's optimizer, the full conv VAE-GAN (every seed) and its two ablations (the
rows of Section 5's ablation table), split 1,000 prior draws per class (tau = 1) at the
class's median log q(z | y) / p(z) into a covered and an uncovered half, and score each half against the test
images in both judges' features (cvae_lib.evaluation.prior_holes). Writes report/review/prior_holes.json.

    python scripts/prior_holes.py [--threads 2] [--device auto] [--only RUN ...]

About 40 s per run on 2 CPU threads (11 runs); reads finished runs only, trains nothing.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.base.fileio import write_json  # noqa: E402
from cvae_lib.training import runs  # noqa: E402

GROUPS = {"original": "conv-s[0-9]", "control": "conv-s[0-9]-rmsprop-lr0.0003",
          "full": "conv-s[0-9]-vaegan-gamma0.1-lr0.0003",
          "no_prior": "conv-s[0-9]-vaegan-gamma0.1-lr0.0003-no_prior",
          "no_feature": "conv-s[0-9]-vaegan-gamma0.1-lr0.0003-no_feature"}
"""the runs measured, by the role the text gives them (folder patterns under report/runs)"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default=str(runs.PROJECT / "report" / "runs"), help="folder of run folders")
    parser.add_argument("--out", default=str(runs.PROJECT / "report" / "review" / "prior_holes.json"))
    parser.add_argument("--per-class", type=int, default=1000, help="prior draws per class")
    parser.add_argument("--seed", type=int, default=0, help="seed of the prior draws (the same for every run)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--only", nargs="+", metavar="RUN",
                        help="measure these runs only and keep the other entries of --out (same --per-class and --seed)")
    args = parser.parse_args(argv)
    import torch
    from tqdm import tqdm

    from cvae_lib.evaluation.classifier import load_classifier, predict
    from cvae_lib.evaluation.judge import load_judge
    from cvae_lib.evaluation.prior_holes import measure

    if args.threads:
        torch.set_num_threads(args.threads)
    device, root = resolve_device(args.device), Path(args.runs)
    groups = {role: sorted(d for d in root.glob(pattern) if (d / runs.MODEL).is_file())
              for role, pattern in GROUPS.items()}
    missing = [role for role, dirs in groups.items() if not dirs]
    if missing:
        parser.error(f"no finished run for {', '.join(missing)} under {root}")
    out = {"per_class": args.per_class, "seed": args.seed, "tau": 1.0, "groups": {}}
    todo = [(role, d) for role, dirs in groups.items() for d in dirs]
    if args.only:
        unknown = sorted(set(args.only) - {d.name for _, d in todo})
        if unknown:
            parser.error(f"not among the measured runs: {', '.join(unknown)}")
        kept = json.loads(Path(args.out).read_text())
        if (kept["per_class"], kept["seed"]) != (args.per_class, args.seed):
            parser.error(f"{args.out} was measured with other --per-class or --seed: measure every run again")
        out["groups"] = kept["groups"]
        todo = [(role, d) for role, d in todo if d.name in args.only]
    data = load_fashion_mnist()
    judges = {"classifier": load_classifier(root / "classifier", device), "judge": load_judge(root / "judge", device)}
    test_features = {name: predict(net, data.test_images)[1] for name, net in judges.items()}
    for role, run_dir in tqdm(todo, desc="prior holes", unit="run"):
        result = measure(run_dir, judges, test_features, data.train_images, data.train_labels, args.per_class,
                         args.seed, device)
        out["groups"].setdefault(role, {})[run_dir.name] = result
        tqdm.write(f"{run_dir.name}: below {result['share_below']:.3f}, FD A covered "
                   f"{result['covered']['classifier']['fd']:.1f} / uncovered {result['uncovered']['classifier']['fd']:.1f}")
    write_json(Path(args.out), out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
