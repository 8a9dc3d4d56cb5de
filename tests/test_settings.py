"""The hyperparameter appendix reads every setting from the run folders: configs, what BIC chose, the judges."""
from dataclasses import asdict

from cvae_lib.base.config import TrainConfig
from cvae_lib.reporting import settings
from cvae_lib.reporting.document import fill, texts
from cvae_lib.training import runs


def word(key, **v):
    return fill(texts("en")["words"][key], v)


def _run(root, name, samplers=None, review=None, **config):
    d = root / name
    d.mkdir()
    runs.write_json(d / "config.json", asdict(TrainConfig(**config)))
    if samplers:
        runs.write_json(d / "samplers.json", {"details": {"gmm": {"components": samplers}, "two_stage": {"epochs": 7}},
                                              "key": {"gmm_components": [1, 2, 4, 8]}})
    if review:
        runs.write_json(d / "review.json", {"details": {"gmm": {"components": review}},
                                            "key": {"gmm_components": [1, 2, 4, 8, 16, 32], "temperatures": [0.5, 1.0]}})
    return d


def test_the_settings_table_is_read_from_what_was_run(tmp_path):
    mains = [_run(tmp_path, f"mlp-s{s}", samplers=[8] * 10, review=[4, 8] * 5, seed=s, epochs=3) for s in (0, 1)]
    gan = _run(tmp_path, "mlp-s0-vaegan", extension="vaegan", gan_gamma=0.1, learning_rate=3e-4, epochs=3)
    conv_gan = _run(tmp_path, "conv-s0-vaegan", extension="vaegan", architecture="conv", gan_gamma=1.0, epochs=3)
    control = _run(tmp_path, "mlp-s0-rmsprop", optimizer="rmsprop", learning_rate=3e-4, epochs=3)
    vamp = _run(tmp_path, "mlp-s1-vampprior", extension="vampprior", vamp_pseudo_inputs=5, seed=1, epochs=3)
    clf, judge = tmp_path / "classifier", tmp_path / "judge"
    clf.mkdir(), judge.mkdir()
    runs.write_json(clf / "config.json", {"epochs": 5, "learning_rate": 1e-3, "batch_size": 128, "seed": 0})
    runs.write_json(judge / "config.json", {"epochs": 6, "learning_rate": 2e-3, "batch_size": 128, "seed": 1,
                                            "weight_decay": 5e-4, "shift": 2, "width": 32})
    review = {"methods": {"a": {"tau": 1.0}, "b": {"tau": 0.8}}, "cas_per_class": 6000, "cas_seeds": 3}
    rows = dict(settings.hyperparameter_rows(mains, [gan, control, vamp], clf, judge, review, 0.7, word))
    both = dict(settings.hyperparameter_rows(mains, [conv_gan, gan], clf, judge, review, 0.7, word))
    assert "γ by backbone: MLP {0.1}; convolutional {1};" in both[word("hp_vaegan")]  # each backbone's own weights
    assert rows[word("hp_original")] == word("hp_training", optimizer="Adam", lr="10⁻³", batch=128, epochs=3,
                                             seeds="0, 1") + word("hp_latent", latent=64)
    assert rows[word("hp_temperature")].endswith("τ ∈ {0.5, 1}, chosen on the tuning reference (chosen: 0.8, 1)")
    # the curves continued above the choices' grid (review_wide.json): named apart, the grid itself unchanged
    runs.write_json(mains[0] / "review_wide.json", {"key": {"temperatures": [0.5, 1.0, 2.0, 3.0]}})
    rows = dict(settings.hyperparameter_rows(mains, [gan, control, vamp], clf, judge, review, 0.7, word))
    assert rows[word("hp_temperature")].endswith("τ ∈ {0.5, 1}, chosen on the tuning reference (chosen: 0.8, 1); also scored "
                                                 "at τ = 2, 3")
    # BIC's choices as recorded: all 8 from {1, 2, 4, 8} for Section 5's fixed temperatures; 4 to 8 from up to 32 for
    # Section 4's evaluation
    assert "Section 5 from {1, 2, 4, 8}, chosen 8" in rows[word("hp_gmm")]
    assert "Section 4 from {1, 2, 4, 8, 16, 32}, chosen 4–8" in rows[word("hp_gmm")]
    assert word("hp_gmm_same") not in rows[word("hp_gmm")]  # the two sections chose differently here
    assert "7 epochs" in rows[word("hp_two_stage")]
    # the VAE-GAN trains with RMSprop whatever its config's optimizer field says (the default, Adam)
    assert rows[word("hp_vaegan")].startswith("RMSprop, step size 3×10⁻⁴") and "γ by backbone: MLP {0.1};" in rows[word("hp_vaegan")]
    assert rows[word("hp_rmsprop")].startswith("RMSprop, step size 3×10⁻⁴")
    assert rows[word("hp_vampprior")].endswith("seeds 1; 5 pseudo-inputs per class (learned images, initialised to a near-uniform grey of 0.5, each encoded "
                                                       "with its class label; p(z | y) is the equal mixture of its class's "
                                                       "pseudo-posteriors)")
    assert "weight decay 5×10⁻⁴" in rows[word("hp_judge")] and "6,000 samples per class, 3 seeds" in rows[word("hp_cas")]
    # the PDF's short account: the retrained extensions' own settings only, each opening on its own
    short = dict(settings.hyperparameter_rows(mains, [gan, control, vamp], clf, judge, review, 0.7, word, training=False))
    assert short[word("hp_vampprior")] == ("5 pseudo-inputs per class (learned images, initialised to a near-uniform grey "
                                          "of 0.5, each encoded with its class label; p(z | y) is the equal mixture of "
                                          "its class's pseudo-posteriors)")
    assert short[word("hp_vaegan")].startswith("γ by backbone: MLP {0.1}; discriminator: ")
    assert short[word("hp_gmm")] == rows[word("hp_gmm")] and short[word("hp_original")] == rows[word("hp_original")]
    # without the review: no Section 4 settings, no judge, no CAS
    plain = dict(settings.hyperparameter_rows(mains, [], clf, judge, None, 0.7, word))
    assert set(plain) == {word(k) for k in ("hp_original", "hp_temperature", "hp_gmm", "hp_two_stage", "hp_classifier")}
    assert "Section 4" not in plain[word("hp_gmm")] and "Section 4" not in plain[word("hp_temperature")]


def test_the_two_sections_sample_the_same_mixtures_only_where_bic_chose_the_same_sizes(tmp_path):
    a = _run(tmp_path, "mlp-s0", samplers=[8, 4] * 5, review=[8, 4] * 5)
    b = _run(tmp_path, "mlp-s1", samplers=[8] * 10, review=[8] * 10, seed=1)
    c = _run(tmp_path, "mlp-s2", samplers=[8] * 10, review=[4] * 10, seed=2)
    only = _run(tmp_path, "mlp-s3", samplers=[2] * 10, seed=3)  # no review: not compared
    assert settings.same_mixtures([a, b, only]) and not settings.same_mixtures([a, b, c])
    assert not settings.same_mixtures([only])  # nothing to compare


def test_rates_are_written_as_powers_of_ten_and_other_numbers_as_they_are():
    assert [settings.rate(x) for x in (1e-3, 3e-4, 2e-3, 5e-4, 1e-5)] == ["10⁻³", "3×10⁻⁴", "2×10⁻³", "5×10⁻⁴", "10⁻⁵"]
    assert [settings.rate(x) for x in (0.25, 0.0015, 1.0, 0.0)] == ["0.25", "0.0015", "1", "0"]
    assert float(settings.rate(3e-4).replace("×10⁻⁴", "e-4")) == 3e-4  # the written value is the value
