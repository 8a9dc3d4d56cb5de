"""Another seed of an ablation (reporting.ablation). The study tests each ablation's seed-0 run against the full
model's seeds; a run of the same ablation at another seed is a *replication*: scored the same way (the
prediction-interval t-test of each sampler's FD in each judge against the full model's seeds), Holm-corrected over
its own family (every replication x sampler x judge, declared when it was added, after the seed-0 result was
known), and shown beside the seed-0 row, so a reader sees whether the seed-0 result comes back.

    python scripts/ablations.py      trains the sweep's runs; the seed-0 runs are the study, the others replications
"""
from pathlib import Path

from ..evaluation.stats import holm_adjusted, prediction_p
from ..training import runs
from .ablation_core import HOLE, JUDGES, SAMPLERS, WORSE, _p, scores, verdict


def add(table: dict, replications: dict) -> dict:
    """``table`` (ablation.summarize's) with table["replications"]: ablation name -> one entry per run of
    ``replications`` (name -> run folders), shaped like the study's ablation entries (each sampler's FD in each
    judge with its p and Holm-adjusted p over this family, the sharpness, the rate, the run and its seed), and
    table["replication_tests"]. A new table; the study's own entries and tests are left as they were."""
    out = {**table, "replications": {}}
    raw = {}
    for name, dirs in replications.items():
        for run_dir in dirs:
            mine, run = scores(run_dir), Path(run_dir).name
            entry = {"run": run, "seed": runs.read_config(run_dir).seed, "sharpness": mine["sharpness"],
                     "rate": mine["rate"]}
            for s in SAMPLERS:
                entry[s] = {}
                for j in JUDGES:
                    value = mine[s][j]["fd"]
                    raw[(name, run, s, j)] = prediction_p(value, table["full"][s][j]["fd"])
                    entry[s][j] = {"fd": value, "accuracy": mine[s][j]["accuracy"], "p": raw[(name, run, s, j)]}
            out["replications"].setdefault(name, []).append(entry)
    adjusted = holm_adjusted(raw)
    for name, entries in out["replications"].items():
        for entry in entries:
            for s in SAMPLERS:
                for j in JUDGES:
                    entry[s][j]["p_holm"] = adjusted[(name, entry["run"], s, j)]
    out["replication_tests"] = len(raw)
    return out


def repeat_clause(table: dict, name: str, word) -> str:
    """The abstract's clause on an ablation's other seeds: their judge-A FD of the prior sampler and their verdict in
    the two judges ("" without)."""
    entries = table.get("replications", {}).get(name, [])
    said = {"higher": "both", "higher_one": "one", "same": "same"}  # any other verdict: the number alone
    return "".join(word("abl_repeat", fd=e["prior"]["classifier"]["fd"], verdict=word(
        "abl_repeat_" + said[v]) if (v := verdict(e, "prior", table["full"])) in said else "") for e in entries)


def sentence(table: dict, word) -> str:
    """Section 5's paragraph on the replications of the prior-sample ablation: each run's prior-sampler FD in both
    judges with its Holm-adjusted p, whether its verdict is the seed-0 run's, and its hole gap where measured;
    "" without a replication."""
    entries = table.get("replications", {}).get("no_prior", [])
    seed0 = table["ablations"].get("no_prior")
    if not entries or not seed0:
        return ""
    full = table["full"]
    first = verdict(seed0, "prior", full)
    parts = []
    for entry in entries:
        mine = verdict(entry, "prior", full)
        same = "same" if mine == first else "worse" if mine in WORSE and first in WORSE else "other"
        hole = (word("rep_hole", gap=entry[HOLE]["classifier"]["fd"], p=_p(entry[HOLE]["classifier"]["p_holm"]))
                if HOLE in entry else "")
        parts.append(word("rep_run", seed=entry["seed"], fd=entry["prior"]["classifier"]["fd"],
                          fd_b=entry["prior"]["judge"]["fd"], p_a=_p(entry["prior"]["classifier"]["p_holm"]),
                          p_b=_p(entry["prior"]["judge"]["p_holm"]), verdict=word(f"abl_short_{mine}"), hole=hole,
                          agree=word(f"rep_agree_{same}")))
    return word("rep_paragraph", runs=word("list_sep_strong").join(parts), n=table["replication_tests"],
                fd0=seed0["prior"]["classifier"]["fd"])
