"""The expert review's measurements: density and coverage, the second judge, the Classification Accuracy Score,
t intervals and rank agreement, the validation reference and one run's temperature curves."""
import math

import numpy as np
import pytest
import torch

from cvae_lib.base.config import ClassifierConfig, ConfigError, TrainConfig
from cvae_lib.base.review_config import JudgeConfig, ReviewConfig
from cvae_lib.evaluation.cas import classification_accuracy_score
from cvae_lib.evaluation.classifier import predict
from cvae_lib.evaluation.evaluate import frechet_distance
from cvae_lib.evaluation.fidelity import (density_coverage, per_class_density_coverage, precision_recall,
                                          log_sharpness_distance)
from cvae_lib.evaluation.judge import ResidualJudge, augmenter, load_judge, train_judge
from cvae_lib.evaluation.review import REVIEW, Judges, review_run, stratified_indices
from cvae_lib.evaluation.stats import kendall_tau, t_interval
from cvae_lib.training import runs
from cvae_lib.training.train import train


def brute_density_coverage(real, fake, k):
    """Naeem et al.'s definitions, written out with numpy and a full distance matrix."""
    real, fake = np.asarray(real, dtype=np.float64), np.asarray(fake, dtype=np.float64)
    rr = np.linalg.norm(real[:, None] - real[None], axis=2)
    radius = np.sort(rr, axis=1)[:, k]  # column 0 is the point itself
    inside = np.linalg.norm(fake[:, None] - real[None], axis=2) < radius[None]
    return inside.sum() / (k * len(fake)), inside.any(0).mean()


def test_density_and_coverage_match_their_definitions_and_the_authors_package():
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(300, 6, generator=g), 0.7 * torch.randn(200, 6, generator=g) + 0.4
    dc = density_coverage(real, fake, k=5)
    assert (dc.density, dc.coverage) == pytest.approx(brute_density_coverage(real, fake, 5))
    prdc = pytest.importorskip("prdc")
    theirs = prdc.compute_prdc(real.numpy(), fake.numpy(), 5)
    assert dc.density == pytest.approx(theirs["density"]) and dc.coverage == pytest.approx(theirs["coverage"])


def test_identical_sets_are_fully_covered_and_one_repeated_image_covers_almost_nothing():
    g = torch.Generator().manual_seed(1)
    real = torch.randn(400, 5, generator=g)
    same = density_coverage(real, real.clone(), k=5)
    # each ball holds its centre and k - 1 neighbours: density 1, but for the k-th neighbour, at exactly the radius,
    # where float rounding of the two distance computations decides (about 1 point in 100 here)
    assert same.coverage == 1.0 and same.density == pytest.approx(1.0, abs=0.03)
    repeated = density_coverage(real, real[:1].repeat(400, 1), k=5)
    assert repeated.coverage < 0.05
    assert precision_recall(real, real[:1].repeat(400, 1), k=5).recall < 0.01


def test_per_class_density_and_coverage_count_each_point_only_in_its_own_class():
    g = torch.Generator().manual_seed(2)
    real, fake = torch.randn(500, 4, generator=g), torch.randn(300, 4, generator=g)
    real_labels, fake_labels = torch.arange(500) % 10, torch.arange(300) % 10
    dc = per_class_density_coverage(real, real_labels, fake, fake_labels, k=3)
    counts, covered = 0.0, 0.0
    for c in range(10):
        d, cov = brute_density_coverage(real[real_labels == c], fake[fake_labels == c], 3)
        counts += d * 3 * (fake_labels == c).sum().item()
        covered += cov * (real_labels == c).sum().item()
    assert dc.density == pytest.approx(counts / (3 * 300)) and dc.coverage == pytest.approx(covered / 500)
    with pytest.raises(ValueError, match="class 0 has"):
        per_class_density_coverage(real[:20], real_labels[:20], fake, fake_labels, k=3)


def test_t_intervals_and_kendall_tau_against_tabulated_values():
    interval = t_interval([1.0, 2.0, 3.0])
    assert interval.mean == 2.0 and interval.half_width == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    assert (interval.low, interval.high) == pytest.approx((2 - 2.484138, 2 + 2.484138), rel=1e-6)
    assert math.isnan(t_interval([5.0]).half_width)
    assert t_interval([0.0, 1.0], confidence=0.9).half_width == pytest.approx(6.313752 * (0.5 ** 0.5) / (2 ** 0.5))
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40])[0] == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3, 4], [4, 3, 2, 1])[0] == pytest.approx(-1.0)
    assert kendall_tau([1, 2, 3, 4], [1, 2, 4, 3])[0] == pytest.approx(4 / 6)
    assert log_sharpness_distance(0.5) == pytest.approx(log_sharpness_distance(2.0)) == pytest.approx(math.log(2))


def test_cas_learns_from_real_images_and_not_from_shuffled_labels(fashion):
    idx = stratified_indices(fashion.train_labels, 100, seed=0)
    x, y = fashion.train_images[idx], fashion.train_labels[idx]
    test_x, test_y = fashion.test_images[:2000], fashion.test_labels[:2000]
    config = ClassifierConfig(epochs=4, batch_size=32)
    real = classification_accuracy_score(x, y, test_x, test_y, config)
    shuffled = classification_accuracy_score(x, y[torch.randperm(len(y), generator=torch.Generator().manual_seed(0))],
                                             test_x, test_y, config)
    assert real["accuracy"] > 0.7 and shuffled["accuracy"] < 0.25 and real["train_images"] == 1000
    assert real["accuracy"] == pytest.approx(sum(real["accuracy_per_class"][c] * (test_y == c).sum().item()
                                                 for c in range(10)) / len(test_y))
    with pytest.raises(ValueError, match="no examples of classes \\[9\\]"):
        classification_accuracy_score(x[y != 9], y[y != 9], test_x, test_y, config)


def test_the_augmenter_flips_and_shifts_each_image_within_the_frame():
    x = torch.zeros(64, 1, 28, 28)
    x[:, 0, 10:14, 6:9] = 1.0  # a block away from the border: every shift keeps it whole
    out = augmenter(2)(x, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and torch.equal(out.sum((1, 2, 3)), x.sum((1, 2, 3)))
    cols = torch.nonzero(out[:, 0].sum(1))
    lefts = torch.stack([cols[cols[:, 0] == i, 1].min() for i in range(64)])
    assert set(lefts.tolist()) - set(range(4, 9)) - set(range(28 - 9 - 2, 28 - 6 + 1)) == set()
    assert len(set(lefts.tolist())) > 3  # shifts and flips vary between images
    flipped = augmenter(0)(x, torch.Generator().manual_seed(0))
    assert all(torch.equal(f, x[0]) or torch.equal(f, x[0].flip(2)) for f in flipped)


SMALL_JUDGE = JudgeConfig(epochs=2, batch_size=32, train_subset=1000)


@pytest.fixture(scope="module")
def judge_dir(tmp_path_factory, fashion):
    return train_judge(tmp_path_factory.mktemp("judge") / "judge", SMALL_JUDGE, data=fashion, progress=False)


def test_the_judge_trains_reloads_and_sees_identical_sets_as_identical(judge_dir, fashion):
    with pytest.raises(ConfigError, match="width"):
        JudgeConfig(width=0)
    run_dir = judge_dir
    judge = load_judge(run_dir)
    assert isinstance(judge, ResidualJudge) and runs.read_json(run_dir / runs.METRICS)["test_accuracy"] > 0.4
    x = fashion.test_images[:500]
    logits, feats = predict(judge, x)
    assert feats.shape == (500, 128) and torch.equal(logits.argmax(1), judge(x).argmax(1))
    assert frechet_distance(feats, feats) == pytest.approx(0.0, abs=1e-3)
    assert frechet_distance(feats, feats[:1].repeat(500, 1)) > 1.0
    with pytest.raises(runs.RunError, match="another config"):
        train_judge(run_dir, JudgeConfig(epochs=3, train_subset=1000), data=fashion)


def test_the_validation_reference_is_stratified_fixed_and_disjoint_from_the_real_point(fashion):
    a = stratified_indices(fashion.train_labels, 100, seed=0)
    assert torch.equal(a, stratified_indices(fashion.train_labels, 100, seed=0))
    assert torch.bincount(fashion.train_labels[a], minlength=10).tolist() == [100] * 10
    b = stratified_indices(fashion.train_labels, 100, seed=1, exclude=a)
    assert len(set(a.tolist()) & set(b.tolist())) == 0
    with pytest.raises(ValueError, match="fewer than"):
        stratified_indices(fashion.train_labels[:50], 10, seed=0)


def test_a_run_gets_both_judges_curves_on_validation_and_test_and_reuses_them(tmp_path, judge_dir, fashion):
    run_dir = train(TrainConfig(epochs=1, train_subset=512, test_subset=256, batch_size=128), tmp_path / "seed",
                    data=fashion, progress=False)
    config = ReviewConfig(temperatures=(0.5, 1.0), gmm_components=(1, 2), samples_per_class=20,
                          validation_per_class=20, test_subset=300, train_subset=2000)
    judges = Judges(runs.COMMITTED_CLASSIFIER, judge_dir, fashion, config)
    real = judges.real_scores["validation"]
    assert real["classifier"]["fd"] > 0 and 0 < real["judge"]["coverage"] <= 1
    out = review_run(run_dir, judges, config, progress=False)
    assert set(out["curves"]) == {"prior", "gmm"} and [p["tau"] for p in out["curves"]["gmm"]] == [0.5, 1.0]
    point = out["curves"]["prior"][0]
    assert set(point) == {"tau", "validation", "test"} and set(point["test"]) == {"classifier", "judge"}
    for scores in (point["test"]["classifier"], point["validation"]["judge"]):
        assert {"accuracy", "fd", "precision", "recall", "density", "coverage"} <= set(scores)
    assert "relative_accuracy" in point["test"]["classifier"]
    assert all(n in (1, 2) for n in out["details"]["gmm"]["components"])
    stamp = (run_dir / REVIEW).stat().st_mtime_ns
    assert review_run(run_dir, judges, config, progress=False) == out and (run_dir / REVIEW).stat().st_mtime_ns == stamp


def test_welch_differ_against_scipy_and_its_edge_cases():
    from scipy.stats import ttest_ind
    from cvae_lib.evaluation.stats import welch_differ
    a, b = [0.80, 0.81, 0.79], [0.84, 0.86, 0.85]
    assert ttest_ind(a, b, equal_var=False).pvalue < 0.05 and welch_differ(a, b)
    assert not welch_differ([0.80, 0.83, 0.78], [0.81, 0.79, 0.84])
    assert not welch_differ([0.8], [0.9, 0.91]) and not welch_differ([0.8, 0.8], [0.8, 0.8])
    import math  # the p it decides on, said beside the verdicts: scipy's, nan where nothing can be shown

    from cvae_lib.evaluation.stats import welch_p
    assert welch_p(a, b) == ttest_ind(a, b, equal_var=False).pvalue
    assert math.isnan(welch_p([0.8], [0.9, 0.91])) and math.isnan(welch_p([0.8, 0.8], [0.8, 0.8]))


def test_welch_from_intervals_recovers_the_test_on_the_values():
    import math
    from scipy.stats import ttest_ind
    from cvae_lib.evaluation.stats import t_interval, welch_p_from_intervals
    a, b = [17.1, 16.8, 17.5], [19.0, 19.6, 18.9]
    summary = [t_interval(v)._asdict() for v in (a, b)]
    assert math.isclose(welch_p_from_intervals(*summary), ttest_ind(a, b, equal_var=False).pvalue, rel_tol=1e-9)
    assert math.isnan(welch_p_from_intervals(t_interval([1.0])._asdict(), summary[1]))


def test_the_heldout_review_chooses_on_one_test_half_and_scores_the_other(tmp_path, judge_dir, fashion):
    from cvae_lib.base.review_config import HELDOUT
    from cvae_lib.evaluation.review import HELDOUT_REVIEW, config_key, review_file
    config = ReviewConfig(validation="test_half", temperatures=(0.5, 1.5), gmm_components=(1,), samples_per_class=20,
                          validation_per_class=20, test_subset=300, train_subset=2000)
    judges = Judges(runs.COMMITTED_CLASSIFIER, judge_dir, fashion, config)
    (val_x, val_y), (test_x, test_y) = judges.references["validation"], judges.references["test"]
    counts = torch.bincount(fashion.test_labels[:300], minlength=10)
    assert torch.bincount(val_y, minlength=10).tolist() == [int(counts.min()) // 2] * 10
    assert len(val_y) + len(test_y) == 300  # the two halves split the test images between them
    pool = {tuple(x.flatten().tolist()) for x in fashion.test_images[:300]}
    val, test = {tuple(x.flatten().tolist()) for x in val_x}, {tuple(x.flatten().tolist()) for x in test_x}
    assert val <= pool and test <= pool and not val & test
    # the default keeps the keys of reviews made before the held-out check existed; the check has its own file
    assert "validation" not in config_key(ReviewConfig()) and config_key(HELDOUT)["validation"] == "test_half"
    assert review_file(ReviewConfig()) == REVIEW and review_file(config) == HELDOUT_REVIEW
    assert min(HELDOUT.temperatures) < 1 < max(HELDOUT.temperatures)
    run_dir = train(TrainConfig(epochs=1, train_subset=512, test_subset=256, batch_size=128), tmp_path / "seed",
                    data=fashion, progress=False)
    out = review_run(run_dir, judges, config, progress=False)
    assert (run_dir / HELDOUT_REVIEW).exists() and not (run_dir / REVIEW).exists()
    assert [p["tau"] for p in out["curves"]["prior"]] == [0.5, 1.5]
    with pytest.raises(ConfigError, match="validation must be one of"):
        ReviewConfig(validation="test")


def test_a_wider_grid_reuses_the_points_it_shares_and_they_equal_a_fresh_review(tmp_path, judge_dir, fashion,
                                                                               monkeypatch):
    import shutil
    from cvae_lib.base.review_config import WIDE
    from cvae_lib.evaluation.review import WIDE_REVIEW, review_file
    assert review_file(WIDE) == WIDE_REVIEW and set(ReviewConfig().temperatures) < set(WIDE.temperatures)
    small = dict(gmm_components=(1, 2), samples_per_class=20, validation_per_class=20, test_subset=300,
                 train_subset=2000)
    narrow, wide = ReviewConfig(temperatures=(0.5, 1.0), **small), ReviewConfig(temperatures=(0.5, 1.0, 1.5), **small)
    judges = Judges(runs.COMMITTED_CLASSIFIER, judge_dir, fashion, narrow)
    run_dir = train(TrainConfig(epochs=1, train_subset=512, test_subset=256, batch_size=128), tmp_path / "seed",
                    data=fashion, progress=False)
    first = review_run(run_dir, judges, narrow, progress=False)
    fresh_dir = tmp_path / "fresh"
    shutil.copytree(run_dir, fresh_dir)
    (fresh_dir / REVIEW).unlink()
    reused = review_run(run_dir, judges, wide, progress=False)
    assert (run_dir / WIDE_REVIEW).exists() and reused["reused"] == 4  # two samplers at 0.5 and 1.0
    assert [p["tau"] for p in reused["curves"]["gmm"]] == [0.5, 1.0, 1.5]
    assert reused["curves"]["prior"][:2] == runs.read_json(run_dir / REVIEW)["curves"]["prior"]
    fresh = review_run(fresh_dir, judges, wide, progress=False, reuse=False)
    assert fresh["reused"] == 0 and fresh["curves"] == runs.read_json(run_dir / WIDE_REVIEW)["curves"]
    assert fresh["details"]["gmm"]["bic"] == first["details"]["gmm"]["bic"]
    # a grid whose every point another file holds loads no model and fits no GMM: the points and fit as stored
    from cvae_lib.evaluation import review as review_module
    with monkeypatch.context() as m:
        m.setattr(review_module, "load_samplers", lambda *a, **k: pytest.fail("no point to compute"))
        ends = review_run(run_dir, judges, ReviewConfig(temperatures=(0.5, 1.5), **small), progress=False)
    assert ends["reused"] == 4 and all(ends["details"]["gmm"][k] == reused["details"]["gmm"][k] for k in ("components", "bic"))
    assert ends["curves"]["gmm"] == [reused["curves"]["gmm"][0], reused["curves"]["gmm"][2]]
    # another key (here: another seed) shares no point
    assert review_run(fresh_dir, judges, ReviewConfig(temperatures=(0.5, 1.0, 1.5), seed=1, **small),
                      progress=False)["reused"] == 0
    # KID at an operating point is cached on the review's key but for its grid: a wider grid with the same tau*
    # recomputes nothing, another tau* does
    from cvae_lib.evaluation import fidelity, operating
    from cvae_lib.evaluation.operating import OPERATING_POINT, operating_point
    monkeypatch.setattr(operating, "kernel_distance",  # this run's 200 samples: KID on subsets of 100
                        lambda real, fake, seed: fidelity.kernel_distance(real, fake, subsets=10, subset_size=100, seed=seed))
    at = operating_point(run_dir, judges, {"prior": 1.0}, narrow)
    assert at["samplers"]["prior"]["classifier"]["fd"] == pytest.approx(first["curves"]["prior"][1]["test"]["classifier"]["fd"])
    stamp = (run_dir / OPERATING_POINT).stat().st_mtime_ns
    assert operating_point(run_dir, judges, {"prior": 1.0}, wide) == at
    assert (run_dir / OPERATING_POINT).stat().st_mtime_ns == stamp
    moved = operating_point(run_dir, judges, {"prior": 0.5}, wide)["samplers"]["prior"]
    assert moved["tau"] == 0.5 and (run_dir / OPERATING_POINT).stat().st_mtime_ns != stamp


def test_holm_adjusted_p_values_reject_exactly_what_holms_procedure_rejects():
    from cvae_lib.evaluation.stats import holm_adjusted
    from cvae_lib.reporting.compare import holm
    # by hand: 0.01 * 3, then max(0.03, 0.02 * 2), then max(0.04, 0.30 * 1)
    assert holm_adjusted({"a": 0.01, "b": 0.02, "c": 0.30}) == pytest.approx({"a": 0.03, "b": 0.04, "c": 0.30})
    assert holm_adjusted({"a": 0.6, "b": 0.7}) == {"a": 1.0, "b": 1.0}  # capped at 1
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = {i: float(x) for i, x in enumerate(rng.uniform(0, 0.08, size=rng.integers(1, 6)))}
        assert {k for k, v in holm_adjusted(p).items() if v <= 0.05} == holm(p)
    with_nan = holm_adjusted({"a": 0.02, "b": float("nan")})
    assert with_nan["a"] == pytest.approx(0.04) and math.isnan(with_nan["b"])  # the NaN counts in m
