"""Two more views of each method at its operating point (the review's tau*), asked for by a reader of the review:
the kernel distance KID, unbiased at any sample size, and the FD of each class apart (the pooled FD can hide a
class the method draws badly). Both in each judge's features, against the test set, on exactly the samples the
review scored there: the same sampler, temperature and seeded generator (review.review_run), which the pooled FD,
recomputed here, must reproduce (``fd``; scripts/operating_point.py checks it against review.json).

One file per run, operating_point.json: sampler -> {"tau", judge -> {"fd", "kid", "kid_std", "fd_per_class"}},
keyed on the review's key and the temperatures asked for.
"""
from pathlib import Path

import torch

from ..base.fileio import write_json
from ..base.review_config import ReviewConfig
from ..modelling.models import NUM_CLASSES, device_of
from ..training import runs
from .evaluate import frechet_distance
from .fidelity import kernel_distance
from .generate import decode_means
from .review import JUDGES, Judges, key_but_grid, load_samplers, review_key

OPERATING_POINT = "operating_point.json"
VERSION = 1
"""part of the key: bumped when what is computed here changes"""


def per_class_fd(real_features, real_labels, fake_features, fake_labels) -> list:
    """The FD of each class's generated features to the same class's real ones (classes 0-9)."""
    return [frechet_distance(fake_features[fake_labels == c], real_features[real_labels == c])
            for c in range(NUM_CLASSES)]


def operating_point(run_dir, judges: Judges, taus: dict, config: ReviewConfig = ReviewConfig(), *,
                    device="cpu") -> dict:
    """KID and per-class FD of the run's samplers at ``taus`` (sampler name -> tau), cached in
    operating_point.json under the review's key but for its grid (a point is drawn with its own seeded generator,
    whatever the grid: a wider grid that keeps every tau* recomputes nothing), the temperatures and VERSION."""
    run_dir = Path(run_dir)
    path = run_dir / OPERATING_POINT
    key = {**key_but_grid(review_key(run_dir, judges.sha256, config)), "taus": dict(sorted(taus.items())),
           "extras_version": VERSION}
    cached = runs.read_json(path) if path.exists() else {}
    if key_but_grid(cached.get("key", {})) == key:
        return cached
    run_config, model, samplers, _ = load_samplers(run_dir, config, judges.data, device)
    labels = torch.arange(NUM_CLASSES).repeat_interleave(config.samples_per_class)
    test_images, test_labels = judges.references["test"]
    out = {}
    for name, tau in sorted(taus.items()):
        with torch.inference_mode():  # the review's test point: same sampler, tau and seeded generator
            z = samplers[name](labels.to(device_of(model)), tau, torch.Generator().manual_seed(config.seed))
            images = decode_means(model, z, labels, run_config.likelihood)
        out[name] = {"tau": tau}
        for j in JUDGES:
            feats = judges.predict(j, images)[1]
            test_feats = judges.features[(j, "test")][1]
            kid = kernel_distance(test_feats, feats, seed=config.seed)
            out[name][j] = {"fd": frechet_distance(feats, test_feats), "kid": kid.mean, "kid_std": kid.std,
                            "fd_per_class": per_class_fd(test_feats, test_labels, feats, labels)}
    result = {"key": key, "samplers": out}
    write_json(path, result)
    return result
