"""The sentences that answer the assignment's question, each chosen by the extension study's numbers: which method
is best (one name when one method wins on both measures), the two-by-two of adversarial training and a mixture
prior, and which VAE-GAN settings the tables show. ``word`` fills a sentence of the document's language."""
from ..evaluation.review import JUDGES
from ..evaluation.stats import welch_differ


def best_sentences(v: dict, acc_name: str, fd_name: str, same: bool, prior, word, real_accuracy=None) -> dict:
    """The abstract's (best_clause) and the conclusion's (best_short) answer: one name when one method has both
    the highest accuracy and the lowest FD, two otherwise; and the runner-up by FD (v["runner_name"], set only
    when Welch's test over seeds cannot tell it from the best) named as its equal. When the highest accuracy lies
    above the real test images' (``real_accuracy``), it is not offered as "the most recognisable samples": the
    method with the lowest FD is named with its own accuracy (v["min_fd_acc"]), and the higher accuracy as what
    a narrower sampler buys at the cost of recall (v["max_acc_recall"] against v["min_fd_recall"])."""
    values = dict(fd=v["min_fd"], acc=v["max_acc"], prior_fd=prior.fd, prior_acc=prior.conditional_accuracy,
                  base_name=v.get("base_name") or word("base_mlp"))  # ``prior``: that backbone's original CVAE
    tie = word("best_tie", runner_name=v["runner_name"], runner_fd=v["runner_fd"], runner_acc=v["runner_acc"],
               seeds=v.get("n_ext_seeds", 3)) if "runner_name" in v else ""
    typical = not same and real_accuracy is not None and v["max_acc"] > real_accuracy and "min_fd_acc" in v
    if typical:
        values.update(fd_acc=v["min_fd_acc"], fd_recall=v["min_fd_recall"], acc_recall=v["max_acc_recall"])
    kind = "same" if same else "typical" if typical else "two"
    return {key: word(f"{which}_{kind}", name=fd_name, fd_name=fd_name, acc_name=acc_name, **values) + tie
            for key, which in (("best_clause", "best"), ("best_short", "best_short"))}


def backbone_ties(summary, board, columns=("conditional_accuracy", "fd"), family=None) -> set:
    """(architecture, method, gamma, column) for every method of ``summary`` (leaderboard_summary's rows) whose
    seeds a t-test over seeds (``board``) cannot tell, on that column, from those of its own backbone's original
    CVAE sampled from N(0, I) (the row with method "prior"), after Holm's correction over every test the tables
    make (compare.holm): about thirty tests at 5 % each would otherwise call some noise a difference. ``family``:
    the other tests of the same family (key -> p, keys unlike these), so that every table comparing methods with
    their original (the overview's too) calls one difference one thing. The test is paired where the method
    samples the same trained runs as that row, seed by seed (the temperature, the GMM, the second stage), Welch's
    otherwise. That row itself is not tested."""
    tested, kept = _backbone_holm(summary, board, columns, family)
    return tested - kept


def backbone_confirmed(summary, board, columns=("conditional_accuracy", "fd"), family=None) -> set:
    """The tests of backbone_ties that Holm's correction keeps: the differences from the backbone's original CVAE
    that the tables mark as confirmed."""
    tested, kept = _backbone_holm(summary, board, columns, family)
    return tested & kept


def _backbone_holm(summary, board, columns, family) -> tuple:
    from .compare import holm
    p_values = backbone_p_values(summary, board, columns)
    return set(p_values), holm({**(family or {}), **p_values})


def backbone_p_values(summary, board, columns=("conditional_accuracy", "fd")) -> dict:
    """(architecture, method, gamma, column) -> the t-test's p-value against the backbone's original (backbone_ties's
    tests, before Holm's correction)."""
    from ..evaluation.stats import seed_test_p
    p_values = {}
    for r in summary.itertuples():
        base = summary[(summary.architecture == r.architecture) & (summary.method == "prior")]
        if r.method == "prior" or base.empty:
            continue
        b = base.iloc[0]
        for column in columns:
            p_values[(r.architecture, r.method, r.gamma, column)] = seed_test_p(
                *(seed_values(board, key, column, by_run=True) for key in ((r.architecture, r.method, r.gamma),
                                                                          (b.architecture, b.method, b.gamma))))
    return p_values


MARKED = {"tau": ("mlp", "temperature", None), "gmm": ("mlp", "gmm", None), "two": ("mlp", "two_stage", None),
          "vamp": ("mlp", "vampprior", None), "gan": ("mlp", "vaegan", "gan_gamma"),
          "ogan": ("mlp", "vaegan", "gan_other_gamma"),
          "mtau": ("mlp", "vaegan_temperature", "gan_gamma"), "mgmm": ("mlp", "vaegan_gmm", "gan_gamma"),
          "conv_gan": ("conv", "vaegan", "conv_gan_gamma"), "ctau": ("conv", "vaegan_temperature", "conv_gan_gamma"),
          "cgmm": ("conv", "vaegan_gmm", "conv_gan_gamma"), "cvamp": ("conv", "vampprior", None)}
"""the prose's numbers that the tables test against their backbone's original (placeholder prefix ->
architecture, method, and the placeholder that holds its gamma, None for none)"""


def unconfirmed_dirs(v: dict, ties: set, no_gamma: float, word) -> dict:
    """{prefix}_acc_dir and {prefix}_fd_dir for every prefix of MARKED whose number ``v`` gives with a direction
    and the tables do not confirm (``ties``: backbone_ties's set; ``no_gamma``: the gamma of methods without one,
    leaderboard.NO_GAMMA), set to the language's verb without a direction, "dir_unconfirmed" ("moves", 变为); so
    the prose says a number rose or fell exactly where the tables mark the difference as confirmed."""
    out = {}
    for prefix, (arch, method, gamma) in MARKED.items():
        key = (arch, method, v.get(gamma, no_gamma) if gamma else no_gamma)
        for column, short in (("conditional_accuracy", "acc"), ("fd", "fd")):
            if (*key, column) in ties and f"{prefix}_{short}_dir" in v:
                out[f"{prefix}_{short}_dir"] = word("dir_unconfirmed")
    return out


def holm_family_size(summary, columns=("conditional_accuracy", "fd")) -> int:
    """How many tests backbone_ties corrects over (Holm's family): one per column for every method of ``summary``
    but its backbone's original CVAE, where that backbone has one."""
    return len(columns) * sum(1 for r in summary.itertuples() if r.method != "prior"
                              and ((summary.architecture == r.architecture) & (summary.method == "prior")).any())


def study_sentences(v: dict, mlp, summary, word) -> dict:
    """gan_gammas (the VAE-GAN weights the MLP rows show), conv_gan_clause (whether a conv VAE-GAN is shown, and a conv
    VampPrior), conv_scope (which methods also run on conv), open_vamp (the limit a missing conv VampPrior leaves) and
    ablation_sentence: adversarial training alone, the per-class mixture prior alone and both, said to count
    together only when both beat each alone on FD and accuracy. ``mlp``: the MLP rows indexed by (method, gamma)."""
    gammas = sorted({g for m, g in mlp.index if m == "vaegan"})
    conv_vamp = bool(((summary.architecture == "conv") & (summary.method == "vampprior")).any())
    out = {"gan_gammas": word("gan_gammas_one" if len(gammas) == 1 else "gan_gammas_many",
                              gammas=word("list_sep").join(f"{g:g}" for g in gammas)) if gammas else "",
           "conv_gan_clause": word("conv_gan_trained_vamp" if conv_vamp else "conv_gan_trained")
           if ((summary.architecture == "conv") & (summary.method == "vaegan")).any() else "",
           "conv_scope": word("conv_scope_vamp" if conv_vamp else "conv_scope"),
           "open_vamp": "" if conv_vamp else word("open_no_conv_vamp")}
    if {"gan_fd", "mgmm_fd", "gmm_fd"} <= set(v):
        both = v["mgmm_fd"] < min(v["gan_fd"], v["gmm_fd"]) and v["mgmm_acc"] > max(v["gan_acc"], v["gmm_acc"])
        # the combination's numbers, unless the answer just gave them (it is the best method)
        combo = "" if (v["mgmm_fd"], v["mgmm_acc"]) == (v.get("min_fd"), v.get("max_acc")) else word("combo_numbers", **v)
        # what the combination gives up: recall, where either ingredient alone keeps more of it
        lost = "mgmm_recall" in v and v["mgmm_recall"] < max(v.get("gan_recall", 0.0), v.get("gmm_recall", 0.0))
        recall = word("recall_cost", **v) if lost else ""
        out["ablation_sentence"] = word("ablation_both" if both else "ablation_plain",
                                        **{**v, "combo_numbers": combo, "recall_cost_clause": recall})
    else:
        out["ablation_sentence"] = word("ablation_gmm_only", **v) if "gmm_acc" in v else ""
    # the reason, said only as far as the runs show it: sharper samples, and not the optimizer's doing
    sharper = "gan_sharp" in v and v["gan_sharp"] > v["prior_sharp"]
    out["abstract_reason"] = word("abstract_reason" if v.get("rms_fd", -1.0) >= v["prior_fd"] else "abstract_reason_sharp",
                                  **v) if sharper else ""
    return out


def conv_control(v: dict, rms, word) -> dict:
    """The conv backbone's optimizer control (``rms``: the conv CVAE trained with the VAE-GAN's optimizer, its
    leaderboard row) against the conv CVAE and the conv VAE-GAN (v's conv_prior_fd, conv_gan_fd): its numbers, the
    extensions' sentence on it (worse than the original: the optimizer is not the reason; between the two: part
    of it; as good as the VAE-GAN: all of it) and, where the MLP has its control too, the abstract's reason on
    both backbones."""
    out = {"crms_fd": float(rms.fd), "crms_acc": float(rms.conditional_accuracy)}
    key = "worse" if rms.fd >= v["conv_prior_fd"] else "part" if rms.fd > v["conv_gan_fd"] else "all"
    out["conv_baseline_clause"] = word(f"conv_baseline_{key}", **{**v, **out})
    if "rms_fd" in v and v["rms_fd"] >= v["prior_fd"]:  # the MLP's control says "not the optimizer"
        out["abstract_reason"] = word("abstract_reason_both" if key == "worse" else "abstract_reason_conv_part",
                                      **{**v, **out})
    out["optimizer_not_reason"] = key == "worse"
    iwae = float(getattr(rms, "test_neg_iwae", float("nan")))  # how much of the likelihood's price is the optimizer's
    out["cost_optimizer_clause"] = (word("cost_optimizer", crms_iwae=iwae)
                                    if v.get("conv_prior_iwae", float("inf")) < iwae < v.get("conv_gan_iwae", float("-inf"))
                                    else "")
    return out


def seed_values(board, key: tuple, column: str, by_run: bool = False):
    """The per-seed values of one column of ``board`` (leaderboard.leaderboard's rows) for (architecture, method,
    gamma); with ``by_run``, as run folder -> value (the pairing of samplers of the same runs)."""
    rows = board[(board.architecture == key[0]) & (board.method == key[1]) & (board.gamma == key[2])]
    if by_run:
        return {str(d): float(x) for d, x in zip(rows["run_dir"], rows[column]) if x == x}
    return [float(x) for x in rows[column] if x == x]


def runner_up(every, board):
    """``every``: the leaderboard summary indexed by (architecture, method, gamma). The key with the second-lowest
    mean FD when Welch's test over seeds (``board``) tells it
    from the lowest neither on FD nor on conditional accuracy (the answer must then name both), else None."""
    if len(every) < 2:
        return None
    first, second = every.fd.sort_values().index[:2]
    tied = [not welch_differ(seed_values(board, first, c), seed_values(board, second, c))
            for c in ("fd", "conditional_accuracy")]
    return second if all(tied) else None


def p_pair(p: dict, word) -> str:
    """Both judges' p-values (``p``: judge -> p) in words, one number where both read the same, as the two
    Holm-adjusted p-values of one comparison can."""
    a, b = p_value(p["classifier"]), p_value(p["judge"])
    return word("p_pair_same", p=a) if a == b else word("p_pair", a=a, b=b)


def review_answer(table: dict, labels: dict, word, section: int) -> dict:
    """The answer under the stricter protocol (the review's summary ``table``; ``labels``: method -> name): the
    methods ranked by the criterion the protocol declared before scoring, FD over the real images' reference level
    averaged over both judges, on the tuning reference at each method's chosen temperature; the first reported
    with its test scores in both judges against its own backbone's original CVAE, and the runner-up named as its
    equal when Welch's test (from the seeds' intervals) tells them apart in neither judge's test FD. Returns
    best_clause (the abstract's), best_short (the conclusion's) and cas_verdict (the highest Classification
    Accuracy Score, against its original's and real images'); {} without reviewed methods. The abstract's answer
    gives FD alone: accuracy above real images' is read as more typical, not better (Section 4 says so)."""
    entries = {m: table["methods"][m] for m in labels if m in table.get("methods", {})}
    if not entries:
        return {}
    ranked = by_criterion(table, labels)
    best = ranked[0]
    base = f"{best.split()[0]} · prior"  # that backbone's original CVAE (review_table.ORIGINAL for the MLP)

    def scores(m, prefix=""):
        test = entries[m]["test"]
        return {f"{prefix}fd": test["classifier"]["fd"]["mean"], f"{prefix}fd_j": test["judge"]["fd"]["mean"],
                f"{prefix}accuracy": test["classifier"]["accuracy"]["mean"], f"{prefix}recall": test["classifier"]["recall"]["mean"]}
    values = {"name": labels[best], "tau": entries[best]["tau"], "section": section, **scores(best)}
    if base in entries and base != best:  # the baseline at its own operating point (the abstract's temperature
        values.update(base_name=labels[base], **scores(base, "base_"))  # sentence names its tau*)
    tie, tied = "", False
    if len(ranked) > 1:
        runner = ranked[1]
        p = fd_p(entries[best], entries[runner])
        runner_values = {"runner": labels[runner], **scores(runner, "runner_"),
                         "seeds": entries[best]["test"]["classifier"]["fd"]["n"]}
        tied = not (p["classifier"] < 0.05 or p["judge"] < 0.05)
        tie = (word("review_best_tie", p_pair=p_pair(p, word), **runner_values)
               if tied else word("review_best_ahead", **runner_values))
    kind = "review_best" if "base_fd" in values else "review_best_alone"
    out = {"best_clause": word(kind, **values) + tie, "best_short": word(kind + "_short", **values) + tie}
    model = None  # the answer as one trained model under two samplers, where it is one
    if tied and "base_fd" in values and family(best) == family(runner) and best.endswith(" · prior") != runner.endswith(" · prior"):
        # one trained model under two samplers, ranked first and second and not told apart: the answer is the
        # model (named by its prior sampler's label) with the criterion's first sampler, the other named as not told
        # apart from it, with where the judges favour different ones and which is the more diverse
        own, other = (best, runner) if best.endswith(" · prior") else (runner, best)

        def sampler(m, kind="sampler"):  # the sampler's name; "lead": how a clause opens with it ("with its GMM")
            return word(f"{kind}_{m.split(' · ')[1]}", tau=entries[m]["tau"])

        def opening(m):  # the lead as a sentence opens with it (its first letter upper case; Chinese as it is)
            lead = sampler(m, "lead")
            return lead[:1].upper() + lead[1:]
        test = {m: entries[m]["test"] for m in (own, other)}
        lower = {j: min((own, other), key=lambda m: test[m][j]["fd"]["mean"]) for j in JUDGES}
        diverse = max((own, other), key=lambda m: test[m]["classifier"]["recall"]["mean"])
        model = {**values, "model": labels[own], "sampler_b": sampler(other), "seeds": runner_values["seeds"],
                 "split": word("family_split") if len(set(lower.values())) > 1 else "",
                 "diverse": sampler(diverse, "short"), "recall_hi": test[diverse]["classifier"]["recall"]["mean"],
                 "recall_lo": min(test[m]["classifier"]["recall"]["mean"] for m in (own, other)),
                 **{f"{k}_{i}": v for i, m in enumerate((best, runner), 1)
                    for k, v in (("fd", entries[m]["test"]["classifier"]["fd"]["mean"]), ("lead", sampler(m, "lead")),
                                 ("cap", opening(m)), ("fd_j", entries[m]["test"]["judge"]["fd"]["mean"]))}}
        out = {"best_clause": word("review_family", **model), "best_short": word("review_family_short", **model)}
    cas = {m: e["cas"]["mean"] for m, e in entries.items() if "cas" in e}
    real = table.get("real", {}).get("cas")
    out["cas_verdict"] = ""
    if cas and real is not None:  # the judge-free check: the highest CAS, against its own backbone's original's
        high = max(cas, key=cas.get)
        original = cas.get(f"{high.split()[0]} · prior", float("nan"))  # review_table.backbone_original's name
        out["cas_verdict"] = word("cas_verdict_below" if cas[high] < real else "cas_verdict_reaches",
                                      high=cas[high], high_name=labels[high], base_cas=original, real=real)
        if model and family(high) == family(best) and own in cas and other in cas:
            # the answer is one model under two samplers: both samplers' CAS, each tested against the original's
            seeds = {m: entries[m]["cas"].get("values", []) for m in (own, other, base) if m in entries}
            above = [m for m in (own, other) if base in seeds and cas[m] > cas[base]
                     and welch_differ(seeds[m], seeds[base])]
            which = ("both" if len(above) == 2 else "none" if not above else "first" if above == [own] else "second")
            out["cas_verdict"] = word("cas_verdict_family", model=labels[own], cas_a=cas[own], cas_b=cas[other],
                                          tau_a=entries[own]["tau"], sampler_b=model["sampler_b"], base_cas=original,
                                          real=real, sig=word(f"cas_verdict_sig_{which}"))
    return out


def family(method: str) -> str:
    """The trained model a method samples (its name before the sampler): "conv vaegan γ=0.1 lr=0.0003"."""
    return method.split(" · ")[0]


def criterion(entry: dict, real: dict) -> float:
    """The review's declared criterion at a method's operating point: validation FD over the real images' FD
    (their reference level), averaged over the judges (review_table.normalized_fd on the seeds' means)."""
    return sum(entry["validation"][j]["fd"]["mean"] / real["validation"][j]["fd"] for j in JUDGES) / len(JUDGES)


def by_criterion(table: dict, labels=None) -> list:
    """The methods of a review ``table`` (those ``labels`` names, in its order, when given), best first by the
    declared criterion; the one ranking the answer, its checks, the showcase and the held-out check share."""
    methods = table.get("methods", {})
    names = [m for m in (methods if labels is None else labels) if m in methods]
    return sorted(names, key=lambda m: criterion(methods[m], table["real"]))


def fd_p(a: dict, b: dict) -> dict:
    """judge -> p over seeds between two review entries' test FD, Holm-adjusted over the two judges (one comparison
    made in both judges is one family, the report's one testing policy): the paired t-test where both entries are
    samplers of the same trained models (the same runs, whose per-seed values the table keeps), Welch's otherwise."""
    from ..evaluation.stats import holm_adjusted, paired_p, welch_p_from_intervals
    paired = a.get("runs") == b.get("runs") and all("values" in e["test"][j]["fd"] for e in (a, b) for j in JUDGES)
    return holm_adjusted({j: paired_p(a["test"][j]["fd"]["values"], b["test"][j]["fd"]["values"]) if paired
                          else welch_p_from_intervals(a["test"][j]["fd"], b["test"][j]["fd"]) for j in JUDGES})


def p_value(p: float) -> str:
    """A p-value as a reader wants it: "p < 0.001" below a thousandth, else "p = " with two significant figures
    (0.0023 -> "p = 0.0023", 0.041 -> "p = 0.041", 0.5 -> "p = 0.50"); never "p = 0.00"."""
    if not p >= 0:
        return "p = n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def lowest_fd(entries: dict) -> dict:
    """judge -> the method (a key of ``entries``, the review table's methods) with the lowest mean test FD."""
    return {j: min(entries, key=lambda m: entries[m]["test"][j]["fd"]["mean"]) for j in JUDGES}


def other_model(table: dict, labels: dict, word) -> str:
    """The answer's first (by the declared criterion) against the first method of any other trained model: each
    judge's test FD and Welch's p from the seeds' intervals, with how many judges tell the two apart at 5 %; "" with
    fewer than two trained models reviewed."""
    entries = {m: table["methods"][m] for m in labels if m in table.get("methods", {})}
    ranked = by_criterion(table, labels)
    others = [m for m in ranked if family(m) != family(ranked[0])] if ranked else []
    if not others:
        return ""
    best, other = ranked[0], others[0]
    fd = {j: (entries[best]["test"][j]["fd"], entries[other]["test"][j]["fd"]) for j in JUDGES}
    p = fd_p(entries[best], entries[other])
    apart = [j for j in JUDGES if p[j] < 0.05 and fd[j][0]["mean"] < fd[j][1]["mean"]]  # the best's FD lower
    verdict = "other_model_both" if len(apart) == len(JUDGES) else "other_model_one" if apart else "other_model_none"
    return word("other_model", best=labels[best], other=labels[other], fd=fd["classifier"][0]["mean"],
                o_fd=fd["classifier"][1]["mean"], fd_j=fd["judge"][0]["mean"], o_fd_j=fd["judge"][1]["mean"],
                p_c=p_value(p["classifier"]), p_j=p_value(p["judge"]),
                verdict=word(verdict, judge=word(f"judge_in_{apart[0]}") if apart else ""))


def rank_check(table: dict, labels: dict, word) -> str:
    """The declared criterion's first against another way of combining the judges: rank the methods by each judge's
    validation FD at their operating points and average the ranks. Says whether the criterion's first is also first
    (alone, or level with others) or not; "" with fewer than two methods."""
    entries = {m: table["methods"][m] for m in labels if m in table.get("methods", {})}
    if len(entries) < 2:
        return ""
    ranks = {m: 0.0 for m in entries}
    for judge in JUDGES:
        for place, m in enumerate(sorted(entries, key=lambda m: entries[m]["validation"][judge]["fd"]["mean"]), 1):
            ranks[m] += place / len(JUDGES)
    low = min(ranks.values())
    level = [m for m in entries if ranks[m] == low]
    first = by_criterion(table, labels)[0]
    key = ("rank_same" if level == [first] else "rank_tie") if first in level else "rank_other"
    return word(key, names=word("list_sep").join(labels[m] for m in level), mean_rank=low)
