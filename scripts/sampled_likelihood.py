"""The likelihood of what the review's operating points sample (cvae_lib.evaluation.sampled_likelihood): for every
run of the trained models named, the Bernoulli IWAE bound under N(0, I) and under each of its samplers at the
operating point the review chose (report/review/summary.json), on the same test images (sampled_likelihood.json
in each run folder).

    python scripts/sampled_likelihood.py [--models "conv vaegan γ=0.1 lr=0.0003" conv] [--images 1000] [--k 1000]

About 11 minutes per conv run on a busy 2-core CPU (one mixture fit over 60,000 codes, three bounds).
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.evaluation.sampled_likelihood import sampled_likelihood  # noqa: E402
from cvae_lib.reporting import reviewing  # noqa: E402
from cvae_lib.reporting.answer import family  # noqa: E402
from cvae_lib.training import runs  # noqa: E402

DEFAULT_MODELS = ("conv vaegan γ=0.1 lr=0.0003", "conv")
"""the answer's trained model and its backbone's original CVAE"""


def operating_points(table: dict, models) -> dict:
    """run name -> {sampler: operating temperature} for every run of the trained models named (answer.family)."""
    out = {}
    for method, entry in table["methods"].items():
        if family(method) in models:
            for name in entry["runs"]:
                out.setdefault(name, {})[entry["sampler"]] = entry["tau"]
    missing = sorted(set(models) - {family(m) for m in table["methods"]})
    if missing:
        raise SystemExit(f"no reviewed method of {missing}; reviewed models: "
                         f"{sorted({family(m) for m in table['methods']})}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS), help="trained models, as the review names them")
    parser.add_argument("--runs", type=Path, default=runs.PROJECT / "report" / "runs")
    parser.add_argument("--review", type=Path, default=runs.PROJECT / "report" / "review" / reviewing.SUMMARY)
    parser.add_argument("--images", type=int, default=1000, help="the first N test images")
    parser.add_argument("--k", type=int, default=1000, help="importance samples per image")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    points = operating_points(runs.read_json(args.review), args.models)
    data, device = load_fashion_mnist(), resolve_device(args.device)
    for name, samplers in sorted(points.items()):
        t0 = time.perf_counter()
        out = sampled_likelihood(args.runs / name, samplers, n_images=args.images, k=args.k, data=data, device=device)
        print(f"{name}: N(0, I) {out['standard']['mean']:.2f}; " + "; ".join(
            f"{s} (tau {out[s]['tau']:g}) {out[s]['mean']:.2f}, gain {out[s]['gain']['mean']:+.2f} "
            f"± {out[s]['gain']['stderr']:.2f}" for s in samplers) + f" ({time.perf_counter() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
