"""The expert review's measurements over the committed runs: both judges' temperature curves on the validation
reference and the test set (each run's review.json), the Classification Accuracy Score at each method's operating
point, and the table (report/review/summary.json). The report's build runs the same as its "review" step
(notebooks/review.ipynb); this script does it alone, e.g. after new weights arrive.

    python scripts/review.py [--runs report/runs] [--only NAME ...] [--cas-seeds N] [--device auto]
    python scripts/review.py --heldout --only NAME ...    the held-out check (review_config.HELDOUT)
    python scripts/review.py --wide                       the wide grid, tau up to 3 (review_config.WIDE)

With --heldout the choices are made on one half of the test set and the scores read on the other, at
temperatures 0.5 to 1.5 (review_heldout.json in each run folder, the table in report/review/heldout/); no CAS
and no copy check. With --wide every method is reviewed again on the main protocol with temperatures up to 3
(review_wide.json in each run folder, reusing review.json's points up to 1; the table in report/review/wide/); no
CAS and no copy check. Runs of one review can go in parallel processes (one --only NAME each): each writes its own
run folder's file, and a last call over all of them, which finds every file current, writes the table.

The second judge (report/runs/judge) is trained first when it is missing (about 6 epochs of a small residual CNN;
minutes on a GPU, about 15 min on a 2-core CPU). Runs without weights are skipped and named. Every result is
cached (cvae_lib.reporting.reviewing says on what).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.review_config import HELDOUT, WIDE, ReviewConfig  # noqa: E402
from cvae_lib.evaluation.review import review_file  # noqa: E402
from cvae_lib.reporting import heldout, review_table, reviewing  # noqa: E402
from cvae_lib.training import runs  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default=str(runs.PROJECT / "report" / "runs"), help="folder of run folders")
    parser.add_argument("--only", nargs="+", help="review only these run folders (names)")
    parser.add_argument("--cas-seeds", type=int, default=3,
                        help="compute CAS for the first N seeds of each method at its operating point (0: none)")
    parser.add_argument("--out", default=str(runs.PROJECT / "report" / "review"), help="folder of the table")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--heldout", action="store_true",
                        help="the held-out check: validation on half the test set, temperatures 0.5-1.5, no CAS")
    parser.add_argument("--wide", action="store_true",
                        help="the wide grid: the main protocol with temperatures up to 3, no CAS")
    args = parser.parse_args(argv)
    if args.heldout and args.wide:
        parser.error("--heldout and --wide are two checks: run them one at a time")
    config = HELDOUT if args.heldout else WIDE if args.wide else ReviewConfig()
    check = args.heldout or args.wide
    if check:
        args.cas_seeds = 0
        if args.out == str(runs.PROJECT / "report" / "review"):
            args.out = str(runs.PROJECT / "report" / (heldout.HELDOUT_DIR if args.heldout else heldout.WIDE_DIR))
    root = Path(args.runs)
    dirs = [p for p in sorted(root.iterdir()) if review_table.MAIN_RUN.match(p.name) and (not args.only or p.name in args.only)]
    table = reviewing.review_all(dirs, root / "classifier", root / "judge", args.out, cas_seeds=args.cas_seeds,
                                 config=config, device=resolve_device(args.device), progress=True,
                                 copy_check=not check)
    for method, entry in table["methods"].items():
        t = entry["test"]
        print(f"{method:42s} tau={entry['tau']:.2f} acc={t['classifier']['accuracy']['mean']:.3f}/"
              f"{t['judge']['accuracy']['mean']:.3f} FD={t['classifier']['fd']['mean']:.1f}/{t['judge']['fd']['mean']:.2f}"
              f" P={t['classifier']['precision']['mean']:.2f}/{t['judge']['precision']['mean']:.2f}"
              f" R={t['classifier']['recall']['mean']:.2f}/{t['judge']['recall']['mean']:.2f}"
              + (f" CAS={entry['cas']['mean']:.3f}" if "cas" in entry else ""))
    print("Kendall tau between judges:", table["kendall_tau"])
    print(f"review files: {review_file(config)} in each run folder; table: {Path(args.out) / reviewing.SUMMARY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
