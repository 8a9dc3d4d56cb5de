"""The conv backbone's two retrained extensions side by side: is the winner the backbone's doing? The conv VampPrior's
numbers and the sentences that set it beside the conv VAE-GAN (Section 5, the abstract)."""


def conv_vamp_values(conv, cp, direction) -> dict:
    """The conv VampPrior's numbers for the prose ({} without one). ``conv``: the conv leaderboard rows indexed by
    (method, gamma); ``cp``: the original conv CVAE's row; ``direction(new, old)``: the verb."""
    rows = [r for (method, _), r in conv.iterrows() if method == "vampprior"]
    if not rows:
        return {}
    r = rows[0]
    return dict(cvamp_fd=r.fd, cvamp_acc=r.conditional_accuracy, cvamp_recall=r.recall, cvamp_iwae=r.test_neg_iwae,
                cvamp_fd_dir=direction(r.fd, cp.fd), cvamp_acc_dir=direction(r.conditional_accuracy, cp.conditional_accuracy))


def conv_vamp_sentences(v: dict, word) -> dict:
    """conv_vamp_clause (Section 5's) and abstract_backbone ("not the optimizer, nor the backbone"), both "" without a
    conv VampPrior in ``v``; the second only after an abstract that has said the first (not where conv's optimizer did
    part of the gain) and with the VampPrior behind the conv VAE-GAN."""
    out = {"conv_vamp_clause": "", "abstract_backbone": ""}
    if "cvamp_fd" not in v:
        return out
    behind = v.get("conv_gan_fd", float("inf")) < v["cvamp_fd"]
    out["conv_vamp_clause"] = (word("conv_vamp_behind" if behind else "conv_vamp_ahead", **v) if "conv_gan_fd" in v
                               else word("conv_vamp_alone", **v))
    if behind and v.get("abstract_reason") and v.get("optimizer_not_reason", True):
        out["abstract_backbone"] = word("abstract_backbone", **v)
    return out
