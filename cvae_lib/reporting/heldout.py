"""The checks of the review's answer. The held-out check (scripts/review.py --heldout, review_config.HELDOUT):
the runs behind the answer reviewed again with every choice made on one half of the test set, which no model,
mixture or judge was fitted to, and the scores read on the other half, over temperatures on both sides of 1. The
wide grid (scripts/review.py --wide, review_config.WIDE): every method's curve continued to tau = 3, so that the
protocol's choice (review_table.operating_point: lowest FD among the temperatures that keep the accuracy of tau = 1)
is made over temperatures on both sides of 1, and what choosing by FD alone would do is shown beside it.

They answer two objections to the main review: that its validation reference consists of training images, and that
most operating points sit at tau = 1. A third, that the first judge is laid out like the VAE-GAN's discriminator, is
weighed by the second judge's gains (judge_overlap) and by FD in two spaces no training shaped
(free_feature_sentence, from scripts/free_features.py). A fourth, that FD rewards what a classifier cannot use,
by the judge-free Classification Accuracy Score's order against FD's (cas_against_fd).
"""
from pathlib import Path

import numpy as np

from ..base.review_config import HELDOUT, WIDE, ReviewConfig
from ..evaluation.review import JUDGES
from ..evaluation.stats import holm_adjusted, kendall_tau, welch_p, welch_p_from_intervals
from .answer import by_criterion, family, fd_p, p_pair, p_value
from .names import listed
from .review_table import CONV_ORIGINAL, ORIGINAL, at, backbone_fds, backbone_judges_agree, backbone_original
from .space_table import random_network

HELDOUT_DIR = Path("review") / "heldout"
"""where, under the report folder, scripts/review.py --heldout writes its table (summary.json)"""
WIDE_DIR = Path("review") / "wide"
"""where, under the report folder, scripts/review.py --wide writes its table (summary.json)"""


def check_wide(wide: dict, main: dict) -> None:
    """Raise unless every method of ``main`` (the review's table, curves up to tau = 1, with CAS) has the operating
    point the wide grid's table ``wide`` chooses under the same protocol: only then are Table 4 and CAS the
    protocol's answer over the whole grid."""
    moved = {m: (e["tau"], wide["methods"][m]["tau"]) for m, e in main["methods"].items()
             if m in wide["methods"] and wide["methods"][m]["tau"] != e["tau"]}
    if moved:
        raise ValueError("on the wide grid these methods choose another temperature than the review's table "
                         f"(method: (table, wide)): {moved}; review them at the new points (CAS included) first")


def heldout_result(table: dict, labels=None) -> dict:
    """The check's outcome from its table (reviewing.review_all's summary under HELDOUT; only the methods ``labels``
    names, when given): the methods ranked by the declared criterion on the first half ("ranked"), the first and
    the second with Welch's p over seeds on each judge's FD on the other half ("p"), every method's operating point
    ("tau") and those above 1 ("above_one")."""
    entries, ranked = table["methods"], by_criterion(table, labels)
    if len(ranked) < 2:
        raise ValueError(f"the held-out check needs at least two methods, got {ranked}")
    first, second = ranked[:2]
    p = fd_p(entries[first], entries[second])
    tau = {m: entries[m]["tau"] for m in ranked}
    return {"ranked": ranked, "first": first, "second": second, "p": p, "tau": tau,
            "above_one": [m for m in ranked if tau[m] > 1]}


def coverage(table: dict, labels: dict, word, main: dict = None) -> str:
    """Which trained models the check reviewed again (``table``: its summary), in words: every one of the main
    review's (``main``), every one but those it left out (named), or, without ``main``, the models listed."""
    ranked = by_criterion(table, labels)
    families = dict.fromkeys(family(m) for m in ranked)  # the trained models, named by their prior's row

    def named(fs):
        return listed([labels.get(f"{f} · prior", f) for f in fs], word)
    if main is None:
        return word("heldout_models_listed", names=named(families))
    missing = [f for f in dict.fromkeys(family(m) for m in by_criterion(main, labels)) if f not in families]
    if len(missing) >= len(families):  # fewer reviewed again than left out: the reviewed ones are named
        return word("heldout_models_listed", names=named(families))
    return word("heldout_models_but", names=named(missing)) if missing else word("heldout_models_every")


def order_agreement(table: dict, main: dict, labels: dict, word) -> str:
    """How the check's order of the methods it shares with the main review follows the main review's (Kendall's
    rank correlation over the declared criterion's two orders); "" with fewer than three in common."""
    common = [m for m in by_criterion(main, labels) if m in table["methods"]]
    if len(common) < 3:
        return ""
    held = by_criterion(table, labels)
    k, p = kendall_tau([common.index(m) for m in common], [held.index(m) for m in common])
    return word("heldout_order", n=len(common), k=k, p=p_value(p))


def heldout_sentence(table: dict, main_first: str, labels: dict, word, per_class: int,
                     config: ReviewConfig = HELDOUT, main: dict = None) -> str:
    """The paragraph that reports the check: which models it covers (coverage), which method comes first on the
    held-out half and whether it is the main review's first (``main_first``), the second with Welch's p, how its
    order follows the main review's (``main``: that table; order_agreement), and which operating points lie above
    tau = 1; ``labels``: method -> name (the methods not named there are left out of the ranking); ``per_class``:
    the test images per class in each half; ``config``: the check's review config (its temperatures)."""
    r, e, top = heldout_result(table, labels), table["methods"], max(config.temperatures)
    first, second = r["first"], r["second"]
    agree = word("heldout_same") if first == main_first else word("heldout_other", main=labels.get(main_first, main_first))
    above = [word("heldout_above_item", name=labels[m], tau=r["tau"][m]) for m in r["above_one"]]
    grid = sorted(config.temperatures)
    return word("heldout_check", models=coverage(table, labels, word, main), per_class=per_class, tau_low=grid[0],
                tau_high=top, tau_step=min(b - a for a, b in zip(grid, grid[1:])) if len(grid) > 1 else 0,
                first=labels[first], tau=r["tau"][first],
                fd=e[first]["test"]["classifier"]["fd"]["mean"], fd_j=e[first]["test"]["judge"]["fd"]["mean"],
                agree=agree, second=labels[second], s_tau=r["tau"][second], s_fd=e[second]["test"]["classifier"]["fd"]["mean"],
                s_fd_j=e[second]["test"]["judge"]["fd"]["mean"], p_pair=p_pair(r["p"], word),
                order=order_agreement(table, main, labels, word) if main else "",
                above=(word("heldout_above", names=word("list_sep").join(above)) if above
                       else word("heldout_none_above"))
                + (word("heldout_edge", tau_high=top) if max(r["tau"].values()) >= top else ""))


def conclusion_clause(table: dict, main_first: str, labels: dict, word, config: ReviewConfig = HELDOUT,
                      main: dict = None) -> str:
    """The conclusion's word on the check: which models it covers (coverage, against ``main``), and whether the
    held-out half puts the main review's first (``main_first``) first too, with the method it puts first otherwise
    (``config``: the check's, for its highest temperature)."""
    first = heldout_result(table, labels)["first"]
    return word("conclusion_heldout_same" if first == main_first else "conclusion_heldout_other", name=labels[first],
                tau_high=max(config.temperatures), models=coverage(table, labels, word, main))


def temperature_clause(main: dict, held, labels: dict, word, held_curves: dict = None) -> str:
    """The abstract's word on the prior temperature, the one extension without a row of its own: no gain where
    validation chose tau = 1 for every original CVAE of ``main`` (the review's table) ("abstract_temperature"), and which original the held-out check (``held``: its table, or None), on its finer grid, moved
    to another temperature, where it did, with its FD on the scoring half there and at tau = 1 (``held_curves``:
    review_table.methods's curves of the check, where given); "" where validation itself chose another (the tables
    say which)."""
    originals = [m for m in (ORIGINAL, CONV_ORIGINAL) if m in main["methods"]]
    if not originals or any(main["methods"][m]["tau"] != 1.0 for m in originals):
        return ""
    moved = [m for m in originals if held and m in held["methods"] and held["methods"][m]["tau"] != 1.0]
    if not moved:
        return word("abstract_temperature")
    def item(m):
        tau = held["methods"][m]["tau"]
        if not held_curves or m not in held_curves:
            return word("heldout_above_item", name=labels[m], tau=tau)
        fd = [float(np.mean(at(held_curves[m], t, "test", "classifier", "fd"))) for t in (tau, 1.0)]
        return word("heldout_above_scored", name=labels[m], tau=tau, fd=fd[0], fd_one=fd[1])
    return word("abstract_temperature_heldout", items=listed([item(m) for m in moved], word))


def wide_sentence(table: dict, main: dict, labels: dict, word, config: ReviewConfig = WIDE, fig: int = 0) -> str:
    """The paragraph on choosing by FD alone (``table``: the wide grid's table so chosen,
    review_table.summarize(..., keep_accuracy=False), over ``config``'s grid): which methods would then choose a
    temperature above the review's (``main``: its table), and which the grid's end, the first two by the criterion
    with Welch's p, whether the first is the review's, and what the original CVAEs gain and lose; ``labels``: method
    -> name, as in heldout_sentence; ``fig``: the number of the figure whose diamonds mark these choices."""
    r, e = heldout_result(table, labels), table["methods"]
    main_ranked = by_criterion(main, labels)
    main_end = max(p["tau"] for p in main["methods"].values())
    above = [m for m in r["ranked"] if r["tau"][m] > main_end]
    top = max(config.temperatures)
    at_top = [m for m in above if r["tau"][m] >= top]  # at the end of this grid too
    first, second = r["first"], r["second"]
    return word("wide_check", n=len(main_ranked), fig_tradeoff=fig, tau_end=main_end, tau_top=top,
                n_above=len(above), taus=word("list_sep").join(f"{t:g}" for t in sorted({r["tau"][m] for m in above})),
                edge=word("wide_edge", n=len(at_top), tau_high=top) if at_top else "",
                first=labels[first], tau=r["tau"][first], fd=e[first]["test"]["classifier"]["fd"]["mean"],
                fd_j=e[first]["test"]["judge"]["fd"]["mean"],
                agree=word("wide_same") if first == main_ranked[0] else word("wide_other", main=labels[main_ranked[0]]),
                second=labels[second], s_fd=e[second]["test"]["classifier"]["fd"]["mean"],
                s_fd_j=e[second]["test"]["judge"]["fd"]["mean"], p_pair=p_pair(r["p"], word)) + originals_clause(table, main, labels, word)


def originals_clause(table: dict, main: dict, labels: dict, word) -> str:
    """What the wider grid does for the original CVAEs whose operating point moved: their test FD and conditional
    accuracy (evaluation classifier) on the main grid and on the wider one, with the new temperature; "" when none
    moved."""
    moved = [m for m in (ORIGINAL, CONV_ORIGINAL) if m in labels and m in table["methods"] and m in main["methods"]
             and table["methods"][m]["tau"] != main["methods"][m]["tau"]]
    items = [word("wide_original_item", name=labels[m], tau=table["methods"][m]["tau"],
                  old=main["methods"][m]["test"]["classifier"]["fd"]["mean"],
                  new=table["methods"][m]["test"]["classifier"]["fd"]["mean"],
                  acc_old=main["methods"][m]["test"]["classifier"]["accuracy"]["mean"],
                  acc_new=table["methods"][m]["test"]["classifier"]["accuracy"]["mean"]) for m in moved]
    worse = all(table["methods"][m]["test"]["classifier"]["accuracy"]["mean"]
                < main["methods"][m]["test"]["classifier"]["accuracy"]["mean"] for m in moved)  # FD bought with accuracy
    return (word("wide_originals_trade" if worse else "wide_originals", items=word("list_sep_strong").join(items))
            if items else "")


def judge_overlap(table: dict, labels: dict, word) -> str:
    """Where the answer (the first by the criterion) is a VAE-GAN, whose discriminator has the shape of the evaluation
    classifier's first layers and lends the decoder its features: the gain of each of its trained model's samplers
    over its backbone's original CVAE (their test FD's ratio) in each judge, and whether the second judge sees no
    smaller a gain for all of them, a smaller one for all, or mixed; "" otherwise."""
    ranked = by_criterion(table, labels)
    base = backbone_original(ranked[0])
    entries = table["methods"]
    if "vaegan" not in ranked[0] or base not in entries or base not in labels:
        return ""
    samplers = [m for m in ranked if family(m) == family(ranked[0])]
    gain = {m: {j: entries[base]["test"][j]["fd"]["mean"] / entries[m]["test"][j]["fd"]["mean"]
                for j in ("classifier", "judge")} for m in samplers}
    larger = [m for m in samplers if gain[m]["judge"] >= gain[m]["classifier"]]
    verdict = "larger" if len(larger) == len(samplers) else "smaller" if not larger else "mixed"
    return word("judge_overlap", base=labels[base], verdict=word(f"overlap_{verdict}"), items=word("list_sep").join(
        word("overlap_item", name=labels[m], c_gain=gain[m]["classifier"], j_gain=gain[m]["judge"]) for m in samplers))


def free_feature_sentence(free: dict, table: dict, labels: dict, word) -> str:
    """Appendix D's sentence on the two spaces no training shaped (scripts/free_features.py's ``free``: method ->
    per-seed FDs): the lowest prior-sampled method in each, and in the random network the answer's model sampled
    from its prior against its backbone's original CVAE, their FDs' ratio and Welch's p (one test, uncorrected; in
    pixels Section 4 says that, free_pixel_side's); "" unless the answer is a VAE-GAN and both were scored."""
    own, base = answer_pair(table, labels)
    scored = {m: e for m, e in free.get("methods", {}).items() if m in labels and m.endswith(" · prior")}
    if "vaegan" not in own or own not in scored or base not in scored:
        return ""
    net, pix, against = (*(lowest_prior(free, labels, s) for s in ("random_network", "pixels")),
                         random_network(free, own, base))
    return word("free_features", n=len(scored), name=labels[own], base=labels[base], tau=scored[own]["tau"],
                net_p=p_value(against["p"]),
                net_best=labels[net], pix_best=labels[pix], pix_best_fd=float(np.mean(scored[pix]["pixels"])))


def lowest_prior(free: dict, labels: dict, space: str) -> str:
    """The method sampled from its own prior with the lowest seed-mean FD in ``space`` of free_features.json ("" if
    none was scored there)."""
    mean = {m: float(np.mean(e[space])) for m, e in free.get("methods", {}).items()
            if m in labels and m.endswith(" · prior") and space in e}
    return min(mean, key=mean.get) if mean else ""


def welch_side(a, b, p: float) -> str:
    """"lower" or "higher" where ``p`` (a test of seeds ``a`` against ``b``) is below 5 %, by their means; "same"
    otherwise."""
    return "same" if not p < 0.05 else "lower" if np.mean(a) < np.mean(b) else "higher"


def answer_comparisons(free: dict, table: dict, labels: dict, space: str) -> dict:
    """The answer's trained model against its backbone's original CVAE in ``space`` of free_features.json: key ->
    (its per-seed FDs, the original's, Welch's p Holm-adjusted over the keys present, one question asked two or
    three ways) for "op" (both sampled from their prior at their operating points), "one" (both at tau = 1, where
    either was scored away from it and at 1 as well, "tau_one": a temperature alone moves these FDs) and "gmm" (its
    GMM sampler against the original, where scored); {} unless both prior samplers were scored in ``space``."""
    own, base = answer_pair(table, labels)
    scored = free.get("methods", {})
    if own not in labels or base not in labels or space not in scored.get(own, {}) or space not in scored.get(base, {}):
        return {}
    pairs = {"op": (scored[own][space], scored[base][space])}
    one = [e[space] if e["tau"] == 1 else e.get("tau_one", {}).get(space) for e in (scored[own], scored[base])]
    if (scored[own]["tau"] != 1 or scored[base]["tau"] != 1) and all(one):
        pairs["one"] = tuple(one)
    mixture = own.replace(" · prior", " · gmm")  # the same trained model's other sampler
    if space in scored.get(mixture, {}):
        pairs["gmm"] = (scored[mixture][space], scored[base][space])
    p = holm_adjusted({k: welch_p(*ab) for k, ab in pairs.items()})
    return {k: (a, b, p[k]) for k, (a, b) in pairs.items()}


def free_pixel_side(free: dict, table: dict, labels: dict, word=None) -> tuple:
    """(side, names): how the answer's prior-sampled model compares with its backbone's original CVAE in 2 x 2
    pixel-block means by Welch's test over seeds ("same", "lower" or "higher"), at their operating points, their
    labels (name, base), their seed-mean FDs there (fd, fd_base) and the test's p said in words (p); ("", {}) unless
    both were scored. Where either was scored away from tau = 1 and scripts/free_features.py scored it at 1 as
    well ("tau_one"), the same comparison at tau = 1 for both (one_side, fd_one, fd_base_one, p_one), the two
    tests' p Holm-adjusted as one question asked twice, and, given ``word``, its clauses (one: "free_one_<side>",
    one_abstract: "abstract_one_<side>", one_p: its p alone; "" otherwise) and what the p are (p_note), since a
    temperature alone moves this FD. Where the same model's GMM sampler was scored too (scripts/free_features.py
    --gmm), it against the original at their operating points as a third test of the family (gmm_side, fd_gmm,
    p_gmm; gmm_clause: "free_gmm_<side>", "" otherwise)."""
    comparisons = answer_comparisons(free, table, labels, "pixels")
    if not comparisons:
        return "", {}
    own, base = answer_pair(table, labels)
    a, b, p = comparisons["op"]
    side = welch_side(a, b, p)
    out = {"name": labels[own], "base": labels[base], "fd": float(np.mean(a)), "fd_base": float(np.mean(b)),
           "p": p_value(p)}
    if "one" in comparisons:
        a, b, p = comparisons["one"]
        out.update(one_side=welch_side(a, b, p), fd_one=float(np.mean(a)), fd_base_one=float(np.mean(b)),
                   p_one=p_value(p))
    if "gmm" in comparisons:
        a, b, p = comparisons["gmm"]
        out.update(gmm_side=welch_side(a, b, p), fd_gmm=float(np.mean(a)), p_gmm=p_value(p))
    note = "free_p_holm_n" if "gmm" in comparisons else "free_p_holm" if "one" in comparisons else "free_p_single"
    out["p_note"] = word(note, n=len(comparisons)) if word else ""
    out["gmm_clause"] = word(f"free_gmm_{out['gmm_side']}", **out) if word and "gmm_side" in out else ""
    for key, prefix in (("one", "free_one"), ("one_abstract", "abstract_one")):  # the text's clause, the abstract's
        out[key] = word(f"{prefix}_{out['one_side']}", **out) if word and "one_side" in out else ""
    out["one_p"] = word("free_one_p", **out) if word and "one_side" in out else ""  # Section 4's: the p alone
    return side, out


def answer_pair(table: dict, labels: dict) -> tuple:
    """(the answer's trained model sampled from its own prior, its backbone's original CVAE), as method names."""
    first = by_criterion(table, labels)[0]
    return f"{family(first)} · prior", backbone_original(first)


def cas_against_fd(table: dict, labels: dict, word) -> str:
    """Whether the judge-free CAS follows FD (the review's summary ``table``): Kendall's tau between the orders
    the two give the methods with a CAS (test FD in the evaluation classifier, then in the second judge as tau_j,
    lower better; CAS, higher better; positive: they agree), and the methods whose FD is below their backbone's
    original's while their CAS is below it too, said as the words "cas_fd_sentence" (some such) or "cas_fd_agree"
    (none) choose; "" with fewer than three methods."""
    entries = {m: e for m, e in table.get("methods", {}).items() if m in labels and "cas" in e}
    if len(entries) < 3:
        return ""
    fd = {m: e["test"]["classifier"]["fd"]["mean"] for m, e in entries.items()}
    cas = {m: e["cas"]["mean"] for m, e in entries.items()}
    tau, p = kendall_tau([-fd[m] for m in entries], [cas[m] for m in entries])
    tau_j, p_j = kendall_tau([-e["test"]["judge"]["fd"]["mean"] for e in entries.values()], [cas[m] for m in entries])
    original = {m: backbone_original(m) for m in entries}
    lower_fd = [m for m in entries if original[m] in entries and m != original[m] and fd[m] < fd[original[m]]]
    both = [m for m in lower_fd if cas[m] < cas[original[m]]]
    return word("cas_fd_sentence" if both else "cas_fd_agree", n=len(entries), tau=tau, p=p_value(p),
                tau_j=tau_j, p_j=p_value(p_j), n_lower=len(both), n_fd=len(lower_fd))


def independent_ranks(table: dict, labels: dict, word) -> str:
    """The judges' agreement on the methods that share no trained model (each model sampled from its own prior,
    one method per model): Kendall's tau between their test FDs in the two judges, where the table's test over every
    method counts a model's two samplers as independent; "" with fewer than three such methods."""
    own = [m for m in labels if m in table.get("methods", {}) and m.endswith(" · prior")]
    if len(own) < 3:
        return ""
    tau, p = kendall_tau(*[[table["methods"][m]["test"][j]["fd"]["mean"] for m in own] for j in JUDGES])
    return word("independent_ranks", n=len(own), tau=tau, p=p_value(p))


def original_order(review: dict, word) -> dict:
    """Section 3's FD verdict, which Table 1 reads at tau = 1, continued to the originals' validated temperatures
    (Section 4's operating points, ``review``: the review table, or None), where the second judge had reversed the
    first: verdict_op, claim_op and sig_op say either that the second judge no longer tells the two apart there
    (Welch's test over seeds, p >= 0.05; "_ns" words) or that both judges now give the same original the lower FD
    ("_agree"), with that p; all "" where the second judge still reverses the first significantly or no review
    exists."""
    fds = backbone_fds(review) if review else {}
    if not fds:
        return {"verdict_op": "", "claim_op": "", "sig_op": ""}
    p = welch_p_from_intervals(*(review["methods"][m]["test"]["judge"]["fd"] for m in (ORIGINAL, CONV_ORIGINAL)))
    kind = "ns" if not p < 0.05 else "agree" if backbone_judges_agree(fds) else ""
    if not kind:
        return {"verdict_op": "", "claim_op": "", "sig_op": ""}
    mlp, conv = fds["classifier"]
    winner = word("judge_model_conv" if conv < mlp else "judge_model_mlp")
    return {k: word(f"{k}_{kind}", winner=winner, p=p_value(p)) for k in ("verdict_op", "claim_op", "sig_op")}
