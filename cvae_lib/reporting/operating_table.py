"""KID and per-class FD at the operating points (scripts/operating_point.py's table,
report/review/operating_point.json) as the report shows them: one row per method measured, and the sentence that
says whether KID orders those methods as FD does, in each judge."""
from pathlib import Path

import numpy as np

from ..evaluation.review import JUDGES
from ..training import runs

TABLE = "operating_point.json"


def load(review_dir) -> dict:
    """The table, or {} where scripts/operating_point.py has not written it."""
    path = Path(review_dir) / TABLE
    return runs.read_json(path) if path.exists() else {}


def ordered(op: dict, labels: dict) -> list:
    """The measured methods, in the order of ``labels`` (the review table's)."""
    return [m for m in labels if m in op.get("methods", {})]


def _number(x: float) -> str:
    """Three significant digits, trailing zeros kept (14.0), whole numbers from 100 on."""
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:#.3g}"


def rows(op: dict, review: dict, labels: dict, classes: list, real_label: str, word) -> list:
    """method, tau*, KID and mean per-class FD in both judges ("a / b"), the evaluation classifier's worst class
    with its FD (the words' "class_fd"); the real images last (their per-class FD: the floor at this sample size)."""
    def cells(entry):
        kid = " / ".join(_number(entry[j]["kid"]["mean"]) for j in JUDGES)
        mean_fd = " / ".join(_number(float(np.mean(entry[j]["fd_per_class"]))) for j in JUDGES)
        per_class = entry["classifier"]["fd_per_class"]
        worst = int(np.argmax(per_class))
        return [kid, mean_fd, word("class_fd", name=classes[worst], fd=per_class[worst])]
    out = [[labels[m], f"{review['methods'][m]['tau']:g}", *cells(op["methods"][m])] for m in ordered(op, labels)]
    return out + [[real_label, "–", *cells(op["real"])]]


def kid_order(op: dict, review: dict, labels: dict, judge: str) -> dict:
    """Whether KID and the test FD order the measured methods alike in ``judge``'s features ("same"), and the
    method with the lowest KID and the one with the lowest FD."""
    methods = ordered(op, labels)
    kid = {m: op["methods"][m][judge]["kid"]["mean"] for m in methods}
    fd = {m: review["methods"][m]["test"][judge]["fd"]["mean"] for m in methods}
    return {"same": sorted(methods, key=kid.get) == sorted(methods, key=fd.get),
            "kid_best": min(methods, key=kid.get), "fd_best": min(methods, key=fd.get)}


def sentence(op: dict, review: dict, labels: dict, classes: list, word) -> str:
    """The main text's sentence: over the measured methods, does KID order them as FD does in each judge, which
    has the lowest KID, and the class with the highest FD (evaluation classifier) for most of them; "" without
    the table."""
    methods = ordered(op, labels)
    if len(methods) < 2:
        return ""
    orders = {j: kid_order(op, review, labels, j) for j in JUDGES}
    worst = [int(np.argmax(op["methods"][m]["classifier"]["fd_per_class"])) for m in methods]
    common = max(set(worst), key=worst.count)
    return word("kid_sentence", n=len(methods), names=word("list_sep").join(labels[m] for m in methods),
                order_c=word("kid_same" if orders["classifier"]["same"] else "kid_differs"),
                order_j=word("kid_same" if orders["judge"]["same"] else "kid_differs"),
                best_c=labels[orders["classifier"]["kid_best"]], best_j=labels[orders["judge"]["kid_best"]],
                worst_clause=word("kid_worst_all" if worst.count(common) == len(methods) else "kid_worst_some",
                                  worst=classes[common], n_worst=worst.count(common)))
