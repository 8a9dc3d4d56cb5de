"""The expert review's measurements over the committed runs: both judges' temperature curves on the validation
reference and the test set (each run's review.json), the Classification Accuracy Score at each method's operating
point, and the table (report/review/summary.json).

    python scripts/review.py [--runs report/runs] [--only NAME ...] [--cas-seeds N] [--device auto]

The second judge (report/runs/judge) is trained first when it is missing (about 6 epochs of a small residual CNN;
minutes on a GPU, about 15 min on a 2-core CPU). Runs without weights are skipped and named. Every result is
cached: review.json on the review config, the weights and both judges; CAS in report/review/cas.json on the run's
weights, the sampler and its temperature. Nothing is chosen on the test set: the operating point of each method is
read from its validation curve (cvae_lib.reporting.review_table), then the test set is read there.
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import ClassifierConfig, resolve_device  # noqa: E402
from cvae_lib.base.fileio import sha256_file, write_json  # noqa: E402
from cvae_lib.base.review_config import JudgeConfig, ReviewConfig  # noqa: E402
from cvae_lib.reporting import review_table  # noqa: E402
from cvae_lib.training import runs  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default=str(runs.PROJECT / "report" / "runs"), help="folder of run folders")
    parser.add_argument("--only", nargs="+", help="review only these run folders (names)")
    parser.add_argument("--cas-seeds", type=int, default=0,
                        help="compute CAS for the first N seeds of each method at its operating point (0: none)")
    parser.add_argument("--out", default=str(runs.PROJECT / "report" / "review"), help="folder of the table")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    from cvae_lib.base.data import load_fashion_mnist
    from cvae_lib.evaluation.cas import classification_accuracy_score
    from cvae_lib.evaluation.judge import ensure_judge
    from cvae_lib.evaluation.review import REVIEW, Judges, review_run, sampler_draws

    device = resolve_device(args.device)
    root, out = Path(args.runs), Path(args.out)
    names = [p.name for p in sorted(root.iterdir()) if review_table.MAIN_RUN.match(p.name)
             and (not args.only or p.name in args.only)]
    missing = [n for n in names if not (root / n / runs.MODEL).exists()]
    if missing:
        print(f"skipped, no weights: {', '.join(missing)}", flush=True)
    names = [n for n in names if n not in missing]
    data = load_fashion_mnist()
    judge_dir = ensure_judge(root / "judge", JudgeConfig(), data=data, device=device)
    config = ReviewConfig()
    judges = Judges(root / "classifier", judge_dir, data, config, device)
    reviews, configs = {}, {}
    for name in names:
        t0 = time.perf_counter()
        reviews[name] = review_run(root / name, judges, config, device=device)
        configs[name] = runs.read_config(root / name)
        print(f"{name}: reviewed ({time.perf_counter() - t0:.0f} s)", flush=True)
    table = review_table.summarize(reviews, configs, judges.real_scores)
    cas_path, cas = out / "cas.json", {}
    cached = json.loads(cas_path.read_text()) if cas_path.exists() else {}
    if args.cas_seeds:
        test = (data.test_images, data.test_labels)
        for method, entry in table["methods"].items():
            sampler = method.split(" · ")[1]
            for name in entry["runs"][:args.cas_seeds]:
                key = f"{name} · {sampler} · tau={entry['tau']:g}"
                sha = sha256_file(root / name / runs.MODEL)
                if cached.get(key, {}).get("model_sha256") != sha:
                    t0 = time.perf_counter()
                    images, labels = sampler_draws(root / name, sampler, entry["tau"], 6000, config.seed, config,
                                                   device, data)
                    score = classification_accuracy_score(images, labels, *test, ClassifierConfig(), device=device,
                                                          progress=True)
                    cached[key] = {**score, "model_sha256": sha, "seconds": time.perf_counter() - t0}
                    out.mkdir(parents=True, exist_ok=True)
                    write_json(cas_path, cached)
                    print(f"CAS {key}: {score['accuracy']:.3f}", flush=True)
                cas.setdefault(method, []).append(cached[key]["accuracy"])
        table = review_table.summarize(reviews, configs, judges.real_scores, cas)
    table["real"]["cas"] = runs.read_json(root / "classifier" / runs.METRICS)["test_accuracy"]
    if "original_fd_test" in table:
        for entry in table["methods"].values():
            entry["targets"] = review_table.targets(entry, table["original_fd_test"], table["real"]["cas"])
    table["skipped_without_weights"] = missing
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "summary.json", table)
    for method, entry in table["methods"].items():
        t = entry["test"]
        print(f"{method:42s} tau={entry['tau']:.1f} acc={t['classifier']['accuracy']['mean']:.3f}/"
              f"{t['judge']['accuracy']['mean']:.3f} FD={t['classifier']['fd']['mean']:.1f}/{t['judge']['fd']['mean']:.2f}"
              f" P={t['classifier']['precision']['mean']:.2f}/{t['judge']['precision']['mean']:.2f}"
              f" R={t['classifier']['recall']['mean']:.2f}/{t['judge']['recall']['mean']:.2f}"
              + (f" CAS={entry['cas']['mean']:.3f}" if "cas" in entry else ""))
    print("Kendall tau between judges:", table["kendall_tau"])
    print(f"review files: {REVIEW} in each run folder; table: {out / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
