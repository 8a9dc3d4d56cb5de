"""The conv backbone's two retrained extensions side by side: is the winner the backbone's doing? The conv VampPrior's
numbers and the sentences that set it beside the conv VAE-GAN (Section 5, the abstract)."""


def conv_vamp_values(conv, cp, direction) -> dict:
    """The conv VampPrior's numbers for the prose ({} without one). ``conv``: the conv leaderboard rows indexed by
    (method, gamma); ``cp``: the original conv CVAE's row; ``direction(new, old)``: the verb."""
    rows = conv[conv.index.get_level_values(0) == "vampprior"]
    if rows.empty:
        return {}
    r = rows.iloc[0]
    return dict(cvamp_fd=r.fd, cvamp_acc=r.conditional_accuracy, cvamp_recall=r.recall, cvamp_iwae=r.test_neg_iwae,
                cvamp_fd_dir=direction(r.fd, cp.fd), cvamp_acc_dir=direction(r.conditional_accuracy, cp.conditional_accuracy))


def conv_vamp_sentences(v: dict, word) -> dict:
    """conv_vamp_clause (Section 5's), "" without a conv VampPrior in ``v``."""
    out = {"conv_vamp_clause": ""}
    if "cvamp_fd" not in v:
        return out
    out["conv_vamp_clause"] = (word("conv_vamp_behind" if _behind(v) else "conv_vamp_ahead", **v) if "conv_gan_fd" in v
                               else word("conv_vamp_alone", **v))
    return out


def conclusion_backbone(v: dict, word) -> str:
    """The conclusion's "nor the backbone alone", after its reason (``v["conclusion_reason"]``) and with the conv
    VampPrior behind the conv VAE-GAN, "" otherwise; it adds that backbone and objective work together where the same
    VAE-GAN losses do better on conv than on the MLP (conv_gan_fd below gan_fd)."""
    if not (v.get("conclusion_reason") and _behind(v)):
        return ""
    together = v.get("conv_gan_fd", float("inf")) < v.get("gan_fd", float("-inf"))
    return word("conclusion_backbone_both" if together else "conclusion_backbone", **v)


def backbone_gap_p(ext, mlp_gamma: float, conv_gamma: float) -> float:
    """Welch's p over seeds between the MLP's and conv's VAE-GAN test FD at their gammas (tau = 1), from the
    leaderboard summary ``ext`` (per method: fd, fd_std, n_seeds); NaN unless each backbone has that one row."""
    from scipy.stats import ttest_ind_from_stats
    rows = [ext[(ext.architecture == a) & (ext.method == "vaegan") & (ext.gamma == g)]
            for a, g in (("mlp", mlp_gamma), ("conv", conv_gamma))]
    if any(len(r) != 1 for r in rows):
        return float("nan")
    m, c = (r.iloc[0] for r in rows)
    return float(ttest_ind_from_stats(m.fd, m.fd_std, m.n_seeds, c.fd, c.fd_std, c.n_seeds, equal_var=False).pvalue)


def _behind(v: dict) -> bool:
    """Whether the conv VampPrior's FD is above the conv VAE-GAN's (False without either)."""
    return "cvamp_fd" in v and v.get("conv_gan_fd", float("inf")) < v["cvamp_fd"]
