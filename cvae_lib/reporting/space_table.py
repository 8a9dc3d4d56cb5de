"""One table of the answer's evidence across feature spaces: every reviewed method's test FD in the two judges'
features (Section 4's review) and in the three spaces no label trained (scripts/free_features.py: an untrained
network of judge B's design, the codes of an autoencoder trained without labels, 2 x 2 pixel-block means), at its
operating point, with the answer's pair again at tau = 1 where free_features.json holds those draws.
"""
import numpy as np

from ..evaluation.stats import holm_adjusted, welch_p
from .review_table import at, backbone_original

FREE_SPACES = ("random_network", "autoencoder", "pixels")
"""the label-free spaces of free_features.json, in the table's column order"""
RANDOM_SCALE = 1e3
"""the untrained network's FDs are about 1e-3: printed times 1,000"""


def number(x: float) -> str:
    """Three significant digits at most, never in exponent form: 180, 31.0, 4.43, 0.397, 0.0435."""
    if not np.isfinite(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    digits = max(3, 2 - int(np.floor(np.log10(abs(x)))) if x else 3)
    return f"{x:.{digits}f}"


def _mean(values) -> float:
    return float(np.mean(values))


def _means(entry: dict) -> dict:
    """A method's seed-mean FD in each label-free space (free_features.json's per-seed lists), FREE_SPACES' order."""
    return {s: _mean(entry[s]) for s in FREE_SPACES}


def _free(entry: dict) -> list:
    """A method's seed-mean FD in each label-free space, the untrained network's scaled."""
    return [number(fd * (RANDOM_SCALE if s == "random_network" else 1)) for s, fd in _means(entry).items()]


def rows(review: dict, free: dict, labels: dict, real_label: str, tau_one_label: str, tau_one_for=None,
         curves: dict = None) -> list:
    """The table's rows in ``labels``' order (the review table's): method, tau*, judge A's and judge B's test FD,
    then the label-free spaces' FDs; for a method whose tau = 1 draws were scored too (free_features.json's
    "tau_one"), a second row "{name} (tau = 1)" (``tau_one_label`` formats it) with the label-free spaces only
    and the judges' test FDs at tau = 1 where ``curves`` (review_table.methods: method -> run -> curve) holds them,
    for the methods in ``tau_one_for`` only where given; the real images last. Only methods scored in every space."""
    scored = free.get("methods", {})
    out = []
    for m, name in labels.items():
        if m not in review["methods"] or m not in scored or not all(s in scored[m] for s in FREE_SPACES):
            continue
        entry, test = review["methods"][m], review["methods"][m]["test"]
        out.append([name, f"{entry['tau']:g}", number(test["classifier"]["fd"]["mean"]),
                    number(test["judge"]["fd"]["mean"]), *_free(scored[m])])
        one = scored[m].get("tau_one", {})
        if entry["tau"] != 1 and all(s in one for s in FREE_SPACES) and (tau_one_for is None or m in tau_one_for):
            judged = ([number(float(np.mean(at(curves[m], 1.0, "test", j, "fd")))) for j in ("classifier", "judge")]
                      if curves and m in curves else ["–", "–"])
            out.append([tau_one_label.format(name=name), "1", *judged, *_free(one)])
    real, judged = free.get("real", {}), review["real"]["test"]
    out.append([real_label, "–", number(judged["classifier"]["fd"]), number(judged["judge"]["fd"]),
                *[number(real[s] * (RANDOM_SCALE if s == "random_network" else 1)) if s in real else "–"
                  for s in FREE_SPACES]])
    return out


def random_network(free: dict, own: str, base: str) -> dict:
    """The answer's prior sampler (``own``) against its original (``base``) in the untrained network's features:
    {"ratio": the original's seed-mean FD over its, "p": Welch's p over seeds (one test, uncorrected)}; {} unless
    both were scored there."""
    scored = free.get("methods", {})
    if not all(m in scored and "random_network" in scored[m] for m in (own, base)):
        return {}
    mine, theirs = scored[own]["random_network"], scored[base]["random_network"]
    return {"ratio": float(np.mean(theirs) / np.mean(mine)), "p": welch_p(mine, theirs)}


def reversed_methods(review: dict, free: dict) -> list:
    """The methods sampled from their own prior that both judges put ahead of their backbone's original CVAE
    (lower test FD, seed means) but that score worse than it in both the autoencoder's codes and the pixel blocks:
    where the label-free spaces reverse the judges' verdict. Both at their operating points."""
    scored, out = free.get("methods", {}), []
    for m, entry in review["methods"].items():
        base = backbone_original(m)
        if not m.endswith(" · prior") or m == base or m not in scored or base not in scored or base not in review["methods"]:
            continue
        ahead = all(entry["test"][j]["fd"]["mean"] < review["methods"][base]["test"][j]["fd"]["mean"]
                    for j in ("classifier", "judge"))
        behind = all(s in scored[m] and s in scored[base] and np.mean(scored[m][s]) > np.mean(scored[base][s])
                     for s in ("autoencoder", "pixels"))
        if ahead and behind:
            out.append(m)
    return out


def random_favours(free: dict, methods: list) -> list:
    """Of ``methods`` (reversed_methods': behind their original in the autoencoder's codes and the pixel blocks),
    those the untrained network's features still put ahead of it (lower seed-mean FD): that space rewards what those
    samples have and the others lack (the MLP VAE-GAN's speckle), so its verdict on the answer is no evidence. Each
    as (method, its FD, the original's FD), both times RANDOM_SCALE as Appendix D's table prints them."""
    scored, out = free.get("methods", {}), []
    for m in methods:
        base = backbone_original(m)
        if all(x in scored and "random_network" in scored[x] for x in (m, base)):
            mine, theirs = (float(np.mean(scored[x]["random_network"])) * RANDOM_SCALE for x in (m, base))
            if mine < theirs:
                out.append((m, mine, theirs))
    return out


VERDICT_SPACES = ("autoencoder", "pixels")
"""the label-free spaces a verdict may rest on: the untrained network's features favour high-frequency noise
(random_favours: they put the speckled MLP VAE-GAN ahead of its original), so Appendix D shows them, no verdict reads them"""


def backbones(free: dict, mlp: str, conv: str, spaces: tuple = VERDICT_SPACES) -> dict:
    """The two original CVAEs (``mlp``, ``conv``: their methods) in the label-free ``spaces``, each at its operating
    point: per space the seed means ("mlp", "conv") and Welch's p over seeds, Holm-adjusted over the spaces ("p");
    "side": "lower" where conv's FD is significantly below the MLP's in every space, "higher" where above in every
    one, "" otherwise; "same_at_one": whether the same side holds with both at tau = 1 (free_features.json's
    "tau_one" draws stand in for an operating point that is not 1; None where those were not scored). {} unless
    both were scored in every space."""
    scored = free.get("methods", {})
    if not all(m in scored and all(s in scored[m] for s in spaces) for m in (mlp, conv)):
        return {}

    def side(a: dict, b: dict) -> tuple:
        p = holm_adjusted({s: welch_p(b[s], a[s]) for s in spaces})
        below = [_mean(b[s]) < _mean(a[s]) for s in spaces]
        significant = all(p[s] < 0.05 for s in spaces)
        return ("lower" if significant and all(below) else "higher" if significant and not any(below) else ""), p

    kind, p = side(scored[mlp], scored[conv])
    at_one = [scored[m] if scored[m].get("tau", 1.0) == 1.0 else scored[m].get("tau_one") for m in (mlp, conv)]
    same = (side(*at_one)[0] == kind) if all(e and all(s in e for s in spaces) for e in at_one) else None
    return {"side": kind, "p": p, "same_at_one": same,
            "spaces": {s: {k: _mean(scored[m][s]) for k, m in (("mlp", mlp), ("conv", conv))} for s in spaces}}


SPACES = ("judge_a", "judge_b", *FREE_SPACES)
"""the five feature spaces: both judges' (the review's test FD), then the label-free ones"""


def sampler_split(review: dict, free: dict, gmm: str, prior: str) -> dict:
    """Which of one trained model's two samplers (``gmm``, ``prior``: their methods, each at its operating point)
    has the lower seed-mean test FD in each of the five spaces: {"gmm": [spaces], "prior": [spaces]} in SPACES'
    order; {} unless both were scored in all five."""
    scored, methods = free.get("methods", {}), review.get("methods", {})
    if not all(m in methods and m in scored and all(s in scored[m] for s in FREE_SPACES) for m in (gmm, prior)):
        return {}
    fd = {m: {"judge_a": methods[m]["test"]["classifier"]["fd"]["mean"], "judge_b": methods[m]["test"]["judge"]["fd"]["mean"],
              **_means(scored[m])} for m in (gmm, prior)}
    out = {"gmm": [], "prior": []}
    for s in SPACES:
        out["gmm" if fd[gmm][s] < fd[prior][s] else "prior"].append(s)
    return out
