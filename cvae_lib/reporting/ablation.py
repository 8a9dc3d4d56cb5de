"""Why the conv VAE-GAN samples better: its ablations (sweeps/ablations.yaml), each trained without one of the
parts the VAE-GAN adds to the CVAE (modelling.vaegan.ABLATIONS), against the full model's seeds.

Everything is read at tau = 1 (Section 5's fixed temperature: the ablations change the training, not the
sampling) from the review's curves (review.json: both judges, the test reference, the prior and the per-class GMM
sampler) and from metrics.json (prior samples' sharpness and the rate, KL per image). An ablation trained at
several seeds is compared with the full model's seeds by Welch's t-test, like every comparison of the report; one
trained once is tested with the prediction-interval t-test (stats.prediction_p: is it outside what another seed
of the full recipe would give?). Holm-corrected over every ablation x sampler x judge.

    python scripts/ablations.py      trains what is missing, reviews, writes report/review/ablations.json
    python scripts/prior_holes.py    splits each run's prior draws by coverage, writes report/review/prior_holes.json

The second file tests the reading of the first (reporting.holes, whose gaps become the table's last column).
"""
import math
from pathlib import Path

from ..evaluation.stats import holm_adjusted
from ..training import runs
from .ablation_core import (BASELINES, HOLE, JUDGES, SAMPLERS, SIGNIFICANT, TAU, WORSE, _mean,  # noqa: F401
                            _design_kind, _feature_seeds, _mean_sd, _p, _pair, _recon_gmm_side, _single, design,
                            group_p, group_runs, point, scores, seed_values, verdict)

FILE = "ablations.json"
"""the summary in the review's folder (report/review/ablations.json)"""


def summarize(full_dirs, ablation_dirs: dict, baselines: dict = None) -> dict:
    """The study: the full model's per-seed scores, each ablation's (ablation name -> its run folder, or a list of
    them, one per seed) with its seeds' mean, their values and its p against the full model's seeds (group_p), the
    Holm-adjusted p over all of them, and, for scale, the baselines' per-seed scores (BASELINES name -> run folders)."""
    full = [scores(d) for d in full_dirs]
    if len(full) < 2:
        raise ValueError(f"the ablations are tested against the full model's seeds: need at least 2, got {len(full)}")
    baselines = baselines or {}
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        raise ValueError(f"unknown baseline(s) {unknown}; known: {list(BASELINES)}")

    def seeds(rows, *path):
        out = []
        for row in rows:
            for key in path:
                row = row[key]
            out.append(float(row))
        return out

    table = {"tau": TAU, "full": {"runs": [Path(d).name for d in full_dirs]}, "ablations": {},
             **{name: {"runs": [Path(d).name for d in baselines.get(name, ())]} for name in BASELINES}}
    groups = [("full", full)] + [(name, [scores(d) for d in baselines.get(name, ())]) for name in BASELINES]
    for name, rows in groups:
        if rows:
            table[name].update({s: {j: {q: seeds(rows, s, j, q) for q in ("fd", "accuracy")} for j in JUDGES}
                                for s in SAMPLERS})
            table[name].update({k: seeds(rows, k) for k in ("sharpness", "rate")})
    raw = {}
    for ablation, found in ablation_dirs.items():
        group = [found] if isinstance(found, (str, Path)) else list(found)
        mine = [scores(d) for d in group]
        entry = {"run": Path(group[0]).name, "runs": [Path(d).name for d in group],
                 "sharpness": _mean([m["sharpness"] for m in mine]), "rate": _mean([m["rate"] for m in mine])}
        for s in SAMPLERS:
            entry[s] = {}
            for j in JUDGES:
                fds = [m[s][j]["fd"] for m in mine]
                p = group_p(fds, table["full"][s][j]["fd"])
                raw[(ablation, s, j)] = p
                entry[s][j] = {"fd": _mean(fds), "fds": fds, "accuracy": _mean([m[s][j]["accuracy"] for m in mine]),
                               "p": p}
        table["ablations"][ablation] = entry
    adjusted = holm_adjusted(raw)
    for (ablation, s, j), p in adjusted.items():
        table["ablations"][ablation][s][j]["p_holm"] = p
    table["tests"] = len(raw)
    return table


def find_runs(runs_root, architecture: str = "conv", gamma: float = 0.1) -> dict:
    """The finished, reviewed ablation runs of one backbone's VAE-GAN in ``runs_root``: ablation -> run folder."""
    found = {}
    for d in sorted(Path(runs_root).iterdir()):
        if not (d / runs.CONFIG).is_file() or not (d / "review.json").is_file() or not (d / runs.METRICS).is_file():
            continue
        config = runs.read_config(d)
        if (config.extension == "vaegan" and config.gan_ablation != "none" and config.architecture == architecture
                and config.gan_gamma == gamma):
            found.setdefault(config.gan_ablation, d)
    return found


COLUMNS = (("prior", "classifier", "{:.1f}"), ("prior", "judge", "{:.2f}"), ("gmm", "classifier", "{:.1f}"),
           ("gmm", "judge", "{:.2f}"), ("sharpness", None, "{:.2f}"), ("rate", None, "{:.1f}"))
"""the table's columns after the label: test FD of each sampler in each judge, then the prior samples' sharpness
and the rate"""
HOLE_COLUMN = (HOLE, "classifier", "{:+.1f}")
"""the column add_holes adds (judge A's hole gap; judge B's is said in the text)"""


def columns(table: dict) -> tuple:
    """The table's columns: COLUMNS, and HOLE_COLUMN where holes.add_holes measured the full model."""
    return COLUMNS + ((HOLE_COLUMN,) if HOLE in table["full"] else ())


def headers(table: dict) -> list:
    """The keys of the columns' headers (the text files' h_abl_<key>), in columns' order."""
    return list(HEADERS) + (["hole"] if HOLE in table["full"] else [])


def _group_cells(group: dict, cols: tuple = COLUMNS, spread: bool = True) -> list:
    return [("–" if s not in group else _mean_sd(group[s] if j is None else group[s][j]["fd"], fmt, spread))
            for s, j, fmt in cols]


def rows(table: dict, labels: dict, seeds_label=None) -> list:
    """The table's rows: the full model over its seeds (mean ± std), its seed 0 where an ablation has that seed only,
    each ablation (its seeds' mean ± std where it has several; a * where its Holm-adjusted p is below 0.05), then
    the baselines that were measured (their seeds' means). ``labels``: "full", "full_seed", each ablation and each
    baseline -> its row label; ``seeds_label``: the number of an ablation's seeds -> what its label gets after it."""
    full, cols = table["full"], columns(table)
    out = [[labels["full"], *_group_cells(full, cols)]]
    if _single(table):
        first = {s: {j: {"fd": [full[s][j]["fd"][0]]} for j in JUDGES} for s in (*SAMPLERS, HOLE) if s in full}
        out.append([labels["full_seed"], *_group_cells({**first, "sharpness": full["sharpness"][:1],
                                                         "rate": full["rate"][:1]}, cols)])
    for name, entry in table["ablations"].items():
        said = seeds_label(len(group_runs(entry))) if seeds_label else ""
        out.append([labels[name] + said, *_entry_cells(entry, cols)])
    for name in BASELINES:
        if "prior" in table.get(name, {}):
            out.append([labels[name], *_group_cells(table[name], cols, spread=False)])  # for scale: means
    return out


def _entry_cells(entry: dict, cols: tuple) -> list:
    """An ablation's cells: its value, or its seeds' mean ± std where it has several; a * where its Holm-adjusted p
    is below 0.05."""
    return [fmt.format(entry[s]) if j is None else "–" if s not in entry else
            _mean_sd(seed_values(entry[s][j]), fmt) + ("*" if entry[s][j]["p_holm"] < SIGNIFICANT else "")
            for s, j, fmt in cols]


LABELS = ("full", "full_seed", "no_prior", "no_feature", "no_recon_gan", "control", "original")
"""the row labels' keys (the text files' abl_<key>)"""
HEADERS = ("prior_a", "prior_b", "gmm_a", "gmm_b", "sharpness", "rate")
"""the columns' headers' keys (the text files' h_abl_<key>), COLUMNS' order"""


def values(table: dict, word, tab=None) -> dict:
    """The text's values: the test's settings (seeds, degrees of freedom, tests), per ablation its sentence (what it
    leaves out, then each sampler's verdict with both judges' FDs against the full model's means and the smaller of
    the two judges' adjusted p), the conclusion's reading ("abl_short", or its short verdicts), the mechanism the
    verdicts support ("" where they fit no simple reading) and the theory section's link to it ("abl_theory": only
    where leaving the prior-sample term out hurts the prior sampler and not the GMM's), with the hole test where
    holes.add_holes ran it (``tab``: the table's number, which its sentence names)."""
    from .holes import hole_sentence, hole_verdict  # the reading's test, said with the ablation's
    full, n = table["full"], len(table["full"]["runs"])
    out = {"abl_n": n, "abl_df": n - 1, "abl_tests": table["tests"],
           "abl_intro": word("abl_intro_one" if len(table["ablations"]) == 1 else "abl_intro_many"),
           "abl_design": design(table, word), "abl_seed_row": word("abl_caption_seed_row") if _single(table) else "",
           "abl_test_kind": word("abl_test_kind_" + _design_kind(table))}
    verdicts, parts = {}, []
    for name, entry in table["ablations"].items():
        clauses = {}
        for s in SAMPLERS:
            v = verdicts[(name, s)] = verdict(entry, s, full)
            p = max(entry[s][j]["p_holm"] for j in JUDGES)  # both judges must reject: the larger one says it
            clauses[s] = word(f"abl_{v}", fd=entry[s]["classifier"]["fd"], full=_mean(full[s]["classifier"]["fd"]),
                              fd_b=entry[s]["judge"]["fd"], full_b=_mean(full[s]["judge"]["fd"]), p=_p(p),
                              p_a=_p(entry[s]["classifier"]["p_holm"]), p_b=_p(entry[s]["judge"]["p_holm"]))
        if verdicts[(name, "prior")] == verdicts[(name, "gmm")] == "same":  # both null: one clause for the two
            out[f"abl_{name}_sentence"] = word(
                "abl_sentence_same", what=word(f"abl_what_{name}"), fd=entry["prior"]["classifier"]["fd"],
                full=_mean(full["prior"]["classifier"]["fd"]), gmm_fd=entry["gmm"]["classifier"]["fd"],
                full_gmm=_mean(full["gmm"]["classifier"]["fd"]))
        else:
            out[f"abl_{name}_sentence"] = word("abl_sentence", what=word(f"abl_what_{name}"), prior=clauses["prior"],
                                               gmm=clauses["gmm"])
        moved = (verdicts[(name, "prior")], verdicts[(name, "gmm")]) != ("same", "same")
        parts.append((name != "no_prior", word(f"abl_part_{name}", prior=word("abl_short_" + verdicts[(name, "prior")]),
                                               gmm=word("abl_short_" + verdicts[(name, "gmm")]))
                      if moved else word(f"abstract_abl_{name}_same")))  # neither moved: one short clause
    parts = [text for _, text in sorted(parts, key=lambda p: p[0])]  # the prior-sample term first, as the abstract
    for name in ("no_prior", "no_feature", "no_recon_gan"):
        out.setdefault(f"abl_{name}_sentence", "")
    more = []
    if verdicts.get(("no_prior", "prior")) in WORSE:  # the reading, tested; the term's share of the gain; a confound
        if HOLE in table["ablations"].get("no_prior", {}):  # tested: its own paragraph after the mechanism
            out["abl_hole_paragraph"] = hole_sentence(table, word, tab)
        else:
            more.append(hole_sentence(table, word, tab))  # says the regions were not measured
        share = gain_share(table)
        if share:
            more.append(word("abl_share", **share) + (word("abl_share_b_all" if share["share_b"] >= 100 else "abl_share_b",
                                                           **share) if "share_b" in share else ""))
        rate = _pair(table, "no_prior", "rate")  # a higher rate without the term: another reading of the same result
        if rate and rate[0] > max(table["full"]["rate"]):
            more.append(word("abl_rate_higher", rate=rate[0], full=rate[1]))
    out.setdefault("abl_hole_paragraph", "")
    feature_seeds, feature_sharp = _feature_seeds(table), _pair(table, "no_feature", "sharpness")
    out["abl_mechanism"] = mechanism(verdicts, word, _pair(table, "no_prior", "sharpness"), tuple(more),
                                     feature_sharp, feature_seeds, _pair(table, "no_recon_gan", "sharpness"))
    feature_kept = ({verdicts.get(("no_feature", s)) for s in SAMPLERS} == {"same"}
                    and feature_seeds > 1 and _sharp_kept(feature_sharp))
    out["abl_not_ranked"] = not_ranked(table, verdicts, word)
    out["open_feature"] = word("open_feature_one") if feature_seeds == 1 else ""
    recon = table["ablations"].get("no_recon_gan")
    out["open_recon"] = word("open_recon_one") if recon and len(group_runs(recon)) == 1 else ""
    out["abl_larsen"] = word("abl_larsen_tested" if feature_kept else "abl_larsen_untested")
    short = abstract_mechanism(verdicts, word, feature_seeds)  # in one clause (the hole test: Section 5's alone)
    out["abl_short"] = (word("abl_short_join", mechanism=short) if short  # the conclusion's: the reading, or the
                        else word("list_sep_strong").join(parts))  # verdicts themselves where there is none
    out["abl_untested"] = "" if "no_feature" in table["ablations"] else word("abl_untested_short")
    # the theory's VAE-GAN paragraph ties the prior-sample mechanism to the aggregate posterior's gap, where found
    prior_only = verdicts.get(("no_prior", "prior")) in WORSE and verdicts.get(("no_prior", "gmm")) not in WORSE
    out["abl_hole_caption"] = word("abl_hole_caption") if HOLE in full else ""  # the table's last column, said
    out["abl_hole_tests"] = word("abl_hole_tests_said", n=table["hole_tests"]) if HOLE in full else ""
    hole = hole_verdict(table)
    out["abl_theory"] = (word("abl_theory", hole_said=word("abl_theory_" + (hole if hole in WORSE else "unmeasured"
                                                                              if hole is None else "not")))
                         if prior_only else "")
    return out


def not_ranked(table: dict, verdicts: dict, word) -> str:
    """The sentence that the ablations are not ranked with Section 4's methods and, where an ablation's seed mean is
    below the full model's in judge A without a significant difference (``verdicts``: (ablation, sampler) ->
    verdict), which cells those are: a lower FD the seeds cannot confirm."""
    full = table["full"]
    cells = [word("abl_lower_cell", name=word(f"abl_{name}"), sampler=word(f"abl_sampler_{s}"),
                  fd=entry[s]["classifier"]["fd"], full=_mean(full[s]["classifier"]["fd"]))
             for name, entry in table["ablations"].items() for s in SAMPLERS
             if verdicts.get((name, s)) == "same" and entry[s]["classifier"]["fd"] < _mean(full[s]["classifier"]["fd"])]
    return word("abl_not_ranked_lower", cells=word("list_sep").join(cells)) if cells else word("abl_not_ranked")


SHARPNESS_KEPT = 0.1
"""|log| of the ablation's sharpness over the full model's mean below which its draws count as just as sharp"""


def mechanism(verdicts: dict, word, sharpness: tuple = None, more: tuple = (), feature_sharpness: tuple = None,
              feature_seeds: int = 1, recon_sharpness: tuple = None) -> str:
    """What the verdicts ((ablation, sampler) -> verdict) say about the two mechanisms: the GAN term on prior samples
    trains the decoder where the prior reaches beyond the codes (then leaving it out hurts the prior sampler, not the
    GMM's), and the feature reconstruction sharpens (then leaving it out hurts both samplers). ``sharpness``: the
    prior draws' sharpness without the prior-sample term and the full model's mean; where the draws got worse but
    stayed as sharp, the text says that sharpness alone does not make them good. ``more``: sentences said after the
    prior-sample reading, before the feature term's. ``feature_sharpness``: the same pair for the feature ablation,
    trained at ``feature_seeds`` seeds: a null from one run is called inconclusive; a null at several seeds whose
    draws stayed as sharp says the sharpness comes from what both ablations keep, the adversarial loss on
    reconstructions, unless that loss was ablated too (``recon_sharpness``: its prior draws' sharpness and the full
    model's): then recon_reading says what the third ablation found."""
    parts = []
    prior, gmm = verdicts.get(("no_prior", "prior")), verdicts.get(("no_prior", "gmm"))
    if prior in WORSE:  # in one judge only: the same reading, said as that weaker evidence
        one = "_one" if prior == "higher_one" else ""
        parts.append(word(("abl_mech_prior_gmm" if gmm == "higher" else "abl_mech_prior") + one))
        if _sharp_kept(sharpness):
            parts.append(word("abl_sharp_kept", sharp=sharpness[0], full=sharpness[1]))
    elif prior == "same" and gmm == "same":
        parts.append(word("abl_mech_prior_none"))
    parts += list(more)
    feature = {verdicts.get(("no_feature", s)) for s in SAMPLERS}
    if feature == {None}:  # not trained: its share stays open, and the text says so
        parts.append(word("abl_feature_untested"))
    elif feature == {"higher"}:
        parts.append(word("abl_mech_feature"))
    elif feature == {"same"}:  # and where neither ablation moved the GMM's draws, what both kept may carry them
        if feature_seeds <= 1:
            parts.append(word("abl_mech_feature_none"))
        elif _sharp_kept(feature_sharpness):
            parts.append(word("abl_feature_sharp_kept" + ("_short" if recon_sharpness else ""),
                              sharp=feature_sharpness[0], full=feature_sharpness[1]))
        if gmm == "same" and not recon_sharpness:
            parts.append(word("abl_mech_gmm_kept"))
    return " ".join(parts + recon_reading(verdicts, word, recon_sharpness))


def recon_reading(verdicts: dict, word, sharpness: tuple = None) -> list:
    """The third ablation's reading (no adversarial loss on reconstructions; ``sharpness``: its prior draws' and the
    full model's mean, None where it was not run): whether the per-class GMM's gain, which outlived the other two,
    fell without it, and whether the prior draws stayed as sharp, fell below or rose above the full model's."""
    if not sharpness:
        return []
    side = "kept" if _sharp_kept(sharpness) else "lower" if sharpness[0] < sharpness[1] else "higher"
    return [word("abl_recon_gmm_" + _recon_gmm_side(verdicts)),
            word("abl_recon_sharp_" + side, sharp=sharpness[0], full=sharpness[1])]


def abstract_reason(table: dict, word) -> str:
    """The abstract's reason: the effect on the prior sampler in judge A and on the GMM sampler of each ablation that
    moved either (the others' null results are Section 5's; where none moved, each in one clause), the prior-sample
    term first, then the mechanism where the verdicts support one."""
    full = table["full"]
    verdicts = {(name, s): verdict(entry, s, full) for name, entry in table["ablations"].items() for s in SAMPLERS}
    order = [n for n in ("no_prior", "no_feature") if n in table["ablations"]]  # the headline's term first
    moved = {n: (verdicts[(n, "prior")], verdicts[(n, "gmm")]) != ("same", "same") for n in order}
    said = [n for n in order if moved[n]] or order  # what moved; where nothing did, every null in one clause
    parts = [word(f"abstract_abl_{name}", verdict=word("abl_short_" + verdicts[(name, "prior")]),
                  gmm=word("abl_short_" + verdicts[(name, "gmm")]),
                  fd=table["ablations"][name]["prior"]["classifier"]["fd"], full=_mean(full["prior"]["classifier"]["fd"]))
             if moved[name] else word(f"abstract_abl_{name}_same") for name in said]
    short = abstract_mechanism(verdicts, word, _feature_seeds(table))  # the hole test, uncalibrated: Section 5's
    seeds = len(group_runs(table["ablations"][said[0]])) if said else 0  # the first one said: its seeds
    runs_said = (word("abl_runs_seeds" if len(parts) == 1 else "abl_runs_mixed", n=seeds) if seeds > 1
                 else word("abl_runs_one" if len(parts) == 1 else "abl_runs_many"))
    if seeds > 1 and len(parts) == 1 and _design_kind(table) == "mixed":  # another ablation, unsaid here, ran once
        runs_said = word("abl_runs_but_one", n=seeds)
    return word("abstract_abl" if short else "abstract_abl_bare", runs=runs_said,
                parts=word("list_sep_strong").join(parts), mechanism=short)


def abstract_mechanism(verdicts: dict, word, feature_seeds: int = 1) -> str:
    """mechanism's reading of the prior-sample ablation in one clause for the abstract and the conclusion ("" where it
    has none), then, where the GMM's draws outlived both ablations, what both kept (the feature ablation's single seed
    said where it had one), or the third ablation's verdict on it where that was run. The hole test, uncalibrated,
    is Section 5's alone."""
    prior, gmm = verdicts.get(("no_prior", "prior")), verdicts.get(("no_prior", "gmm"))
    if prior in WORSE:
        one = "_one" if prior == "higher_one" else ""
        kept = gmm == "same" and verdicts.get(("no_feature", "gmm")) == "same"  # the GMM's gain outlived both
        if not kept:
            gmm_clause = ""
        elif ("no_recon_gan", "gmm") in verdicts:  # the third ablation, where it was run: what carries the gain
            gmm_clause = word("abs_gmm_recon_" + _recon_gmm_side(verdicts))
        else:
            gmm_clause = word("abs_gmm_kept", feature_seeds=word("abs_feature_one_seed") if feature_seeds == 1 else "")
        return word(("abs_mech_prior_gmm" if gmm == "higher" else "abs_mech_prior") + one) + gmm_clause
    if prior == "same" and gmm == "same":
        return word("abs_mech_prior_none")
    return ""


def _sharp_kept(sharpness) -> bool:
    """Whether the ablation's prior draws are as sharp as the full model's (``sharpness``: _pair's)."""
    return bool(sharpness) and abs(math.log(sharpness[0] / sharpness[1])) < SHARPNESS_KEPT


def gain_share(table: dict) -> dict:
    """The share of the full model's judge-A FD gain over the original CVAE (prior sampler, tau = 1, seed means) that
    is lost without the prior-sample term: {share (%), original, full, fd}, and judge B's as share_b, original_b,
    fd_b where the original was scored there; {} without that ablation or baseline."""
    entry, original = table["ablations"].get("no_prior"), table.get("original", {}).get("prior")
    if not entry or not original:
        return {}
    base, full = _mean(original["classifier"]["fd"]), _mean(table["full"]["prior"]["classifier"]["fd"])
    fd = entry["prior"]["classifier"]["fd"]
    if not base > full:
        return {}
    out = {"share": 100 * (fd - full) / (base - full), "original": base, "full": full, "fd": fd}
    if "judge" in original:
        base_b, full_b = _mean(original["judge"]["fd"]), _mean(table["full"]["prior"]["judge"]["fd"])
        if base_b > full_b:
            fd_b = entry["prior"]["judge"]["fd"]
            out.update(share_b=100 * (fd_b - full_b) / (base_b - full_b), original_b=base_b, fd_b=fd_b)
    return out
