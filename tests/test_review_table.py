"""The review's table chooses each operating point on the validation curves only, and reads the test set there."""
import pytest

from cvae_lib.base.config import TrainConfig
from cvae_lib.reporting import review_table
from cvae_lib.evaluation.stats import t_interval


def scores(fd, accuracy=0.9):
    one = {"accuracy": accuracy, "fd": fd, "precision": 0.8, "recall": 0.5, "density": 1.0, "coverage": 0.9,
           "relative_accuracy": accuracy / 0.95, "log_sharpness_distance": 0.1}
    return {"classifier": dict(one), "judge": {**one, "fd": fd / 10}}


def curve(validation_fds, test_fds, shift=0.0):
    return [{"tau": tau, "validation": scores(v + shift), "test": scores(t + shift)}
            for tau, v, t in zip((0.5, 0.7, 1.0), validation_fds, test_fds)]


def test_the_operating_point_comes_from_validation_and_the_test_is_read_there():
    # validation is best at 0.7, test would be best at 1.0: the table must take 0.7
    reviews = {f"mlp-s{s}": {"curves": {"prior": curve([30, 20, 25], [30, 22, 10], shift=s)}} for s in range(3)}
    configs = {name: TrainConfig(seed=int(name[-1])) for name in reviews}
    real = {"validation": scores(5.0), "test": scores(5.0)}
    table = review_table.summarize(reviews, configs, real, cas={"mlp · prior": [0.80, 0.82, 0.81]})
    entry = table["methods"]["mlp · prior"]
    assert entry["tau"] == 0.7 and entry["runs"] == ["mlp-s0", "mlp-s1", "mlp-s2"]
    expected = t_interval([22.0, 23.0, 24.0])
    assert entry["test"]["classifier"]["fd"]["mean"] == pytest.approx(expected.mean)
    assert entry["test"]["classifier"]["fd"]["half_width"] == pytest.approx(expected.half_width)
    assert entry["cas"]["mean"] == pytest.approx(0.81)
    # the original's FD is the mlp prior's at tau = 1 (test): 10, 11, 12; 23 is more than a quarter of it
    assert table["original_fd_test"]["classifier"] == pytest.approx(11.0)
    goals = review_table.targets(entry, table["original_fd_test"], real_cas=0.83)
    assert goals["classifier_fd_ratio"] == pytest.approx(23 / 11) and not goals["classifier_fd_met"]
    assert goals["classifier_recall_met"] and not goals["classifier_precision_met"]
    assert goals["cas_gap"] == pytest.approx(0.02) and goals["cas_met"] and not goals["met"]


def test_methods_are_named_by_run_kind_and_judges_rank_agreement_is_reported():
    gan = TrainConfig(extension="vaegan", gan_gamma=0.1, learning_rate=3e-4)
    assert review_table.method_of(gan, "gmm") == "mlp vaegan γ=0.1 lr=0.0003 · gmm"
    assert review_table.MAIN_RUN.match("conv-s2-vaegan-gamma0.1-lr0.0003") and not review_table.MAIN_RUN.match(
        "mlp-s0-beta4")
    reviews = {"mlp-s0": {"curves": {"prior": curve([30, 20, 25], [31, 21, 26]),
                                     "gmm": curve([12, 11, 13], [12, 10, 14])}}}
    table = review_table.summarize(reviews, {"mlp-s0": TrainConfig()}, {"validation": scores(5.0), "test": scores(5.0)})
    assert set(table["methods"]) == {"mlp · prior", "mlp · gmm"}
    # the second judge's FD is the first's over 10 here: the rankings agree perfectly
    assert table["kendall_tau"]["methods_at_operating_points_test_fd"][0] == pytest.approx(1.0)
    assert table["kendall_tau"]["every_curve_point_validation_fd"][0] == pytest.approx(1.0)
