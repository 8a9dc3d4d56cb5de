"""The answer's sentences follow the numbers: one name for a method that wins both measures, 'both count' only
when the two ingredients together beat each alone."""
import pandas as pd

from cvae_lib.reporting import answer
from cvae_lib.reporting.document import fill, texts


def word(key, **v):
    return fill(texts("en")["words"][key], v)


def _mlp(gammas):
    return pd.DataFrame({"fd": [1.0] * (1 + len(gammas))},
                        index=pd.MultiIndex.from_tuples([("prior", 0.0)] + [("vaegan", g) for g in gammas]))


def test_the_two_by_two_says_both_count_only_when_together_beats_each_alone():
    summary = pd.DataFrame({"architecture": ["mlp"], "method": ["vaegan"]})
    v = dict(prior_fd=180.0, prior_acc=0.80, gan_fd=106.0, gan_acc=0.78, gmm_fd=124.0, gmm_acc=0.87,
             mgmm_fd=57.0, mgmm_acc=0.91)
    out = answer.study_sentences(v, _mlp([0.1]), summary, word)
    # the combination's numbers are given, unless the answer just gave them as the best method's
    assert out["ablation_sentence"] == word("ablation_both", **v, combo_numbers=word("combo_numbers", **v),
                                            recall_cost_clause="")  # no recall given: nothing said of it
    lost = {**v, "mgmm_recall": 0.17, "gan_recall": 0.43, "gmm_recall": 0.04}  # the combination keeps less recall
    assert answer.study_sentences(lost, _mlp([0.1]), summary, word)["ablation_sentence"].endswith(
        "though not on recall (0.17, against 0.43 for the VAE-GAN alone).")
    assert out["ablation_sentence"].endswith("(57.0 and 0.910).") and out["conv_gan_clause"] == ""
    best = {**v, "min_fd": 57.0, "max_acc": 0.91}
    assert answer.study_sentences(best, _mlp([0.1]), summary, word)["ablation_sentence"].endswith(
        "on both measures.")
    assert out["gan_gammas"] == word("gan_gammas_one", gammas="0.1")
    worse = {**v, "mgmm_acc": 0.85}  # together below the mixture alone on accuracy: no 'both count'
    assert answer.study_sentences(worse, _mlp([0.1, 1.0]), summary, word)["ablation_sentence"] == word(
        "ablation_plain", **worse, combo_numbers=word("combo_numbers", **worse), recall_cost_clause="")
    assert answer.study_sentences(worse, _mlp([0.1, 1.0]), summary, word)["gan_gammas"] == word(
        "gan_gammas_many", gammas="0.1, 1")


def test_one_name_when_one_method_wins_both_measures():
    prior = pd.Series({"fd": 180.0, "conditional_accuracy": 0.8})
    v = {"min_fd": 57.0, "max_acc": 0.91}
    same = answer.best_sentences(v, "A", "A", True, prior, word)
    assert same["best_clause"].count("A") == 1 and same["best_clause"].startswith("A gives both")
    two = answer.best_sentences(v, "A", "B", False, prior, word)
    assert two["best_clause"].startswith("B gives the lowest") and "A the most recognisable" in two["best_clause"]
