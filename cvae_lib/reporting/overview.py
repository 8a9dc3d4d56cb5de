"""Section 4's first table: the assignment's question at a glance, one row per extension against its backbone's
original CVAE on the test set in the evaluation classifier's features. The retrained models and the samplers the
review scores are read at their validation-chosen temperature tau* (the review's table); the temperature and the
two-stage VAE, which the review's grid does not hold, at the fixed temperatures of Appendix B (the leaderboard);
the beta-VAE from the sweep (one seed, untested). Each row gives its change of FD with its t-based 95 % interval
over seeds, and marks the changes of FD and accuracy that the t-test over seeds (paired where the row samples the
same trained runs as the original, Welch's otherwise) confirms after Holm's correction over every test the table
makes."""
import numpy as np

from ..evaluation.stats import difference_interval, seed_test_p
from .compare import holm
from .names import bare, listed, merged
from .review_table import _number, at, backbone_original

QUANTITIES = (("fd", None), ("accuracy", "{:.3f}"), ("recall", "{:.2f}"))
"""the table's numbers (the review's names) and their formats (FD: three significant digits, as Table 2's)"""

DESCRIBED = (("cas", "{:.3f}"),)
"""the table's descriptive numbers measured only by the review (the Classification Accuracy Score): "–" elsewhere"""

BOARD_COLUMNS = {"fd": "fd", "accuracy": "conditional_accuracy", "recall": "recall"}
"""the review's quantity -> the leaderboard's (and the sweep's) column"""

KINDS = {"vaegan": "retrained", "vampprior": "retrained", "beta": "retrained", "gmm": "sampler",
         "temperature": "sampler", "two_stage": "sampler", "vaegan_gmm": "combined"}
"""a row's method -> its kind: a retrained model, a sampler of the trained original, or both combined"""


def review_rows(review: dict, grouped: dict, labels: dict, gamma: dict) -> list:
    """The rows the review's table holds: every extension model at its validation-chosen VAE-GAN weight
    (``gamma``: architecture -> gamma; a backbone without a choice keeps its only one), the per-class GMM of each
    original, and the VAE-GAN with the GMM; not the optimizer controls. Each row: label, kind, tau and, per
    quantity, the per-seed test values (``grouped``: review_table.methods's curves) of the row at its tau* and of
    its backbone's original at its own, keyed by run folder."""
    def per_run(method, quantity):
        curves = grouped[method]
        return dict(zip(curves, at(curves, review["methods"][method]["tau"], "test", "classifier", quantity)))

    def cas(method):  # one CAS per seed, at tau*
        return {str(i): float(x) for i, x in enumerate(review["methods"][method].get("cas", {}).get("values", []))}
    out = []
    for method, label in labels.items():
        entry = review["methods"][method]
        if entry["name"] not in KINDS:  # the originals and the optimizer controls
            continue
        if entry["extension"] == "vaegan" and entry["gamma"] != gamma.get(entry["architecture"], entry["gamma"]):
            continue
        base = backbone_original(method)
        values = {q: (per_run(method, q), per_run(base, q)) for q, _ in QUANTITIES}
        if cas(method) and cas(base):
            values["cas"] = (cas(method), cas(base))
        out.append({"label": label, "kind": KINDS[entry["name"]], "tau": entry["tau"], "architecture": entry["architecture"],
                    "values": values})
    return out


def board_rows(board, labels: dict, methods=("temperature", "two_stage"), architecture: str = "mlp") -> list:
    """The rows of the samplers the review does not hold, at Appendix B's fixed temperatures (``board``:
    leaderboard.leaderboard's rows; ``labels``: (architecture, method, gamma) -> name)."""
    from .leaderboard import NO_GAMMA
    out = []
    for method in methods:
        key = (architecture, method, NO_GAMMA)
        if key not in labels:
            continue

        def per_run(m, column):
            rows = board[(board.architecture == architecture) & (board.method == m)]
            return {str(d): float(x) for d, x in zip(rows.run_dir, rows[column]) if x == x}
        out.append({"label": labels[key], "kind": KINDS[method], "tau": None, "architecture": architecture, "key": key,
                    "values": {q: (per_run(method, BOARD_COLUMNS[q]), per_run("prior", BOARD_COLUMNS[q]))
                               for q, _ in QUANTITIES}})
    return out


def match_leaderboard(rows: list, board) -> list:
    """``rows`` with each review row that scores the very samples of a leaderboard row (``board``; the same
    per-seed FD and accuracy, and the same original's) given that row's key, so that the family counts their one
    test once (test_key); e.g. a GMM at tau* = 1 is Appendix B's GMM row."""
    from .leaderboard import NO_GAMMA

    def same(a: dict, b: dict) -> bool:
        return len(a) == len(b) and np.allclose(sorted(a.values()), sorted(b.values()), rtol=1e-6)
    groups = {k: g for k, g in board.groupby(["architecture", "method", "gamma"])}
    for row in rows:
        base = groups.get((row["architecture"], "prior", NO_GAMMA))  # the backbone's original CVAE
        if "key" in row or row.get("single") or base is None:
            continue
        for (arch, method, gamma), g in groups.items():
            if arch != row["architecture"] or method == "prior":
                continue
            values = {q: (dict(zip(g.run_dir, g[BOARD_COLUMNS[q]])), dict(zip(base.run_dir, base[BOARD_COLUMNS[q]])))
                      for q in ("fd", "accuracy")}
            if all(same(row["values"][q][i], values[q][i]) for q in values for i in (0, 1)):
                row["key"] = (arch, method, gamma)
                break
    return rows


def beta_row(betas, one, label: str) -> dict:
    """The beta-VAE's row: the sweep's Bernoulli runs with beta != 1 (``betas``, one seed) against the main run of
    that seed (``one``: its summary row), untested; its cells show the beta with the lowest FD ("shown"), its
    verdict says which way FD went at every beta."""
    shown = float(betas.beta.iloc[int(np.argmin(betas[BOARD_COLUMNS["fd"]].to_numpy()))])
    return {"label": label, "kind": KINDS["beta"], "tau": None, "architecture": "mlp", "single": True, "shown": shown,
            "values": {q: ({b: float(x) for b, x in zip(betas.beta, betas[BOARD_COLUMNS[q]])},
                           {"one": float(getattr(one, BOARD_COLUMNS[q]))}) for q, _ in QUANTITIES
                       if BOARD_COLUMNS[q] in betas and hasattr(one, BOARD_COLUMNS[q])}}


def p_values(rows: list) -> dict:
    """(row index, quantity) -> the t-test's two-sided p-value against the backbone's original: paired where both
    hold the same run folders (samplers of one trained model), Welch's otherwise; FD and accuracy only, rows with
    at least two seeds a side."""
    out = {}
    for i, row in enumerate(rows):
        if row.get("single"):
            continue
        for q in ("fd", "accuracy"):
            new, base = row["values"][q]
            if min(len(new), len(base)) >= 2:
                out[(i, q)] = seed_test_p(new, base)
    return out


def single_direction(row: dict) -> str:
    """A one-seed row's (the beta sweep's) direction of FD at every setting against the original: "higher" where
    every setting's FD is above it, "lower" where every one is below, else "mixed"; untested."""
    fd_base = np.mean(list(row["values"]["fd"][1].values()))
    values = list(row["values"]["fd"][0].values())
    return "higher" if min(values) > fd_base else "lower" if max(values) < fd_base else "mixed"


def _signed(value: float) -> str:
    """A change of FD: whole numbers from 10 on, one decimal below, with its sign (U+2212 for minus)."""
    text = f"{abs(value):.0f}" if abs(value) >= 9.95 else f"{abs(value):.1f}"
    return ("+" if value > 0 else "\u2212" if value < 0 else "") + text


def change_cell(row: dict, significant: bool, word) -> str:
    """The FD change's cell: extension minus original, means over seeds, with its t-based 95 % interval
    (stats.difference_interval: paired for samplers of the same runs, Welch's otherwise) and the mark of a change
    that Holm's correction keeps; a one-seed row (the beta sweep's) gives its shown setting's change, untested."""
    new, base = row["values"]["fd"]
    if row.get("single"):
        shown = row.get("shown")
        return word("ov_change_single", change=_signed(new[shown] - float(np.mean(list(base.values())))))
    d = difference_interval(new, base)
    mark = word("ov_mark") if significant else ""
    return f"{_signed(d.difference)} [{_signed(d.low)},\u00a0{_signed(d.high)}]{mark}"


def _cell(values: tuple, fmt, shown=None) -> str:
    """"original → extension": means over seeds, or one setting's value (``shown``: its key, the beta sweep's
    beta), or the range over settings where the original has one value and the extension several."""
    new, base = (list(v.values()) for v in values)
    if shown is not None and shown in values[0]:
        new = [values[0][shown]]
    said = (f"{_number(min(new), fmt)}–{_number(max(new), fmt)}" if len(new) > 1 and len(base) == 1
            else _number(float(np.mean(new)), fmt))
    return f"{_number(float(np.mean(base)), fmt)} → {said}"


ORDER = ("retrained", "sampler", "combined")


def test_key(row: dict, i: int, quantity: str):
    """The name of one test in the family: a leaderboard row's own (answer.backbone_p_values's key, the same test
    on the same samples as Appendix B's), else (row index, quantity)."""
    return (*row["key"], BOARD_COLUMNS[quantity]) if "key" in row else (i, quantity)


def family_p_values(rows: list) -> dict:
    """The table's tests by test_key: what the other tables' Holm correction adds to its family."""
    rows = sorted(rows, key=lambda r: ORDER.index(r["kind"]))
    return {test_key(rows[i], i, q): p for (i, q), p in p_values(rows).items()}


def tested(rows: list, family: dict = None) -> tuple:
    """The rows in the table's order (retrained models, samplers, both combined), the (row index, quantity) pairs
    whose difference from the original Holm's correction keeps, and the number of tests it covered: the table's
    own and ``family``'s (the other tables' tests, answer.backbone_p_values), a test both hold counted once, so
    that one difference gets one verdict wherever it is printed."""
    rows = sorted(rows, key=lambda r: ORDER.index(r["kind"]))
    own = p_values(rows)
    every = {**(family or {}), **{test_key(rows[i], i, q): p for (i, q), p in own.items()}}
    kept = holm(every)
    return rows, {(i, q) for (i, q) in own if test_key(rows[i], i, q) in kept}, len(every)


def table_rows(rows: list, word, family: dict = None) -> tuple:
    """The document's rows (name, kind, FD as "original → extension", the FD change with its 95 % interval
    (change_cell), then accuracy, recall and CAS as "original → extension") and the number of tests Holm's
    correction covered (tested's, with ``family``). A change Holm's correction keeps carries the mark (ov_mark):
    FD's in its change cell, accuracy's in its cell; recall and CAS are descriptive."""
    rows, significant, n_tests = tested(rows, family)
    out = []
    for i, row in enumerate(rows):
        tau = word("ov_tau", tau=row["tau"]) if row["tau"] not in (None, 1.0) else ""
        if row.get("key", (None, None))[1] == "two_stage":  # Section 5's fixed setting, its original's too: said
            tau = word("ov_fixed")
        cells = {q: _cell(row["values"][q], fmt, row.get("shown")) if q in row["values"] else word("not_defined")
                 for q, fmt in QUANTITIES + DESCRIBED}
        if (i, "accuracy") in significant:
            cells["accuracy"] += word("ov_mark")
        out.append([merged(row["label"] + tau), word(f"ov_kind_{row['kind']}"), cells["fd"],
                    change_cell(row, (i, "fd") in significant, word), cells["accuracy"], cells["recall"], cells["cas"]])
    return out, n_tests


def lowered_sentence(rows: list, word, family: dict = None, exclude=()) -> str:
    """The abstract's and the conclusion's word on the other extensions, every backbone's, the combinations with the
    GMM included and the temperature (a trade of accuracy against FD that validation chose away from, the table's
    row) left out: which lowered FD significantly, which lowered it without the test confirming it, and which did
    not lower it, by name without settings or numbers (Table 2 gives them), and which of the first paid for it with
    a lower mean CAS (descriptive, as in the table; not recall, which coverage contradicts); "" with no such row. A name carries its backbone,
    dropped where the rows of that name on both backbones say the same ("two-stage VAE", but "MLP VAE-GAN" beside a
    conv VAE-GAN said elsewhere); ``exclude``: labels of rows said elsewhere (the answer's)."""
    rows, significant, _ = tested(rows, family)
    mine = [(i, r) for i, r in enumerate(rows) if r["label"] not in exclude
            and r.get("key", ("", ""))[1] != "temperature"]  # the temperature trades accuracy for FD: the table says it
    if not mine:
        return ""

    def fd(r, which):  # the row's mean FD (0) or its original's (1); a sweep's row: its lowest
        values = list(r["values"]["fd"][which].values())
        return float(min(values) if r.get("single") and which == 0 else np.mean(values))

    def fell(r, q):  # the row's mean below its original's
        return q in r["values"] and np.mean(list(r["values"][q][0].values())) < np.mean(list(r["values"][q][1].values()))
    groups = {"lowered": [], "unconfirmed": [], "not_lowered": []}
    costly = []  # lowered FD, at a lower CAS (recall, unlike coverage, fell for most samplers: not said)
    for i, r in mine:
        kind = ("not_lowered" if fd(r, 0) >= fd(r, 1) else "lowered" if (i, "fd") in significant else "unconfirmed")
        groups[kind].append(bare(r["label"]))
        if kind == "lowered" and fell(r, "cas"):
            costly.append(bare(r["label"]))
    every = [bare(r["label"]) for r in rows]
    groups, costly = _backbone_free(groups, every, word), _backbone_free({"costly": costly}, every, word)["costly"]
    said = {k: word(f"ov_{k}", names=listed(v, word)) for k, v in groups.items() if v}
    if costly:
        said["lowered"] += word("ov_costly", names=listed(costly, word))
    return word("ov_and_clause").join(said.values())


def _backbone_free(groups: dict, every: list, word) -> dict:
    """``groups`` (kind -> names) with each name's backbone word dropped ("MLP two-stage VAE" -> "two-stage VAE",
    "卷积简化两阶段 VAE" -> "简化两阶段 VAE") where both backbones have the name in one group and no other name of
    ``every`` (all rows: those said elsewhere or left out included) reads the same without it; the names so merged
    are said once."""
    prefixes = (word("mlp"), word("conv"))

    def free(name):
        return next((name[len(p):].lstrip() for p in prefixes if name.startswith(p)), name)

    def alone(name, names):  # both backbones have it, and every row of this backbone-free name is one of these names
        n = sum(free(m) == free(name) for m in names)
        return n > 1 and sum(free(e) == free(name) for e in every) == n
    return {kind: list(dict.fromkeys(free(n) if alone(n, names) else n for n in names))
            for kind, names in groups.items()}


def grouped_rows(rows: list, word) -> list:
    """table_rows's rows with the kind column folded into a heading row before each kind (retrained models,
    samplers, both combined), so that the numbers get the width: [heading, "", ...] then the kind's rows without
    their kind cell."""
    out, kinds = [], {word(f"ov_kind_{k}"): k for k in ORDER}
    for i, row in enumerate(rows):
        if i == 0 or row[1] != rows[i - 1][1]:
            out.append([word(f"ov_group_{kinds[row[1]]}")] + [""] * (len(row) - 2))
        out.append([row[0], *row[2:]])
    return out
