"""The held-out check of the review's answer (scripts/review.py --heldout, review_config.HELDOUT): the runs behind
the answer reviewed again with every choice made on one half of the test set, which no model, mixture or judge was
fitted to, and the scores read on the other half, over temperatures on both sides of 1.

It answers two objections to the main review: that its validation reference consists of training images, and that
most operating points sit at the end of its temperature grid (tau = 1).
"""
from pathlib import Path

from ..base.review_config import HELDOUT, ReviewConfig
from ..evaluation.review import JUDGES
from ..evaluation.stats import welch_p_from_intervals
from .answer import by_criterion, family, p_value

HELDOUT_DIR = Path("review") / "heldout"
"""where, under the report folder, scripts/review.py --heldout writes its table (summary.json)"""


def heldout_result(table: dict, labels=None) -> dict:
    """The check's outcome from its table (reviewing.review_all's summary under HELDOUT; only the methods ``labels``
    names, when given): the methods ranked by the declared criterion on the first half ("ranked"), the first and
    the second with Welch's p over seeds on each judge's FD on the other half ("p"), every method's operating point
    ("tau") and those above 1 ("above_one")."""
    entries, ranked = table["methods"], by_criterion(table, labels)
    if len(ranked) < 2:
        raise ValueError(f"the held-out check needs at least two methods, got {ranked}")
    first, second = ranked[:2]
    p = {j: welch_p_from_intervals(entries[first]["test"][j]["fd"], entries[second]["test"][j]["fd"]) for j in JUDGES}
    tau = {m: entries[m]["tau"] for m in ranked}
    return {"ranked": ranked, "first": first, "second": second, "p": p, "tau": tau,
            "above_one": [m for m in ranked if tau[m] > 1]}


def heldout_sentence(table: dict, main_first: str, labels: dict, word, per_class: int,
                     config: ReviewConfig = HELDOUT) -> str:
    """The paragraph that reports the check: which method comes first on the held-out half and whether it is the
    main review's first (``main_first``), the second with Welch's p, and which operating points lie above tau = 1;
    ``labels``: method -> name (the methods not named there are left out of the ranking); ``per_class``: the test
    images per class in each half; ``config``: the check's review config (its temperatures)."""
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
                + (word("heldout_edge", tau_high=top) if max(r["tau"].values()) >= top else ""))


def conclusion_clause(table: dict, main_first: str, labels: dict, word, config: ReviewConfig = HELDOUT) -> str:
    """The conclusion's word on the check: whether the held-out half puts the main review's first (``main_first``)
    first too, with the method it puts first otherwise (``config``: the check's, for its highest temperature)."""
    first = heldout_result(table, labels)["first"]
    return word("conclusion_heldout_same" if first == main_first else "conclusion_heldout_other", name=labels[first],
                tau_high=max(config.temperatures))
