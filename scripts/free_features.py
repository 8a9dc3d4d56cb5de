"""FD of every reviewed prior-sampled method at its operating point in two feature spaces no training shaped
(cvae_lib.evaluation.free_features): a randomly initialized residual network of the second judge's design, and
2 x 2 pixel-block means; the real images' own value beside them (10,000 other training images).

    python scripts/free_features.py [--per-class 1000] [--device auto]

Reads the review's table (report/review/summary.json: each method's runs and tau*) and writes
report/review/free_features.json: per method, tau and the per-seed FDs in each space, and where tau* is not 1 the
same at tau = 1 ("tau_one"), since the temperature alone moves these FDs. About 10 s per run and temperature on a
2-core CPU.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tqdm import tqdm  # noqa: E402

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.base.fileio import write_json  # noqa: E402
from cvae_lib.evaluation import free_features as ff  # noqa: E402
from cvae_lib.evaluation.evaluate import frechet_distance  # noqa: E402
from cvae_lib.training import runs  # noqa: E402

REVIEW = runs.PROJECT / "report" / "review"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default=str(runs.PROJECT / "report" / "runs"))
    parser.add_argument("--per-class", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="the untrained network's and the draws' seed")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    table = runs.read_json(REVIEW / "summary.json")
    data = load_fashion_mnist()
    network = ff.untrained_network(args.seed)
    reference = ff.features(network, data.test_images)
    real = ff.features(network, data.train_images[:10_000])
    out = {"per_class": args.per_class, "seed": args.seed,
           "real": {space: frechet_distance(real[space], reference[space]) for space in ff.SPACES}, "methods": {}}
    chosen = {m: e for m, e in table["methods"].items() if e["sampler"] == "prior"}
    for method, entry in tqdm(sorted(chosen.items()), desc="methods", unit="method"):
        scores = [ff.free_fds(ff.prior_samples(Path(args.runs) / r, entry["tau"], args.per_class, args.seed, device),
                              reference, network) for r in entry["runs"]]
        out["methods"][method] = {"tau": entry["tau"], **{s: [x[s] for x in scores] for s in ff.SPACES}}
        if entry["tau"] != 1:  # the same seeded draws at the trained prior: the methods compared at one temperature
            ones = [ff.free_fds(ff.prior_samples(Path(args.runs) / r, 1.0, args.per_class, args.seed, device),
                                reference, network) for r in entry["runs"]]
            out["methods"][method]["tau_one"] = {s: [x[s] for x in ones] for s in ff.SPACES}
    write_json(REVIEW / "free_features.json", out)
    print(f"wrote {REVIEW / 'free_features.json'}: {len(out['methods'])} methods")
    return 0


if __name__ == "__main__":
    sys.exit(main())
