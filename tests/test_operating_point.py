"""KID and per-class FD at the operating points (fidelity.kernel_distance, operating.per_class_fd), checked against
torchmetrics' own KID metric and a by-hand unbiased MMD, and the pooled FD of each class's rows."""
import numpy as np
import pytest
import torch
from torchmetrics.image.kid import KernelInceptionDistance

from cvae_lib.evaluation.evaluate import frechet_distance
from cvae_lib.evaluation.fidelity import kernel_distance
from cvae_lib.evaluation.operating import per_class_fd


def unbiased_mmd(x, y):
    """MMD² with k(a, b) = (a·b / d + 1)³, without the diagonal terms, written out in numpy."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    d, m = x.shape[1], len(x)
    k = lambda a, b: (a @ b.T / d + 1) ** 3  # noqa: E731
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return ((kxx.sum() - np.trace(kxx)) + (kyy.sum() - np.trace(kyy))) / (m * (m - 1)) - 2 * kxy.mean()


def test_kid_on_whole_sets_is_the_unbiased_mmd_and_torchmetrics_value():
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(300, 8, generator=g), 0.5 + torch.randn(300, 8, generator=g)
    ours = kernel_distance(real, fake, subsets=3, subset_size=300)  # every subset is the whole set, permuted
    assert ours.mean == pytest.approx(unbiased_mmd(real, fake), rel=1e-9)
    assert ours.std == pytest.approx(0.0, abs=1e-12)
    metric = KernelInceptionDistance(feature=torch.nn.Identity(), subsets=1, subset_size=300)
    metric.update(real.double(), real=True)
    metric.update(fake.double(), real=False)
    assert ours.mean == pytest.approx(float(metric.compute()[0]), rel=1e-9)


def test_kid_is_near_zero_for_one_distribution_and_grows_with_the_shift():
    g = torch.Generator().manual_seed(1)
    real = torch.randn(2000, 16, generator=g)
    same, near, far = (shift + torch.randn(2000, 16, generator=g) for shift in (0.0, 0.3, 1.0))
    kid = [kernel_distance(real, f, subsets=20, subset_size=500, seed=3).mean for f in (same, near, far)]
    assert abs(kid[0]) < 0.01 < kid[1] < kid[2]
    again = kernel_distance(real, near, subsets=20, subset_size=500, seed=3)
    assert again.mean == kid[1]  # seeded subsets: the value repeats


def test_kid_refuses_subsets_larger_than_a_set():
    with pytest.raises(ValueError, match="need as many features"):
        kernel_distance(torch.zeros(10, 2), torch.zeros(500, 2), subset_size=100)


def test_per_class_fd_scores_each_class_apart():
    g = torch.Generator().manual_seed(2)
    labels = torch.arange(10).repeat_interleave(200)
    real = torch.randn(2000, 4, generator=g, dtype=torch.float64)
    fake = torch.randn(2000, 4, generator=g, dtype=torch.float64)
    fake[labels == 3] += 2.0  # one class drawn badly: only its FD moves
    fds = per_class_fd(real, labels, fake, labels)
    assert len(fds) == 10 and int(np.argmax(fds)) == 3
    assert fds[3] == pytest.approx(frechet_distance(fake[labels == 3], real[labels == 3]))
    assert fds[3] > 4 * 4 * 0.9 and max(fds[:3] + fds[4:]) < 1.0  # |shift|² = 4 per dimension, 4 dimensions


def _op_tables():
    """A review table and an operating-point table for three methods: FD orders them b < a < c in both judges;
    KID orders them alike in the evaluation classifier, a < b < c in the second judge; a's and c's worst class is
    5, b's 6."""
    from cvae_lib.evaluation.review import JUDGES

    def entry(fd, coverage):
        return {"tau": 1.0, "test": {j: {"fd": {"mean": fd[i]}, "coverage": {"mean": coverage}}
                                     for i, j in enumerate(JUDGES)}}
    review = {"methods": {"a": entry((40.0, 3.0), 0.8), "b": entry((30.0, 2.0), 0.7), "c": entry((50.0, 5.0), 0.9),
                          "d": entry((60.0, 6.0), 0.9)},
              "real": {"test": {j: {"coverage": 0.75} for j in JUDGES}}}

    def op_entry(kid, worst):
        per_class = [1.0] * 10
        per_class[worst] = 9.0
        return {j: {"kid": {"mean": kid[i], "std": kid[i] / 10}, "fd_per_class": per_class} for i, j in enumerate(JUDGES)}
    op = {"methods": {"a": op_entry((0.5, 0.1), 5), "b": op_entry((0.2, 0.3), 6), "c": op_entry((0.9, 0.4), 5)},
          "real": {j: {"kid": {"mean": 0.001, "std": 0.0}, "fd_per_class": [0.5] * 10} for j in JUDGES}}
    return review, op


def test_the_operating_point_rows_and_sentence_follow_the_numbers():
    from scipy import stats

    from cvae_lib.reporting import operating_table
    review, op = _op_tables()
    labels = {"a": "A", "b": "B", "c": "C", "d": "D"}  # D was reviewed but not measured: left out
    classes = [f"class{c}" for c in range(10)]
    rows = operating_table.rows(op, review, labels, classes, "real", lambda key, **v: f"{v['name']} ({v['fd']:.0f})")
    assert [r[0] for r in rows] == ["A", "B", "C", "real"] and rows[0][1] == "1"
    assert rows[0][2] == "0.500 / 0.100" and rows[0][3] == "0.80 / 0.80" and rows[0][4] == "1.80 / 1.80"
    assert rows[0][5] == "class5 (9)" and rows[3][3] == "0.75 / 0.75"
    assert rows[3][2] == "0.00100 / 0.00100"  # the real images' KID: one number per judge
    assert operating_table._number(183.4) == "183" and operating_table._number(14.0) == "14.0"
    assert operating_table.widest_spread(op, "classifier") == pytest.approx(0.09)
    classifier = operating_table.kid_order(op, review, labels, "classifier")
    judge = operating_table.kid_order(op, review, labels, "judge")
    assert classifier["tau"] == pytest.approx(1.0) and classifier["kid_best"] == "b" == classifier["fd_best"]
    assert judge["tau"] == pytest.approx(stats.kendalltau([0.1, 0.3, 0.4], [3.0, 2.0, 5.0]).statistic)
    assert judge["tau"] == pytest.approx(1 / 3) and judge["kid_best"] == "a"

    def word(key, **values):
        return key if not values else f"{key}({','.join(f'{k}={v}' for k, v in sorted(values.items()))})"
    said = operating_table.sentence(op, review, labels, word)
    assert "tau_c=1.0" in said and "tau_j=0.33" in said
    assert "kid_scope_some(n=3" in said  # D is reviewed but not measured: the measured ones are named
    del review["methods"]["d"], labels["d"]
    assert "scope=," in operating_table.sentence(op, review, labels, word)  # every reviewed method measured: none named
    assert operating_table.sentence({"methods": {}}, review, labels, word) == ""
