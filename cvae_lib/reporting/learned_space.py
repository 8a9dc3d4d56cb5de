"""The answer in a feature space learned without labels (the codes of evaluation.label_free's autoencoder, scored by
scripts/free_features.py): the answer's trained model sampled from its prior, and by its GMM where that was scored
too, against its backbone's original CVAE, Welch's test over seeds Holm-adjusted over those comparisons; and the
lowest of the prior-sampled methods there. Appendix D's sentence, and the abstract's and conclusion's verdict."""
import numpy as np

from ..evaluation.stats import holm_adjusted, welch_p
from .answer import by_criterion, p_value
from .heldout import answer_comparisons, answer_pair, lowest_prior, welch_side

SPACE = "autoencoder"


def autoencoder_values(free: dict, table: dict, labels: dict) -> dict:
    """The numbers of the answer's comparison in the autoencoder's codes (``free``: free_features.json; ``table``: the
    review's summary; ``labels``: method -> name): name, base, tau, fd, fd_base, p, side ("lower", "higher" or
    "same" by Welch's test at 5 %) at their operating points; fd_one, fd_base_one, p_one, one_side at tau = 1 for
    both where either was scored away from it (a temperature alone moves FD); fd_gmm, p_gmm, gmm_side where the GMM
    sampler was scored; the p Holm-adjusted over these comparisons; the lowest prior-sampled method (best, best_fd, of
    n) and the real images' FD (real); {} unless both the answer's prior sampler and its original were scored."""
    comparisons = answer_comparisons(free, table, labels, SPACE)
    if not comparisons:
        return {}
    own, base = answer_pair(table, labels)
    methods = free["methods"]
    best = lowest_prior(free, labels, SPACE)
    (a, b, p), n = comparisons["op"], sum(m in labels and m.endswith(" · prior") and SPACE in e
                                          for m, e in methods.items())
    out = {"name": labels[own], "base": labels[base], "tau": methods[own]["tau"], "fd": float(np.mean(a)),
           "fd_base": float(np.mean(b)), "p": p, "side": welch_side(a, b, p), "tests": len(comparisons),
           "best": labels[best], "best_fd": float(np.mean(methods[best][SPACE])), "n": n, "real": free["real"][SPACE],
           "epochs": free.get(SPACE, {}).get("epochs"), "test_loss": free.get(SPACE, {}).get("test_loss")}
    if "one" in comparisons:
        a, b, p = comparisons["one"]
        out.update(fd_one=float(np.mean(a)), fd_base_one=float(np.mean(b)), p_one=p, one_side=welch_side(a, b, p))
    if "gmm" in comparisons:
        a, b, p = comparisons["gmm"]
        out.update(fd_gmm=float(np.mean(a)), p_gmm=p, gmm_side=welch_side(a, b, p))
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


def mixture_control(free: dict, table: dict, labels: dict) -> dict:
    """The answer's model sampled by its per-class GMM against its backbone's original CVAE sampled by its own GMM
    (the right control for the mixture's share of the gain), in the autoencoder's codes and in pixel blocks:
    {"base": the original's GMM-sampled method, "spaces": space -> {fd, fd_base, p, side}}, Welch's tests over seeds
    Holm-adjusted over the spaces; {} unless both mixtures were scored (scripts/free_features.py --gmm)."""
    own, base = (m.replace(" · prior", " · gmm") for m in answer_pair(table, labels))
    return _against(free, own, base, labels)


def rival(free: dict, table: dict, labels: dict) -> dict:
    """The answer's model sampled by its per-class GMM against the other trained model that is lowest among the
    prior-sampled methods in both label-free spaces (the autoencoder's codes and pixel blocks), where that one is
    another model than the answer's (the conv VampPrior, say): mixture_control's form, Welch's tests over seeds
    Holm-adjusted over the spaces; {} where the two spaces name different methods, or the answer's own model."""
    own, _ = answer_pair(table, labels)
    lowest = {lowest_prior(free, labels, s) for s in (SPACE, "pixels")}
    if len(lowest) != 1 or "" in lowest:
        return {}
    base = lowest.pop()
    if base.split(" · ")[0] == own.split(" · ")[0]:
        return {}
    return _against(free, own.replace(" · prior", " · gmm"), base, labels)


def _against(free: dict, own: str, base: str, labels: dict) -> dict:
    """``own`` against ``base`` in the label-free spaces both were scored in: {"base", "spaces": space -> {fd, fd_base,
    p, side}}, Welch's tests over seeds Holm-adjusted over the spaces; {} where none, or ``base`` has no name."""
    mine, theirs = (free.get("methods", {}).get(m, {}) for m in (own, base))
    spaces = [s for s in (SPACE, "pixels") if s in mine and s in theirs]
    if not spaces or base not in labels:
        return {}
    p = holm_adjusted({s: welch_p(mine[s], theirs[s]) for s in spaces})
    return {"base": base, "spaces": {s: {"fd": float(np.mean(mine[s])), "fd_base": float(np.mean(theirs[s])),
                                         "p": p[s], "side": welch_side(mine[s], theirs[s], p[s])} for s in spaces}}


def spaces_sentence(ae: dict, pixel_side: str, pixel: dict, free: dict, labels: dict, word,
                    key: str = "abstract_spaces", table: dict = None, control: bool = True) -> str:
    """The abstract's (``key``) verdict on the answer's model in the two spaces not learned from labels, the
    autoencoder's codes (``ae``: autoencoder_values) and 2 x 2 pixel-block means (``pixel_side``, ``pixel``:
    heldout.free_pixel_side), at the operating points, in one sentence where both spaces agree for each sampler (its
    prior, its GMM; ``free``: free_features.json, ``labels``: method -> name), and, given the review's ``table``, how
    its mixture stands against the original's own mixture (mixture_control): better in both spaces, or not told apart
    in the spaces named (left out with ``control`` False); ``key`` + "_weak" (the lead said to be less clear there)
    where the sampler the answer names first (the criterion's first, given the ``table``; its prior sampler
    without one) is not better than the original in them; "" where the two spaces disagree (the caller then says
    each space's own). The third label-free space, an untrained network's features, is left to Appendix D: it also
    rewards speckle (space_table.random_favours). The lowest other method in these spaces is Appendix D's
    (mixture_control_sentence with "rival_control")."""
    if not ae or not pixel_side or "gmm_side" not in ae or "gmm_side" not in pixel:
        return ""
    if ae["side"] != pixel_side or ae["gmm_side"] != pixel["gmm_side"]:
        return ""
    against = mixture_control(free, table, labels).get("spaces", {}) if table and control else {}
    sides = {s: c["side"] for s, c in against.items()}
    tied = [word(f"space_{s}") for s, side in sides.items() if side == "same"]
    gmm = word(f"spaces_gmm_{ae['gmm_side']}") + (
        word("spaces_gmm_control_lower") if sides and set(sides.values()) == {"lower"} else
        word("spaces_gmm_control_tied", spaces=word("list_sep").join(tied)) if tied and "higher" not in sides.values()
        else "")  # against the original's own mixture: better in both, or not told apart in some
    first = by_criterion(table, labels)[0] if table else ""
    lead = pixel["gmm_side"] if first.endswith(" · gmm") else pixel_side  # the answer's first-named sampler
    weak = "" if lead == "lower" else "_weak"  # not ahead there: the lead said to weaken first
    return word(key + weak, name=ae["name"], prior=word(f"spaces_prior_{pixel_side}"), gmm=gmm)


def mixture_control_sentence(control: dict, labels: dict, word, key: str = "mixture_control") -> str:
    """Appendix D's sentence from mixture_control, or from rival with ``key`` "rival_control" ("" without it)."""
    if not control:
        return ""
    items = word("list_sep").join(word(f"mixture_item_{c['side']}", space=word(f"space_{s}"), fd=c["fd"],
                                       fd_base=c["fd_base"], p=p_value(c["p"])) for s, c in control["spaces"].items())
    return word(key, base=labels[control["base"]], items=items, n=len(control["spaces"]))
