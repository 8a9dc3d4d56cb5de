"""KID and per-class FD at the operating points (scripts/operating_point.py's table,
report/review/operating_point.json) as the report shows them: one row per method measured, and the sentence that
says whether KID orders those methods as FD does, in each judge; and what the originals' own operating points say of
the prior temperature, the sixth extension (validation_temperature)."""
from pathlib import Path

import numpy as np

from ..evaluation.review import JUDGES
from ..training import runs
from .names import listed
from .review_table import CONV_ORIGINAL, ORIGINAL, at
from .review_table import _number as review_number

TABLE = "operating_point.json"


def load(review_dir) -> dict:
    """The table, or {} where scripts/operating_point.py has not written it."""
    path = Path(review_dir) / TABLE
    return runs.read_json(path) if path.exists() else {}


def ordered(op: dict, labels: dict) -> list:
    """The measured methods, in the order of ``labels`` (the review table's)."""
    return [m for m in labels if m in op.get("methods", {})]


def _number(x: float) -> str:
    """Three significant digits, trailing zeros kept (14.0), whole numbers from 100 on (review_table's)."""
    return review_number(x, None)


def rows(op: dict, review: dict, labels: dict, classes: list, real_label: str, word) -> list:
    """method, tau*, KID, coverage (the review's, at tau*) and mean per-class FD in both judges ("a / b"), the
    evaluation classifier's worst class with its FD (the words' "class_fd"); the real images last (their per-class
    FD: the floor at this sample size; their coverage: other training images')."""
    def cells(entry, coverage):
        kid = " / ".join(_number(entry[j]["kid"]["mean"]) for j in JUDGES)
        mean_fd = " / ".join(_number(float(np.mean(entry[j]["fd_per_class"]))) for j in JUDGES)
        per_class = entry["classifier"]["fd_per_class"]
        worst = int(np.argmax(per_class))
        return [kid, " / ".join(f"{coverage[j]:.2f}" for j in JUDGES), mean_fd,
                word("class_fd", name=classes[worst], fd=per_class[worst])]
    out = [[labels[m], f"{review['methods'][m]['tau']:g}",
            *cells(op["methods"][m], {j: review["methods"][m]["test"][j]["coverage"]["mean"] for j in JUDGES})]
           for m in ordered(op, labels)]
    return out + [[real_label, "–", *cells(op["real"], {j: review["real"]["test"][j]["coverage"] for j in JUDGES})]]


def widest_spread(op: dict, judge: str) -> float:
    """The largest standard deviation of KID over seeds among the measured methods, in ``judge``'s features."""
    return max(e[judge]["kid"]["std"] for e in op["methods"].values())


def kid_order(op: dict, review: dict, labels: dict, judge: str) -> dict:
    """How KID and the test FD order the measured methods in ``judge``'s features: Kendall's tau between the two
    (and its exact two-sided p-value), the method with the lowest KID and the one with the lowest FD."""
    from scipy import stats
    methods = ordered(op, labels)
    kid = {m: op["methods"][m][judge]["kid"]["mean"] for m in methods}
    fd = {m: review["methods"][m]["test"][judge]["fd"]["mean"] for m in methods}
    tau = stats.kendalltau([kid[m] for m in methods], [fd[m] for m in methods])
    return {"tau": float(tau.statistic), "p": float(tau.pvalue),
            "kid_best": min(methods, key=kid.get), "fd_best": min(methods, key=fd.get)}


def sentence(op: dict, review: dict, labels: dict, word) -> str:
    """The main text's sentence: how closely KID orders the measured methods as FD does in each judge (Kendall's
    tau); the measured methods named only where not every reviewed method was measured (the table, Appendix D's,
    has the lowest KID and each method's worst class); "" without the table."""
    methods = ordered(op, labels)
    if len(methods) < 3:
        return ""
    orders = {j: kid_order(op, review, labels, j) for j in JUDGES}
    every = len(methods) == len([m for m in labels if m in review["methods"]])
    return word("kid_sentence", tau_c=orders["classifier"]["tau"], tau_j=orders["judge"]["tau"],
                scope="" if every else word("kid_scope_some", n=len(methods),
                                            names=word("list_sep").join(labels[m] for m in methods)))


def validation_temperature(main: dict, labels: dict, word, curves: dict) -> str:
    """The abstract's verdict on the temperature (the sixth extension) where validation itself moved an original CVAE
    off tau = 1 (``main``: the review's table; ``curves``: review_table.methods's curves of the main review): each
    moved original with its test FD at 1 and at its tau*, the originals that kept 1, and, where another temperature on
    an original's test curve gives a lower FD at a lower accuracy (_fd_for_accuracy), what the accuracy condition gave
    up; "" where every original kept tau = 1 (temperature_clause speaks then)."""
    originals = [m for m in (ORIGINAL, CONV_ORIGINAL) if m in main["methods"]]
    moved = [m for m in originals if main["methods"][m]["tau"] != 1.0]
    if not moved:
        return ""

    def item(m):
        tau = main["methods"][m]["tau"]
        fd, acc = ([float(np.mean(at(curves[m], t, "test", "classifier", q))) for t in (tau, 1.0)]
                   for q in ("fd", "accuracy"))
        return word("abstract_temperature_moved_item", name=labels[m], tau=tau, fd=fd[0], fd_one=fd[1], acc=acc[0],
                    acc_one=acc[1])
    kept = [labels[m] for m in originals if m not in moved]
    traded = any(_fd_for_accuracy(curves[m], main["methods"][m]["tau"]) for m in originals if m in curves)
    return word("abstract_temperature_moved", items=listed([item(m) for m in moved], word),
                kept=word("abstract_temperature_kept", names=listed(kept, word)) if kept else "",
                traded=word("abstract_temperature_traded") if traded else "")


def _fd_for_accuracy(curves: dict, tau: float) -> bool:
    """Whether another temperature on every seed's curve (``curves``: run -> points) gives a lower mean test FD
    than ``tau`` at a lower mean conditional accuracy (judge A): what the accuracy condition gave up."""
    taus = set.intersection(*({p["tau"] for p in curve} for curve in curves.values()))

    def means(t):  # (FD, accuracy) over the seeds at t
        return tuple(float(np.mean(at(curves, t, "test", "classifier", q))) for q in ("fd", "accuracy"))
    fd, acc = means(tau)
    return any(other[0] < fd and other[1] < acc for other in map(means, taus - {tau}))
