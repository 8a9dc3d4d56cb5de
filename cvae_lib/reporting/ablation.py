"""Why the conv VAE-GAN samples better: its ablations (sweeps/ablations.yaml), each trained without one of the
parts the VAE-GAN adds to the CVAE (modelling.vaegan.ABLATIONS), against the full model's seeds.

Everything is read at tau = 1 (Section 5's fixed temperature: the ablations change the training, not the
sampling) from the review's curves (review.json: both judges, the test reference, the prior and the per-class GMM
sampler) and from metrics.json (prior samples' sharpness and the rate, KL per image). One ablation is one seed;
it is tested against the full model's seeds with the prediction-interval t-test (stats.prediction_p: is it
outside what another seed of the full recipe would give?), Holm-corrected over every ablation x sampler x judge.

    python scripts/ablations.py      trains what is missing, reviews, writes report/review/ablations.json
"""
from pathlib import Path

from ..evaluation.stats import holm_adjusted, prediction_p
from ..training import runs

FILE = "ablations.json"
"""the summary in the review's folder (report/review/ablations.json)"""
SAMPLERS = ("prior", "gmm")
JUDGES = ("classifier", "judge")
TAU = 1.0


def point(review: dict, sampler: str, judge: str, tau: float = TAU, reference: str = "test") -> dict:
    """One judge's scores of one sampler at one temperature in a review.json."""
    for p in review["curves"][sampler]:
        if p["tau"] == tau:
            return p[reference][judge]
    raise ValueError(f"the review has no point at tau = {tau} for sampler {sampler!r}")


def scores(run_dir) -> dict:
    """What the ablation study reads of one run: sampler -> judge -> {fd, accuracy}, and the prior samples'
    sharpness and the rate (test KL per image) from metrics.json."""
    run_dir = Path(run_dir)
    review = runs.read_json(run_dir / "review.json")
    metrics = runs.read_json(run_dir / runs.METRICS)["metrics"]
    out = {s: {j: {q: point(review, s, j)[q] for q in ("fd", "accuracy")} for j in JUDGES} for s in SAMPLERS}
    out["sharpness"], out["rate"] = metrics["relative_sharpness"], metrics["test_kl"]
    return out


def summarize(full_dirs, ablation_dirs: dict, control_dirs=()) -> dict:
    """The study: the full model's per-seed scores, each ablation's (ablation name -> its run folder) with its
    prediction-interval p against those seeds and the Holm-adjusted p over all of them, and, for scale, the
    control's per-seed scores (control_dirs: the CVAE with the VAE-GAN's optimizer, the optimizer alone)."""
    full = [scores(d) for d in full_dirs]
    if len(full) < 2:
        raise ValueError(f"the ablations are tested against the full model's seeds: need at least 2, got {len(full)}")
    control = [scores(d) for d in control_dirs]

    def seeds(rows, *path):
        out = []
        for row in rows:
            for key in path:
                row = row[key]
            out.append(float(row))
        return out

    table = {"tau": TAU, "full": {"runs": [Path(d).name for d in full_dirs]},
             "control": {"runs": [Path(d).name for d in control_dirs]}, "ablations": {}}
    for name, rows in (("full", full), ("control", control)):
        if rows:
            table[name].update({s: {j: {q: seeds(rows, s, j, q) for q in ("fd", "accuracy")} for j in JUDGES}
                                for s in SAMPLERS})
            table[name].update({k: seeds(rows, k) for k in ("sharpness", "rate")})
    raw = {}
    for ablation, run_dir in ablation_dirs.items():
        mine = scores(run_dir)
        entry = {"run": Path(run_dir).name, "sharpness": mine["sharpness"], "rate": mine["rate"]}
        for s in SAMPLERS:
            entry[s] = {}
            for j in JUDGES:
                value = mine[s][j]["fd"]
                p = prediction_p(value, table["full"][s][j]["fd"])
                raw[(ablation, s, j)] = p
                entry[s][j] = {"fd": value, "accuracy": mine[s][j]["accuracy"], "p": p}
        table["ablations"][ablation] = entry
    adjusted = holm_adjusted(raw)
    for (ablation, s, j), p in adjusted.items():
        table["ablations"][ablation][s][j]["p_holm"] = p
    table["tests"] = len(raw)
    return table


def find_runs(runs_root, architecture: str = "conv", gamma: float = 0.1) -> dict:
    """The finished, reviewed ablation runs of one backbone's VAE-GAN in ``runs_root``: ablation -> run folder."""
    found = {}
    for d in sorted(Path(runs_root).iterdir()):
        if not (d / runs.CONFIG).is_file() or not (d / "review.json").is_file() or not (d / runs.METRICS).is_file():
            continue
        config = runs.read_config(d)
        if (config.extension == "vaegan" and config.gan_ablation != "none" and config.architecture == architecture
                and config.gan_gamma == gamma):
            found.setdefault(config.gan_ablation, d)
    return found
