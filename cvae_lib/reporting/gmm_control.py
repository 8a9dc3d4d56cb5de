"""What the per-class GMM's control says (cvae_lib.evaluation.controls: the mixtures fitted to posterior samples
instead of posterior means, and to those samples at a fixed size), as Section 5's sentence."""
import json
from pathlib import Path

from ..evaluation.stats import holm_adjusted, paired_p
from .answer import p_value
from .settings import span


def gmm_control_sentence(run_dirs, prior_fd: float, gmm_fd: float, word) -> str:
    """What fitting the per-class mixtures to posterior samples instead of means does (gmm_control.json in the
    MLP's main runs, means over seeds), against the GMM's gain over the original (``prior_fd`` - ``gmm_fd``): the
    same gain (not from the narrower fit), most of it lost (from the narrower fit), or part. Where BIC sized the
    two fits differently, the verdict is the fit at the means' size's, which changes only what is fitted (without
    that fit, the sentence says the control changed the size too). "" where no run has the control."""
    found = [json.loads(p.read_text()) for p in (Path(d) / "gmm_control.json" for d in run_dirs) if p.exists()]
    if not found:
        return ""

    def mean(source, quantity):
        return sum(f[source][quantity] for f in found) / len(found)
    gain = prior_fd - gmm_fd

    def kind(fd):
        return ("control_same" if abs(fd - gmm_fd) < 0.25 * abs(gain) else
                "control_lost" if fd - gmm_fd > 0.75 * gain else "control_part")
    fd = mean("samples", "fd")
    sizes = [k for f in found for k in f["samples"]["components"]]  # what BIC chose for the samples
    resized = any(f["samples"]["components"] != f["means"].get("components", f["samples"]["components"]) for f in found)
    sized = resized and all("samples_sized" in f for f in found)  # the control at the means' size, where measured
    said = word("gmm_control", fd=fd, std_samples=mean("samples", "draw_std"), std_means=mean("means", "draw_std"),
                components=span(sizes),
                verdict="" if sized else word(kind(fd)) + (word("control_resized") if resized else ""))
    if sized:
        s_fd = mean("samples_sized", "fd")
        said += word("gmm_control_sized", k=span([k for f in found for k in f["samples_sized"]["components"]]),
                     fd=s_fd, verdict=word("sized_" + kind(s_fd), means_fd=mean("means", "fd"),
                                           test=_paired_test(found, word, fd)))
    return said


def _paired_test(found: list, word, fd_bic: float) -> str:
    """Both fits to the samples against the means' fit, seed by seed (the same trained model each time): paired
    t-tests, Holm-adjusted over the two, as "control_paired" (with BIC's fit's seed-mean FD, ``fd_bic``);
    "control_untested" with fewer than three seeds."""
    if len(found) < 3:
        return word("control_untested")
    means = [f["means"]["fd"] for f in found]
    p = holm_adjusted({s: paired_p([f[s]["fd"] for f in found], means) for s in ("samples", "samples_sized")})
    return word("control_paired", p_bic=p_value(p["samples"]), p_sized=p_value(p["samples_sized"]), fd_bic=fd_bic)
