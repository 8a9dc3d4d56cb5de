"""The two checks of the review's answer. The held-out check (scripts/review.py --heldout, review_config.HELDOUT):
the runs behind the answer reviewed again with every choice made on one half of the test set, which no model,
mixture or judge was fitted to, and the scores read on the other half, over temperatures on both sides of 1. The
wide-grid check (scripts/review.py --wide, review_config.WIDE): every method reviewed again on the main protocol
with temperatures up to 3.

They answer two objections to the main review: that its validation reference consists of training images, and that
most operating points sit at the end of its temperature grid (tau = 1).
"""
from pathlib import Path

from ..base.review_config import HELDOUT, WIDE, ReviewConfig
from .answer import by_criterion, family, fd_p, p_value
from .review_table import CONV_ORIGINAL, ORIGINAL

HELDOUT_DIR = Path("review") / "heldout"
"""where, under the report folder, scripts/review.py --heldout writes its table (summary.json)"""
WIDE_DIR = Path("review") / "wide"
"""where, under the report folder, scripts/review.py --wide writes its table (summary.json)"""


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


def heldout_sentence(table: dict, main_first: str, labels: dict, word, per_class: int,
                     config: ReviewConfig = HELDOUT, wide_checked: bool = False) -> str:
    """The paragraph that reports the check: which method comes first on the held-out half and whether it is the
    main review's first (``main_first``), the second with Welch's p, and which operating points lie above tau = 1;
    ``labels``: method -> name (the methods not named there are left out of the ranking); ``per_class``: the test
    images per class in each half; ``config``: the check's review config (its temperatures); ``wide_checked``: the
    wide-grid check follows, so an operating point at this grid's end needs no remark."""
    r, e, top = heldout_result(table, labels), table["methods"], max(config.temperatures)
    first, second = r["first"], r["second"]
    families = dict.fromkeys(family(m) for m in r["ranked"])  # the trained models, named by their prior's row
    models = word("list_sep").join(labels.get(f"{f} · prior", f) for f in families)
    agree = word("heldout_same") if first == main_first else word("heldout_other", main=labels.get(main_first, main_first))
    above = [word("heldout_above_item", name=labels[m], tau=r["tau"][m]) for m in r["above_one"]]
    return word("heldout_check", models=models, per_class=per_class, tau_low=min(config.temperatures),
                tau_high=top, first=labels[first], tau=r["tau"][first],
                fd=e[first]["test"]["classifier"]["fd"]["mean"], fd_j=e[first]["test"]["judge"]["fd"]["mean"],
                agree=agree, second=labels[second], s_fd=e[second]["test"]["classifier"]["fd"]["mean"],
                s_fd_j=e[second]["test"]["judge"]["fd"]["mean"], p_c=p_value(r["p"]["classifier"]),
                p_j=p_value(r["p"]["judge"]),
                above=(word("heldout_above", names=word("list_sep").join(above)) if above else word("heldout_none_above"))
                + (word("heldout_edge", tau_high=top) if max(r["tau"].values()) >= top and not wide_checked else ""))


def conclusion_clause(table: dict, main_first: str, labels: dict, word, config: ReviewConfig = HELDOUT) -> str:
    """The conclusion's word on the check: whether the held-out half puts the main review's first (``main_first``)
    first too, with the method it puts first otherwise (``config``: the check's, for its highest temperature)."""
    first = heldout_result(table, labels)["first"]
    return word("conclusion_heldout_same" if first == main_first else "conclusion_heldout_other", name=labels[first],
                tau_high=max(config.temperatures))


def wide_sentence(table: dict, main: dict, labels: dict, word, config: ReviewConfig = WIDE) -> str:
    """The paragraph that reports the wide-grid check: which methods choose a temperature above the end of the main
    review's grid (``main``: its table) on the wider grid
    (``table``: the check's, under ``config``) and which its end, and the first two by the criterion there, with
    Welch's p, and whether the first is the main review's; ``labels``: method -> name, as in heldout_sentence."""
    r, e = heldout_result(table, labels), table["methods"]
    main_ranked = by_criterion(main, labels)
    main_end = max(p["tau"] for p in main["methods"].values())
    above = [m for m in r["ranked"] if r["tau"][m] > main_end]
    top = max(config.temperatures)
    at_top = [m for m in above if r["tau"][m] >= top]  # at the end of this grid too
    first, second = r["first"], r["second"]
    groups = {t: [labels[m] for m in above if r["tau"][m] == t] for t in sorted({r["tau"][m] for m in above})}
    return word("wide_check", n=len(main_ranked), tau_end=main_end, tau_high=top,
                new=word("list_sep").join(f"{t:g}" for t in config.temperatures if t > main_end),
                n_above=len(above), names=word("list_sep_strong").join(
                    word("wide_group", tau=t, names=word("list_sep").join(n)) for t, n in groups.items()) or "–",
                edge=word("wide_edge", n=len(at_top), tau_high=top) if at_top else "",
                first=labels[first], tau=r["tau"][first], fd=e[first]["test"]["classifier"]["fd"]["mean"],
                fd_j=e[first]["test"]["judge"]["fd"]["mean"],
                agree=word("wide_same") if first == main_ranked[0] else word("wide_other", main=labels[main_ranked[0]]),
                second=labels[second], s_fd=e[second]["test"]["classifier"]["fd"]["mean"],
                s_fd_j=e[second]["test"]["judge"]["fd"]["mean"], p_c=p_value(r["p"]["classifier"]),
                p_j=p_value(r["p"]["judge"])) + originals_clause(table, main, labels, word)


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
    return word("wide_originals_trade" if worse else "wide_originals", items=word("list_sep").join(items)) if items else ""


def wide_conclusion(table: dict, labels: dict, word, config: ReviewConfig = WIDE) -> str:
    """The conclusion's word on the wide-grid check (``table``: its table): the method first by the criterion on the
    wider grid, with its temperature and test FD in both judges."""
    first = heldout_result(table, labels)["first"]
    test = table["methods"][first]["test"]
    return word("conclusion_wide", name=labels[first], tau=table["methods"][first]["tau"],
                fd=test["classifier"]["fd"]["mean"], fd_j=test["judge"]["fd"]["mean"], tau_high=max(config.temperatures))


def abstract_clause(table: dict, labels: dict, word, config: ReviewConfig = WIDE) -> str:
    """The abstract's word on the wide-grid check (``table``: its table): the first method there and its own
    backbone's original CVAE, each at its operating point on the wider grid, with test FD (evaluation classifier),
    so that the answer's gain is also read against a baseline whose temperature was tuned too; "" when that
    original is not in the table."""
    first = heldout_result(table, labels)["first"]
    base = CONV_ORIGINAL if first.startswith("conv") else ORIGINAL
    e = table["methods"]
    if base not in e or base not in labels:
        return ""
    return word("abstract_wide", tau_high=max(config.temperatures), base_name=labels[base], base_tau=e[base]["tau"],
                base_fd=e[base]["test"]["classifier"]["fd"]["mean"], name=labels[first], tau=e[first]["tau"],
                fd=e[first]["test"]["classifier"]["fd"]["mean"],
                base_acc=e[base]["test"]["classifier"]["accuracy"]["mean"],
                acc=e[first]["test"]["classifier"]["accuracy"]["mean"])
