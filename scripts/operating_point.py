"""KID and per-class FD of every reviewed method at its operating point (the review's tau*), in both judges'
features, against the test set (cvae_lib.evaluation.operating); the real images' own values beside them.

    python scripts/operating_point.py [--runs report/runs] [--only NAME ...] [--device auto]

Reads the review's table (report/review/summary.json: each method's runs, sampler and tau*), writes
operating_point.json in each run folder (cached on the review's key and the temperatures) and the table
report/review/operating_point.json: per method whose every seed was scored, KID mean and std over seeds and the
per-class FD averaged over seeds, for each judge. Each run refits its review GMM (about 90 s on a 2-core CPU), so the whole costs about 40 min there.
The pooled FD recomputed on the same samples must equal the review's test FD: the script stops otherwise.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.base.fileio import write_json  # noqa: E402
from cvae_lib.base.review_config import ReviewConfig  # noqa: E402
from cvae_lib.evaluation.fidelity import kernel_distance  # noqa: E402
from cvae_lib.evaluation.operating import operating_point, per_class_fd  # noqa: E402
from cvae_lib.evaluation.review import JUDGES, Judges  # noqa: E402
from cvae_lib.reporting import reviewing  # noqa: E402
from cvae_lib.training import runs  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default=str(runs.PROJECT / "report" / "runs"), help="folder of run folders")
    parser.add_argument("--review", default=str(runs.PROJECT / "report" / "review"), help="folder of the review's table")
    parser.add_argument("--only", nargs="+", help="only these run folders (names); the table has the methods whose "
                        "runs are all among them")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    root, review_dir = Path(args.runs), Path(args.review)
    table = runs.read_json(review_dir / reviewing.SUMMARY)
    taus, expected = {}, {}  # run -> sampler -> tau*; (run, sampler, judge) -> the review's test FD
    for entry in table["methods"].values():
        for i, run in enumerate(entry["runs"]):
            taus.setdefault(run, {})[entry["sampler"]] = entry["tau"]
            for j in JUDGES:
                expected[(run, entry["sampler"], j)] = entry["test"][j]["fd"]["values"][i]
    chosen = [r for r in sorted(taus) if not args.only or r in args.only]
    config, device = ReviewConfig(), resolve_device(args.device)
    judges = Judges(root / "classifier", root / "judge", load_fashion_mnist(), config, device)
    results = {}
    for run in tqdm(chosen, desc="operating points", unit="run"):
        results[run] = operating_point(root / run, judges, taus[run], config, device=device)["samplers"]
        for sampler, entry in results[run].items():
            for j in JUDGES:
                if not np.isclose(entry[j]["fd"], expected[(run, sampler, j)], rtol=1e-6):
                    raise SystemExit(f"{run} {sampler} ({j}): FD {entry[j]['fd']:.6f} on the regenerated samples, "
                                     f"but the review scored {expected[(run, sampler, j)]:.6f}: not the same samples")
    complete = {m: e for m, e in table["methods"].items() if all(r in results for r in e["runs"])}  # every seed scored
    if not complete:
        return 0
    real_images, real_labels = judges.real
    test_labels = judges.references["test"][1]
    out = {"real": {}, "methods": {}}
    for j in JUDGES:
        real_feats, test_feats = judges.predict(j, real_images)[1], judges.features[(j, "test")][1]
        kid = kernel_distance(test_feats, real_feats, seed=config.seed)
        out["real"][j] = {"kid": {"mean": kid.mean, "std": kid.std},
                          "fd_per_class": per_class_fd(test_feats, test_labels, real_feats, real_labels)}
    for method, entry in complete.items():
        per_seed = [results[run][entry["sampler"]] for run in entry["runs"]]
        out["methods"][method] = {"tau": entry["tau"], **{j: {
            "kid": {"mean": float(np.mean([s[j]["kid"] for s in per_seed])),
                    "std": float(np.std([s[j]["kid"] for s in per_seed], ddof=1)) if len(per_seed) > 1 else 0.0,
                    "values": [s[j]["kid"] for s in per_seed]},
            "fd_per_class": np.mean([s[j]["fd_per_class"] for s in per_seed], 0).tolist()} for j in JUDGES}}
    write_json(review_dir / "operating_point.json", out)
    for method, entry in out["methods"].items():
        print(f"{method:42s} tau={entry['tau']:.2f} KID={1e3 * entry['classifier']['kid']['mean']:.2f}/"
              f"{1e3 * entry['judge']['kid']['mean']:.3f} (x1e-3) worst-class FD="
              f"{max(entry['classifier']['fd_per_class']):.1f}/{max(entry['judge']['fd_per_class']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
