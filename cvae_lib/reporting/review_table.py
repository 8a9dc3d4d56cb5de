"""The review's table: methods over seeds, operating points chosen on the validation reference, the test set
read once at those points, t intervals, and the rank agreement of the two judges.

A *method* is a sampler of a kind of run: (architecture, extension and its settings, sampler), e.g. "mlp · prior"
or "conv vaegan γ=0.1 · gmm"; its seeds are the runs that differ only in seed. Its *operating point* is the
temperature that minimizes, on the validation reference and averaged over seeds, the mean over the two judges of
FD / FD floor (the FD 10,000 real training images get against the same reference), among the temperatures whose
conditional accuracy is at least the method's own at tau = 1: no test image is needed, both judges weigh alike and
FD is not bought with class fidelity. The test scores there are the method's entry in the table."""
import re

from ..evaluation.review import JUDGES
from ..evaluation.stats import kendall_tau, sign_test, t_interval, welch_differ
from .answer import fd_p, lowest_fd, p_pair, p_value
from .leaderboard import METHOD_ORDER

QUANTITIES = ("accuracy", "fd", "precision", "recall", "density", "coverage")
"""the scores read in each judge's feature space, one vote each"""
MAIN_RUN = re.compile(r"^(mlp|conv)-s\d+(-vampprior|-vaegan(?!.*-no_(?:prior|feature)$).*|-rmsprop.*)?$")
"""the run folders of the comparison: seed runs of the original models and of the extensions (not the sweeps, not
the VAE-GAN's ablations, which reporting.ablation compares with their full model)"""


def method_of(config, sampler: str) -> str:
    """The method a run's sampler belongs to, the same for all its seeds."""
    name = config.architecture
    if config.extension == "vampprior":
        name += " vampprior"
    elif config.extension == "vaegan":
        name += f" vaegan γ={config.gan_gamma:g} lr={config.learning_rate:g}"
        if config.gan_ablation != "none":  # never merged with the full model's seeds
            name += f" {config.gan_ablation}"
    elif config.optimizer == "rmsprop":  # the CVAE baseline with the VAE-GAN's optimizer
        name += f" rmsprop lr={config.learning_rate:g}"
    return f"{name} · {sampler}"


LEADERBOARD_NAMES = {("none", "prior"): "prior", ("none", "gmm"): "gmm", ("vampprior", "prior"): "vampprior",
                     ("vaegan", "prior"): "vaegan", ("vaegan", "gmm"): "vaegan_gmm", ("rmsprop", "prior"): "rmsprop",
                     ("rmsprop", "gmm"): "rmsprop_gmm"}
"""(kind of run, sampler) -> the leaderboard's name of the method (its label's key m_<name> in the text files);
the kind is the extension, or "rmsprop" for the CVAE trained with the VAE-GAN's optimizer"""


def describe_method(method: str) -> dict:
    """What a method is, read from its name (method_of): architecture, extension, gamma (VAE-GAN only, else 0),
    sampler, and the leaderboard's name of the method."""
    head, sampler = method.split(" · ")
    parts = head.split()
    kind = parts[1] if len(parts) > 1 else "none"
    gamma = float(parts[2].split("=")[1]) if kind == "vaegan" else 0.0
    return {"architecture": parts[0], "extension": "none" if kind == "rmsprop" else kind, "gamma": gamma,
            "sampler": sampler, "name": LEADERBOARD_NAMES[(kind, sampler)]}


def ordered(methods) -> list:
    """Methods in the leaderboard's order: MLP first, then by kind (leaderboard.METHOD_ORDER), larger γ first."""
    def key(method):
        kind = describe_method(method)
        return kind["architecture"] != "mlp", METHOD_ORDER.index(kind["name"]), -kind["gamma"]
    return sorted(methods, key=key)


def curve(curves: dict, reference: str, judge: str, quantity: str) -> list:
    """[(tau, mean, t-based 95 % half-width)] over the seeds' curves of one method, by temperature."""
    taus = [p["tau"] for p in next(iter(curves.values()))]
    return [(tau, *t_interval(at(curves, tau, reference, judge, quantity))[:2]) for tau in taus]


def normalized_fd(point: dict, real: dict, reference: str = "validation") -> float:
    """Mean over the judges of FD / FD floor at one curve point."""
    return sum(point[reference][j]["fd"] / real[reference][j]["fd"] for j in JUDGES) / len(JUDGES)


def methods(reviews: dict, configs: dict) -> dict:
    """method -> {run name -> curve (list of points)} from run name -> review.json and run name -> config."""
    out = {}
    for name, review in sorted(reviews.items()):
        for sampler, curve in review["curves"].items():
            out.setdefault(method_of(configs[name], sampler), {})[name] = curve
    return out


def mean_accuracy(curves: dict, tau: float) -> float:
    """Conditional accuracy at one temperature: the mean over seeds and over the two judges (it scores the samples
    alone, so the reference does not enter)."""
    return sum(sum(at(curves, tau, "validation", j, "accuracy")) for j in JUDGES) / (len(JUDGES) * len(curves))


def operating_point(curves: dict, real: dict, keep_accuracy: bool = True) -> float:
    """The temperature with the smallest seed-mean normalized validation FD (ties: the larger temperature) among
    those whose conditional accuracy (mean_accuracy) is at least the method's own at tau = 1, its trained prior, so
    that FD is not bought with class fidelity; every temperature where the grid lacks 1 or ``keep_accuracy`` is
    False (the FD-only choice)."""
    taus = [p["tau"] for p in next(iter(curves.values()))]
    score = {tau: sum(normalized_fd(next(p for p in curve if p["tau"] == tau), real) for curve in curves.values())
             / len(curves) for tau in taus}
    if keep_accuracy and 1.0 in taus:
        floor = mean_accuracy(curves, 1.0)
        taus = [tau for tau in taus if mean_accuracy(curves, tau) >= floor]
    return min(taus, key=lambda tau: (score[tau], -tau))


def at(curves: dict, tau: float, reference: str, judge: str, quantity: str) -> list:
    """The per-seed values of one score at one temperature."""
    return [next(p for p in curve if p["tau"] == tau)[reference][judge][quantity] for curve in curves.values()]


def summarize(reviews: dict, configs: dict, real: dict, cas: dict = None, keep_accuracy: bool = True) -> dict:
    """The table: per method, its seeds, operating point, the validation and test scores there (mean and t-based
    95 % half-width over seeds, in both judges; relative accuracy and |log sharpness ratio| from the evaluation
    classifier), CAS where measured (cas: method -> list of per-seed accuracies); then Kendall's tau between the
    judges' FD rankings of the methods at their operating points (test) and over every curve point (validation).
    ``keep_accuracy`` False: the operating points chosen by FD alone (operating_point's), for comparison."""
    table, cas, grouped = {}, cas or {}, methods(reviews, configs)
    for method, curves in grouped.items():
        tau = operating_point(curves, real, keep_accuracy)
        entry = {"runs": sorted(curves), "tau": tau, **describe_method(method)}
        for reference in ("validation", "test"):
            entry[reference] = {j: {q: t_interval(at(curves, tau, reference, j, q))._asdict() for q in QUANTITIES}
                                for j in JUDGES}
            for j in JUDGES:  # per seed, in run order, for paired tests between samplers of the same runs
                entry[reference][j]["fd"]["values"] = at(curves, tau, reference, j, "fd")
            for q in ("relative_accuracy", "log_sharpness_distance"):
                entry[reference]["classifier"][q] = t_interval(at(curves, tau, reference, "classifier", q))._asdict()
        if method in cas:
            entry["cas"] = {**t_interval(cas[method])._asdict(), "values": [float(v) for v in cas[method]]}
        table[method] = entry
    names = sorted(table)
    fd = {j: [table[m]["test"][j]["fd"]["mean"] for m in names] for j in JUDGES}
    every = {j: [p["validation"][j]["fd"] for m, curves in grouped.items()
                 for curve in curves.values() for p in curve] for j in JUDGES}
    agreement = {"methods_at_operating_points_test_fd": kendall_tau(*fd.values()) if len(names) > 1 else None,
                 "every_curve_point_validation_fd": kendall_tau(*every.values())}
    return {"methods": table, "real": real, "kendall_tau": agreement}


ORIGINAL = "mlp · prior"
CONV_ORIGINAL = ORIGINAL.replace("mlp", "conv")
"""the original homework's sampler: the MLP CVAE with z ~ N(0, I), i.e. its prior at tau = 1"""


def gamma_choice(table: dict, architecture: str = "mlp") -> dict:
    """The VAE-GAN's adversarial weight chosen on validation: gamma -> its best normalized validation FD over its
    samplers, each at its own operating point (mean over seeds and judges), and "chosen", the gamma of the
    lowest; {} with fewer than two gammas reviewed."""
    scores = {}
    for entry in table["methods"].values():
        if entry["architecture"] == architecture and entry["extension"] == "vaegan":
            value = sum(entry["validation"][j]["fd"]["mean"] / table["real"]["validation"][j]["fd"]
                        for j in JUDGES) / len(JUDGES)
            scores[entry["gamma"]] = min(value, scores.get(entry["gamma"], float("inf")))
    return {"scores": scores, "chosen": min(scores, key=scores.get)} if len(scores) > 1 else {}


def gmm_cas_pairs(cas: dict) -> dict:
    """method sampled from its prior -> (its CAS, the same model's CAS with the GMM sampler), for every trained model
    with both in ``cas`` (method -> mean CAS)."""
    return {m: (cas[m], cas[m.replace("· prior", "· gmm")]) for m in cas
            if m.endswith("· prior") and m.replace("· prior", "· gmm") in cas}


def gmm_cas_pairs_clause(pairs: dict, word) -> str:
    """How often the mixture's samples train a worse classifier than the same model's prior samples (``pairs``:
    gmm_cas_pairs), with the sign test's p; below 5 % a finding, above it said to be a tendency only."""
    lower = sum(g < p for p, g in pairs.values())
    p = sign_test(lower, len(pairs))
    return word("review_gmm_cas_pairs", n_lower=lower, n_pairs=len(pairs), p=p_value(p),
                tendency=word("review_tendency") if p >= 0.05 else "")


def backbone_original(method: str) -> str:
    """The original CVAE sampled from N(0, I) on ``method``'s backbone (ORIGINAL for an MLP method)."""
    return f"{method.split()[0]} · prior"


COLUMNS = (("accuracy", "{:.3f}"), ("fd", None), ("precision", "{:.2f}"), ("recall", "{:.2f}"))
"""the document table's scores as "classifier / judge" (FD: 3 significant digits); coverage is Appendix D's (operating_table)"""


def _number(value: float, fmt) -> str:
    return fmt.format(value) if fmt else f"{value:#.3g}" if abs(value) < 100 else f"{value:.0f}"  # 10.0, never "10"


def document_rows(table: dict, labels: dict, reference: str = "test") -> list:
    """One row per method with a label (in ``labels``' order): its name, operating temperature, then each of
    COLUMNS as "classifier/judge" means over seeds, then CAS (mean; "–" where not measured)."""
    rows = []
    for method, label in labels.items():
        entry = table["methods"].get(method)
        if entry is None:
            continue
        scores = entry[reference]
        cells = [f"{_number(scores['classifier'][q]['mean'], fmt)}/{_number(scores['judge'][q]['mean'], fmt)}"
                 for q, fmt in COLUMNS]
        rows.append([label, f"{entry['tau']:g}", *cells, f"{entry['cas']['mean']:.3f}" if "cas" in entry else "–"])
    return rows


def real_row(table: dict, label: str, reference: str = "test") -> list:
    """The real images' row of the document table (their CAS: a classifier trained on real images)."""
    scores = table["real"][reference]
    return [label, "–", *[f"{_number(scores['classifier'][q], fmt)}/{_number(scores['judge'][q], fmt)}"
                          for q, fmt in COLUMNS], f"{table['real']['cas']:.3f}"]


def widest_interval(table: dict, quantity: str, judge: str, reference: str = "test") -> float:
    """The largest t-based 95 % half-width of one score over the methods (the table note states it)."""
    widths = [e[reference][judge][quantity]["half_width"] for e in table["methods"].values()]
    return max((w for w in widths if w == w), default=float("nan"))


def backbone_fds(table: dict) -> dict:
    """{judge: (MLP's FD, conv's FD)} of the two original models at their operating points on the test set, or {}
    when the table lacks one of them."""
    if ORIGINAL not in table["methods"] or CONV_ORIGINAL not in table["methods"]:
        return {}
    return {j: tuple(table["methods"][m]["test"][j]["fd"]["mean"] for m in (ORIGINAL, CONV_ORIGINAL)) for j in JUDGES}


def backbone_judges_agree(fds: dict) -> bool:
    """Whether both judges give the same one of the two original models the lower FD."""
    return len({mlp < conv for mlp, conv in fds.values()}) == 1


def judges_differ(entries: dict, fd: dict, labels: dict, word) -> str:
    """The judges' two lowest-FD methods (``fd``: lowest_fd's), and whether Welch's test over seeds (from the
    intervals) separates them in either judge's FD: "tied" when in neither."""
    p = fd_p(entries[fd["classifier"]], entries[fd["judge"]])
    return word("review_judges_differ_tied" if not any(v < 0.05 for v in p.values()) else "review_judges_differ",
                classifier=labels[fd["classifier"]], judge=labels[fd["judge"]], p_pair=p_pair(p, word),
                seeds=entries[fd["classifier"]]["test"]["classifier"]["fd"]["n"])


def agreement(tau: float, p: float) -> str:
    """The word for how alike two rankings are: close (Kendall's tau at least 0.6 and p below 0.05), loose (tau
    above 0.2) or none."""
    return "review_rank_close" if tau >= 0.6 and p < 0.05 else "review_rank_loose" if tau > 0.2 else "review_rank_none"


def text_values(table: dict, labels: dict, word) -> dict:
    """The numbers and chosen clauses the report's review section states, each from the table (``labels``:
    method -> its name in the document; ``word``: the document's word function). One vote per quantity: FD,
    recall and CAS are each read once per judge, never two bounds of one quantity."""
    entries = {m: table["methods"][m] for m in labels if m in table["methods"]}
    taus = sorted({e["tau"] for e in entries.values()})
    fd = lowest_fd(entries)
    recall = max(entries[m]["test"][j]["recall"]["mean"] for m in entries for j in JUDGES)
    coverage = max(entries, key=lambda m: entries[m]["test"]["classifier"]["coverage"]["mean"])  # evaluation classifier
    with_cas = {m: e["cas"]["mean"] for m, e in entries.items() if "cas" in e}
    ranks = table["kendall_tau"].get("methods_at_operating_points_test_fd")
    out = {"n_methods": len(entries), "taus_chosen": word("list_sep").join(f"{t:g}" for t in taus),
           "kendall_methods": ranks[0] if ranks else float("nan"), "kendall_methods_p": p_value(ranks[1] if ranks else 1.0),
           "rank_methods_clause": word(agreement(*ranks) if ranks else "review_rank_none"),
           "best_fd_classifier": labels[fd["classifier"]], "best_fd_judge": labels[fd["judge"]],
           "judges_best_clause": word("review_judges_agree", name=labels[fd["classifier"]])
           if fd["classifier"] == fd["judge"] else judges_differ(entries, fd, labels, word),
           "max_recall": recall, "real_recall": min(table["real"]["test"][j]["recall"] for j in JUDGES),
           "density_precision_tau": kendall_tau(
               [entries[m]["test"]["classifier"]["density"]["mean"] for m in entries],
               [entries[m]["test"]["classifier"]["precision"]["mean"] for m in entries])[0] if len(entries) > 1 else 1.0,
           "max_coverage": entries[coverage]["test"]["classifier"]["coverage"]["mean"],
           "max_coverage_name": labels[coverage],
           "real_coverage": table["real"]["test"]["classifier"]["coverage"],
           "real_cas": table["real"]["cas"], "cas_seeds": table.get("cas_seeds", 1),
           "cas_seeds_text": word("seed_count_one" if table.get("cas_seeds", 1) == 1 else "seed_count_many",
                                  n=table.get("cas_seeds", 1))}
    out["gmm_cas_clause"] = out["cas_sentence"] = ""  # no CAS measured: the section says nothing of it
    if with_cas:
        best = max(with_cas, key=with_cas.get)
        out.update(best_cas=with_cas[best], best_cas_name=labels[best], cas_gap=table["real"]["cas"] - with_cas[best])
        seeds = {m: entries[m]["cas"].get("values", []) for m in with_cas}  # per seed, for Welch's test
        base, gmm = with_cas.get(ORIGINAL), with_cas.get(ORIGINAL.replace("prior", "gmm"))
        pairs = gmm_cas_pairs(with_cas)
        if len(pairs) > 1:  # every trained model with both samplers: how often the mixture's samples train worse
            out["gmm_cas_clause"] = gmm_cas_pairs_clause(pairs, word)
        elif base is not None and gmm is not None:
            differ = welch_differ(seeds[ORIGINAL], seeds[ORIGINAL.replace("prior", "gmm")])
            out.update(cas_original=base, cas_gmm=gmm,
                       gmm_cas_clause=word(("review_gmm_cas_lower" if gmm < base else "review_gmm_cas_higher")
                                           if differ else "review_gmm_cas_same", cas_gmm=gmm, cas_original=base))
        # the best CAS is named only where Welch's test tells it from its own backbone's original CVAE's
        own = backbone_original(best)
        beats = best != own and own in with_cas and welch_differ(seeds[best], seeds[own])
        half = entries[best]["cas"]["half_width"]
        out.update(best_cas_hw=half, cas_low=min(with_cas.values()), cas_high=max(with_cas.values()),
                   best_cas_text=f"{with_cas[best]:.3f}" + (f"\u00a0[{with_cas[best] - half:.3f},\u00a0{with_cas[best] + half:.3f}]"
                                                            if half == half else ""))  # the 95 % interval, on one line
        tied = own in with_cas and best != own and not beats
        out["cas_sentence"] = word("review_cas_tied" if tied else "review_cas_beats" if beats else "review_cas",
                                   best_cas=out["best_cas"], best_cas_name=out["best_cas_name"], cas_gap=out["cas_gap"],
                                   gmm_cas_clause=out["gmm_cas_clause"], best_cas_text=out["best_cas_text"],
                                   cas_low=out["cas_low"], cas_high=out["cas_high"], base_name=labels.get(own, ""),
                                   cas_base=with_cas.get(own, float("nan")))
    gammas = gamma_choice({**table, "methods": entries})
    edge = gammas and len(gammas["scores"]) > 1 and gammas["chosen"] in (min(gammas["scores"]), max(gammas["scores"]))
    out["gamma_sentence"] = word("review_gamma", chosen=gammas["chosen"], scores=word("list_sep").join(
        word("gamma_score", g=g, v=v) for g, v in sorted(gammas["scores"].items())),
        edge_clause=word("review_gamma_edge", n=len(gammas["scores"])) if edge else "") if gammas else ""
    return out
