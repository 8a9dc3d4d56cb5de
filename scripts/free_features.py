"""FD of every reviewed prior-sampled method at its operating point in two feature spaces no training shaped
(cvae_lib.evaluation.free_features): a randomly initialized residual network of the second judge's design, and
2 x 2 pixel-block means; and in a third learned without labels (cvae_lib.evaluation.label_free: the codes of an MLP
autoencoder trained here on the training images, seeded, 20 epochs, about 1 min); the real images' own value beside them
(10,000 other training images).

    python scripts/free_features.py [--per-class 1000] [--device auto]

Reads the review's table (report/review/summary.json: each method's runs and tau*) and writes
report/review/free_features.json: per method, tau and the per-seed FDs in each space, and where tau* is not 1 the
same at tau = 1 ("tau_one"), since the temperature alone moves these FDs. About 10 s per run and temperature on a
2-core CPU.

    python scripts/free_features.py --gmm "conv vaegan γ=0.1 lr=0.0003 · gmm"

also scores the named GMM-sampled methods (no name: every one) at their tau*: each run refits the review's seeded
per-class mixture to its training codes (evaluation.review.sampler_draws, the draws CAS is measured on), 2 to 3
minutes per run here. Methods scored before and not named again keep their entries.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tqdm import tqdm  # noqa: E402

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.base.fileio import write_json  # noqa: E402
from cvae_lib.base.review_config import ReviewConfig  # noqa: E402
from cvae_lib.evaluation import free_features as ff  # noqa: E402
from cvae_lib.evaluation import label_free  # noqa: E402
from cvae_lib.evaluation.evaluate import frechet_distance  # noqa: E402
from cvae_lib.evaluation.review import sampler_draws  # noqa: E402
from cvae_lib.training import runs  # noqa: E402

REVIEW = runs.PROJECT / "report" / "review"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default=str(runs.PROJECT / "report" / "runs"))
    parser.add_argument("--per-class", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="the untrained network's, the autoencoder's and the draws' seed")
    parser.add_argument("--autoencoder-epochs", type=int, default=20)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--gmm", nargs="*", default=None, metavar="METHOD",
                        help="also score these GMM-sampled methods of the review (none named: every one)")
    args = parser.parse_args()
    device = resolve_device(args.device)
    table = runs.read_json(REVIEW / "summary.json")
    gmm = {m: e for m, e in table["methods"].items() if e["sampler"] == "gmm"}
    wanted = sorted(gmm) if args.gmm == [] else sorted(args.gmm or [])  # --gmm alone: every one; no --gmm: none
    unknown = sorted(set(wanted) - set(gmm))
    if unknown:  # before minutes of scoring
        parser.error(f"not a GMM-sampled method of the review: {', '.join(unknown)} (known: {', '.join(sorted(gmm))})")
    data = load_fashion_mnist()
    network = ff.untrained_network(args.seed)
    autoencoder, losses = label_free.train_autoencoder(data.train_images, args.autoencoder_epochs, seed=args.seed,
                                                       device=device)
    reference = ff.features(network, data.test_images, autoencoder)
    real = ff.features(network, data.train_images[:10_000], autoencoder)
    out = {"per_class": args.per_class, "seed": args.seed,
           "autoencoder": {"epochs": args.autoencoder_epochs, "train_loss": losses,
                           "test_loss": label_free.reconstruction_loss(autoencoder, data.test_images)},
           "real": {space: frechet_distance(real[space], reference[space]) for space in reference}, "methods": {}}
    chosen = {m: e for m, e in table["methods"].items() if e["sampler"] == "prior"}
    for method, entry in tqdm(sorted(chosen.items()), desc="methods", unit="method"):
        scores = [ff.free_fds(ff.prior_samples(Path(args.runs) / r, entry["tau"], args.per_class, args.seed, device),
                              reference, network, autoencoder) for r in entry["runs"]]
        out["methods"][method] = {"tau": entry["tau"], **{s: [x[s] for x in scores] for s in reference}}
        if entry["tau"] != 1:  # the same seeded draws at the trained prior: the methods compared at one temperature
            ones = [ff.free_fds(ff.prior_samples(Path(args.runs) / r, 1.0, args.per_class, args.seed, device),
                                reference, network, autoencoder) for r in entry["runs"]]
            out["methods"][method]["tau_one"] = {s: [x[s] for x in ones] for s in reference}
    previous = runs.read_json(REVIEW / "free_features.json") if (REVIEW / "free_features.json").exists() else {}
    if ((previous.get("per_class"), previous.get("seed"), previous.get("autoencoder", {}).get("epochs"))
            == (args.per_class, args.seed, args.autoencoder_epochs)):  # the same draws' and spaces' settings
        out["methods"].update({m: e for m, e in previous["methods"].items() if m in gmm and m not in wanted})
    for method in tqdm(wanted, desc="GMM methods", unit="method"):
        entry = gmm[method]  # the review's mixture (seeded by its config), refitted: minutes per run
        scores = [ff.free_fds(sampler_draws(Path(args.runs) / r, "gmm", entry["tau"], args.per_class, args.seed,
                                            ReviewConfig(), device, data)[0], reference, network, autoencoder)
                  for r in entry["runs"]]
        out["methods"][method] = {"tau": entry["tau"], **{s: [x[s] for x in scores] for s in reference}}
    write_json(REVIEW / "free_features.json", out)
    print(f"wrote {REVIEW / 'free_features.json'}: {len(out['methods'])} methods")
    return 0


if __name__ == "__main__":
    sys.exit(main())
