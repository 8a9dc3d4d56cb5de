"""The review's table: methods over seeds, operating points chosen on the validation reference, the test set
read once at those points, t intervals, and the rank agreement of the two judges.

A *method* is a sampler of a kind of run: (architecture, extension and its settings, sampler), e.g. "mlp · prior"
or "conv vaegan γ=0.1 · gmm"; its seeds are the runs that differ only in seed. Its *operating point* is the
temperature that minimizes, on the validation reference and averaged over seeds, the mean over the two judges of
FD / FD floor (the FD that 10,000 real training images get against the same reference): a choice that needs no
test image and weighs both judges alike. The test scores at that point are the method's entry in the final table.
"""
import re

from ..evaluation.review import JUDGES
from ..evaluation.stats import kendall_tau, t_interval

QUANTITIES = ("accuracy", "fd", "precision", "recall", "density", "coverage")
"""the scores read in each judge's feature space, one vote each"""
MAIN_RUN = re.compile(r"^(mlp|conv)-s\d+(-vampprior|-vaegan.*)?$")
"""the run folders of the comparison: seed runs of the original models and of the extensions (not the sweeps)"""


def method_of(config, sampler: str) -> str:
    """The method a run's sampler belongs to, the same for all its seeds."""
    name = config.architecture
    if config.extension == "vampprior":
        name += " vampprior"
    elif config.extension == "vaegan":
        name += f" vaegan γ={config.gan_gamma:g} lr={config.learning_rate:g}"
    return f"{name} · {sampler}"


def normalized_fd(point: dict, real: dict, reference: str = "validation") -> float:
    """Mean over the judges of FD / FD floor at one curve point."""
    return sum(point[reference][j]["fd"] / real[reference][j]["fd"] for j in JUDGES) / len(JUDGES)


def methods(reviews: dict, configs: dict) -> dict:
    """method -> {run name -> curve (list of points)} from run name -> review.json and run name -> config."""
    out = {}
    for name, review in sorted(reviews.items()):
        for sampler, curve in review["curves"].items():
            out.setdefault(method_of(configs[name], sampler), {})[name] = curve
    return out


def operating_point(curves: dict, real: dict) -> float:
    """The temperature with the smallest seed-mean normalized validation FD (ties: the larger temperature)."""
    taus = [p["tau"] for p in next(iter(curves.values()))]
    score = {tau: sum(normalized_fd(next(p for p in curve if p["tau"] == tau), real) for curve in curves.values())
             / len(curves) for tau in taus}
    return min(taus, key=lambda tau: (score[tau], -tau))


def at(curves: dict, tau: float, reference: str, judge: str, quantity: str) -> list:
    """The per-seed values of one score at one temperature."""
    return [next(p for p in curve if p["tau"] == tau)[reference][judge][quantity] for curve in curves.values()]


def summarize(reviews: dict, configs: dict, real: dict, cas: dict = None) -> dict:
    """The table: per method, its seeds, operating point, the validation and test scores there (mean and t-based
    95 % half-width over seeds, in both judges; relative accuracy and |log sharpness ratio| from the evaluation
    classifier), CAS where measured (cas: method -> list of per-seed accuracies); then Kendall's tau between the
    judges' FD rankings of the methods at their operating points (test) and over every curve point (validation)."""
    table, cas, grouped = {}, cas or {}, methods(reviews, configs)
    for method, curves in grouped.items():
        tau = operating_point(curves, real)
        entry = {"runs": sorted(curves), "tau": tau}
        for reference in ("validation", "test"):
            entry[reference] = {j: {q: t_interval(at(curves, tau, reference, j, q))._asdict() for q in QUANTITIES}
                                for j in JUDGES}
            for q in ("relative_accuracy", "log_sharpness_distance"):
                entry[reference]["classifier"][q] = t_interval(at(curves, tau, reference, "classifier", q))._asdict()
        if method in cas:
            entry["cas"] = t_interval(cas[method])._asdict()
        table[method] = entry
    names = sorted(table)
    fd = {j: [table[m]["test"][j]["fd"]["mean"] for m in names] for j in JUDGES}
    every = {j: [p["validation"][j]["fd"] for m, curves in grouped.items()
                 for curve in curves.values() for p in curve] for j in JUDGES}
    agreement = {"methods_at_operating_points_test_fd": kendall_tau(*fd.values()) if len(names) > 1 else None,
                 "every_curve_point_validation_fd": kendall_tau(*every.values())}
    out = {"methods": table, "real": real, "kendall_tau": agreement}
    original = grouped.get(ORIGINAL)
    if original and any(p["tau"] == 1.0 for p in next(iter(original.values()))):
        out["original_fd_test"] = {j: t_interval(at(original, 1.0, "test", j, "fd")).mean for j in JUDGES}
        for entry in table.values():
            entry["targets"] = targets(entry, out["original_fd_test"], real_cas=None)
    return out


ORIGINAL = "mlp · prior"
"""the original homework's sampler: the MLP CVAE with z ~ N(0, I), i.e. its prior at tau = 1"""


def targets(entry: dict, original_fd: dict, real_cas: float = None) -> dict:
    """The review's moonshot at a method's operating point, on the test set, in both judges: FD at most a quarter
    of the original MLP's, recall at least 0.5 with precision at least 0.85; CAS within 0.03 of real images'
    (when both are known). Each value is the mean over seeds; "met" only when every part is."""
    test = entry["test"]
    parts = {}
    for j in JUDGES:
        parts[f"{j}_fd_ratio"] = test[j]["fd"]["mean"] / original_fd[j]
        parts[f"{j}_fd_met"] = parts[f"{j}_fd_ratio"] <= 0.25
        parts[f"{j}_recall_met"] = test[j]["recall"]["mean"] >= 0.5
        parts[f"{j}_precision_met"] = test[j]["precision"]["mean"] >= 0.85
    if real_cas is not None and "cas" in entry:
        parts["cas_gap"] = real_cas - entry["cas"]["mean"]
        parts["cas_met"] = parts["cas_gap"] <= 0.03
    parts["met"] = all(v for k, v in parts.items() if k.endswith("_met")) and "cas_met" in parts
    return parts
