"""The test of the ablation's reading (reporting.ablation): where the conv VAE-GAN without its GAN term on prior
samples got worse, is its decoder worse where the prior reaches beyond the training codes?

scripts/prior_holes.py splits each run's prior draws (tau = 1) at each class's median density ratio under the
aggregate posterior against the prior (evaluation.prior_holes) and scores both halves; a run's *hole gap* is the
worse-covered half's FD minus the better-covered half's. add_holes puts the gaps into the ablation study's table
(its last column); an ablation's gap is tested against the full model's seeds like its FD (ablation_core.group_p:
Welch's t-test over its seeds, or the prediction-interval t-test where it has one), Holm-corrected over its own
family (ablation x judge), declared when the test was added, after the reading it tests had been stated. The
sentences here say it in Section 5, the abstract and the conclusion.
"""
from ..evaluation.stats import holm_adjusted
from .ablation_core import (BASELINES, HOLE, JUDGES, _mean, _mean_sd, _p, _sd, group_p, group_runs, seed_values,
                            verdict)

FILE = "prior_holes.json"
"""scripts/prior_holes.py's measurement, in the review's folder beside ablation.FILE"""


def hole_gap(result: dict, judge: str) -> float:
    """One run's hole gap in one judge (its prior_holes.json entry): uncovered half's FD minus covered half's."""
    return result["uncovered"][judge]["fd"] - result["covered"][judge]["fd"]


def add_holes(table: dict, holes: dict) -> dict:
    """``table`` (summarize's) with the hole gap of every run that ``holes`` (prior_holes.json) measured: the full
    model's and the baselines' per seed (in their runs' order), and each ablation's (its seeds' mean and values) with
    its p against the full model's seeds (group_p) and the Holm-adjusted p over every ablation x judge of this test
    (its own family: it tests the reading of the FD ablation, and was added after it). Returns a new table; groups
    that ``holes`` lacks get no gap, and without the full model's the table is returned unchanged."""
    measured = {run: result for group in holes.get("groups", {}).values() for run, result in group.items()}
    out = {**table, "ablations": {name: dict(entry) for name, entry in table["ablations"].items()}}
    if not all(run in measured for run in table["full"]["runs"]):
        return table
    for name in ("full", *BASELINES):
        members = table.get(name, {}).get("runs", [])
        if members and all(run in measured for run in members):
            out[name] = {**table[name], HOLE: {j: {"fd": [hole_gap(measured[run], j) for run in members]}
                                                for j in JUDGES}}
    raw = {}
    for name, entry in out["ablations"].items():
        group = group_runs(entry)
        if all(run in measured for run in group):
            entry[HOLE] = {}
            for j in JUDGES:
                gaps = [hole_gap(measured[run], j) for run in group]
                raw[(name, j)] = group_p(gaps, out["full"][HOLE][j]["fd"])
                entry[HOLE][j] = {"fd": _mean(gaps), "fds": gaps, "p": raw[(name, j)]}
    for (name, j), p in holm_adjusted(raw).items():
        out["ablations"][name][HOLE][j]["p_holm"] = p
    out["hole_tests"] = len(raw)
    return out


def hole_verdict(table: dict):
    """verdict of the no_prior ablation's hole gap against the full model's seeds; None where not measured."""
    entry = table["ablations"].get("no_prior", {})
    return verdict(entry, HOLE, table["full"]) if HOLE in entry else None


def hole_sentence(table: dict, word, tab=None) -> str:
    """Section 5's account of the hole test (add_holes) of the reading that the prior-sample term trains the decoder
    where the codes do not go: both judges' gaps against the full model's seeds, the verdict, the original's gap
    where measured; the sentence that says it was not measured otherwise."""
    v = hole_verdict(table)
    if v is None:
        return word("abl_hole_unmeasured")
    entry, full, original = table["ablations"]["no_prior"][HOLE], table["full"][HOLE], table.get("original", {}).get(HOLE)
    (f_a, s_a), (f_b, s_b) = ((_mean(full[j]["fd"]), _sd(full[j]["fd"])) for j in JUDGES)

    def said_gap(cell, fmt):  # the ablation's gap: its seeds' mean ± std where it has several (no-break spaces)
        return _mean_sd(seed_values(cell), fmt, sep="\u00a0±\u00a0")
    said = word("abl_hole_v_" + (v if v in ("higher", "higher_one", "same") else "other"))
    orig = word("abl_hole_original", orig=_mean(original["classifier"]["fd"]),
                orig_sd=_sd(original["classifier"]["fd"])) if original else ""
    return word("abl_hole", tab=tab if tab is not None else "–",
                gap=said_gap(entry["classifier"], "{:+.1f}"), full=f_a, full_sd=s_a,
                gap_b=said_gap(entry["judge"], "{:+.2f}"), full_b=f_b,
                full_sd_b=s_b, p_a=_p(entry["classifier"]["p_holm"]), p_b=_p(entry["judge"]["p_holm"]),
                n=table["hole_tests"], verdict=said, original=orig)
