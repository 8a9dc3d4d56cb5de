"""The answer in a feature space learned without labels (the codes of evaluation.label_free's autoencoder, scored by
scripts/free_features.py): the answer's trained model sampled from its prior, and by its GMM where that was scored
too, against its backbone's original CVAE, Welch's test over seeds Holm-adjusted over those comparisons; and the
lowest of the prior-sampled methods there. Appendix D's sentence, and the abstract's and conclusion's verdict."""
import numpy as np

from ..evaluation.stats import holm_adjusted, welch_p
from .answer import p_value
from .heldout import answer_pair

SPACE = "autoencoder"


def _side(a, b, p) -> str:
    return "same" if not p < 0.05 else "lower" if np.mean(a) < np.mean(b) else "higher"


def autoencoder_values(free: dict, table: dict, labels: dict) -> dict:
    """The numbers of the answer's comparison in the autoencoder's codes (``free``: free_features.json; ``table``: the
    review's summary; ``labels``: method -> name): name, base, tau, fd, fd_base, p, side ("lower", "higher" or
    "same" by Welch's test at 5 %) at their operating points; fd_one, fd_base_one, p_one, one_side at tau = 1 for
    both where either was scored away from it (a temperature alone moves FD); fd_gmm, p_gmm, gmm_side where the GMM
    sampler was scored; the p Holm-adjusted over these comparisons; the lowest prior-sampled method (best, best_fd, of
    n) and the real images' FD (real); {} unless both the answer's prior sampler and its original were scored."""
    own, base = answer_pair(table, labels)
    methods = free.get("methods", {})
    if SPACE not in methods.get(own, {}) or SPACE not in methods.get(base, {}):
        return {}
    pairs = {"prior": (methods[own][SPACE], methods[base][SPACE])}
    one = [e[SPACE] if e["tau"] == 1 else e.get("tau_one", {}).get(SPACE) for e in (methods[own], methods[base])]
    if (methods[own]["tau"] != 1 or methods[base]["tau"] != 1) and all(one):
        pairs["one"] = tuple(one)
    mixture = own.replace(" · prior", " · gmm")
    if SPACE in methods.get(mixture, {}):
        pairs["gmm"] = (methods[mixture][SPACE], methods[base][SPACE])
    p = holm_adjusted({k: welch_p(*ab) for k, ab in pairs.items()})
    mean = {m: float(np.mean(e[SPACE])) for m, e in methods.items() if m in labels and SPACE in e}
    priors = {m: v for m, v in mean.items() if m.endswith(" · prior")}
    best = min(priors, key=priors.get)
    out = {"name": labels[own], "base": labels[base], "tau": methods[own]["tau"], "fd": mean[own],
           "fd_base": mean[base], "p": p["prior"], "side": _side(*pairs["prior"], p["prior"]), "tests": len(pairs),
           "best": labels[best], "best_fd": priors[best], "n": len(priors), "real": free["real"][SPACE],
           "epochs": free.get(SPACE, {}).get("epochs"), "test_loss": free.get(SPACE, {}).get("test_loss")}
    if "one" in pairs:
        out.update(fd_one=float(np.mean(pairs["one"][0])), fd_base_one=float(np.mean(pairs["one"][1])), p_one=p["one"],
                   one_side=_side(*pairs["one"], p["one"]))
    if "gmm" in pairs:
        out.update(fd_gmm=mean[mixture], p_gmm=p["gmm"], gmm_side=_side(*pairs["gmm"], p["gmm"]))
    return out


def autoencoder_sentence(values: dict, word) -> str:
    """Appendix D's sentence from autoencoder_values ("" without them): the space, the lowest method, and the answer
    against its original (words "ae_<side>", "ae_gmm_<side>")."""
    if not values:
        return ""
    one = (word(f"ae_one_{values['one_side']}", fd_one=values["fd_one"], fd_base_one=values["fd_base_one"],
                p_one=p_value(values["p_one"])) if "one_side" in values else "")
    gmm = (word(f"ae_gmm_{values['gmm_side']}", fd_gmm=values["fd_gmm"], p_gmm=p_value(values["p_gmm"]))
           if "gmm_side" in values else "")
    space = {k: values[k] for k in ("epochs", "test_loss", "real", "n", "best", "best_fd")}
    return word("ae_sentence", **space, clause=word(f"ae_{values['side']}", **{**values, "p": p_value(values["p"])})
                + one + gmm, tests=word("ae_tests_holm", n=values["tests"]) if values["tests"] > 1 else word("ae_tests_one"))


def lowest_prior(free: dict, labels: dict, space: str) -> str:
    """The method sampled from its own prior with the lowest seed-mean FD in ``space`` of free_features.json ("" if
    none was scored there)."""
    mean = {m: float(np.mean(e[space])) for m, e in free.get("methods", {}).items()
            if m in labels and m.endswith(" · prior") and space in e}
    return min(mean, key=mean.get) if mean else ""


def mixture_control(free: dict, table: dict, labels: dict) -> dict:
    """The answer's model sampled by its per-class GMM against its backbone's original CVAE sampled by its own GMM
    (the right control for the mixture's share of the gain), in the autoencoder's codes and in pixel blocks:
    {"base": the original's GMM-sampled method, "spaces": space -> {fd, fd_base, p, side}}, Welch's tests over seeds
    Holm-adjusted over the spaces; {} unless both mixtures were scored (scripts/free_features.py --gmm)."""
    own, base = (m.replace(" · prior", " · gmm") for m in answer_pair(table, labels))
    mine, theirs = (free.get("methods", {}).get(m, {}) for m in (own, base))
    spaces = [s for s in (SPACE, "pixels") if s in mine and s in theirs]
    if not spaces or base not in labels:
        return {}
    p = holm_adjusted({s: welch_p(mine[s], theirs[s]) for s in spaces})
    return {"base": base, "spaces": {s: {"fd": float(np.mean(mine[s])), "fd_base": float(np.mean(theirs[s])),
                                         "p": p[s], "side": _side(mine[s], theirs[s], p[s])} for s in spaces}}


def spaces_sentence(ae: dict, pixel_side: str, pixel: dict, free: dict, labels: dict, word,
                    key: str = "abstract_spaces", table: dict = None) -> str:
    """The abstract's (``key``) verdict on the answer's model in the two spaces not learned from labels, the
    autoencoder's codes (``ae``: autoencoder_values) and 2 x 2 pixel-block means (``pixel_side``, ``pixel``:
    heldout.free_pixel_side), at the operating points, in one sentence where both spaces agree for each sampler (its
    prior, its GMM), with the lowest prior-sampled method where both spaces name the same one and it is not the
    answer's (``free``: free_features.json, ``labels``: method -> name), and, given the review's ``table``, how its
    mixture stands against the original's own mixture (mixture_control): better in both spaces, or not told apart
    in the spaces named; "" where the two spaces disagree (the caller then says each space's own)."""
    if not ae or not pixel_side or "gmm_side" not in ae or "gmm_side" not in pixel:
        return ""
    if ae["side"] != pixel_side or ae["gmm_side"] != pixel["gmm_side"]:
        return ""
    lowest = {lowest_prior(free, labels, s) for s in (SPACE, "pixels")}
    best = next(iter(lowest)) if len(lowest) == 1 else ""
    control = mixture_control(free, table, labels).get("spaces", {}) if table else {}
    sides = {s: c["side"] for s, c in control.items()}
    tied = [word(f"space_{s}") for s, side in sides.items() if side == "same"]
    gmm = word(f"spaces_gmm_{ae['gmm_side']}") + (
        word("spaces_gmm_control_lower") if sides and set(sides.values()) == {"lower"} else
        word("spaces_gmm_control_tied", spaces=word("list_sep").join(tied)) if tied and "higher" not in sides.values()
        else "")  # against the original's own mixture: better in both, or not told apart in some
    return word(key, name=ae["name"], prior=word(f"spaces_prior_{pixel_side}"), gmm=gmm,
                best=word("spaces_best", name=labels[best]) if best and labels[best] != ae["name"] else "")


def mixture_control_sentence(control: dict, labels: dict, word) -> str:
    """Appendix D's sentence from mixture_control ("" without it)."""
    if not control:
        return ""
    items = word("list_sep").join(word(f"mixture_item_{c['side']}", space=word(f"space_{s}"), fd=c["fd"],
                                       fd_base=c["fd_base"], p=p_value(c["p"])) for s, c in control["spaces"].items())
    return word("mixture_control", base=labels[control["base"]], items=items, n=len(control["spaces"]))
