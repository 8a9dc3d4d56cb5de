import copy
import math

import pytest
import torch
import torch.nn.functional as F
from sklearn.mixture import GaussianMixture
from torch.distributions import Normal, kl_divergence

from cvae_lib.evaluation.generate import decode_means
from cvae_lib.modelling.models import CVAE, ConvCVAE, build_model, one_hot
from cvae_lib.modelling.priors import (SecondStage, VampPrior, fit_class_gmms, fit_gmms, sample_latents_temperature,
                             sample_second_stage, sample_vamp, second_stage_loss, train_second_stage,
                             vamp_log_prior, vamp_negative_elbo)
from cvae_lib.modelling.vaegan import Discriminator, split_parameters, vaegan_losses, vaegan_optimizers, vaegan_step


def seeded(seed):
    return torch.Generator().manual_seed(seed)


def assert_images(images, n):
    assert images.shape == (n, 1, 28, 28)
    assert images.min() >= 0 and images.max() <= 1


# Temperature


def test_temperature_scales_the_standard_deviation():
    z = sample_latents_temperature(20_000, 3, 0.5, seeded(0))
    assert z.shape == (20_000, 3)
    torch.testing.assert_close(z.std(0), torch.full((3,), 0.5), atol=0.01, rtol=0)
    assert torch.equal(z, sample_latents_temperature(20_000, 3, 0.5, seeded(0)))
    with pytest.raises(ValueError, match="tau must be positive, got 0"):
        sample_latents_temperature(2, 3, 0, seeded(0))


# Ex-post Gaussian mixtures

WEIGHTS = torch.tensor([0.3, 0.7], dtype=torch.float64)
MEANS = torch.tensor([[-4.0, 0.0], [4.0, 2.0]], dtype=torch.float64)
COVS = torch.tensor([[[1.0, 0.5], [0.5, 1.0]], [[0.5, 0.0], [0.0, 2.0]]], dtype=torch.float64)


def _mixture_latents(n, generator):
    """Class 0 from the two-component mixture above; class 1 from one Gaussian."""
    k = torch.multinomial(WEIGHTS, n, replacement=True, generator=generator)
    eps = torch.randn(n, 2, 1, generator=generator, dtype=torch.float64)
    class0 = MEANS[k] + (torch.linalg.cholesky(COVS)[k] @ eps).squeeze(2)
    class1 = torch.randn(n, 2, generator=generator, dtype=torch.float64) * 0.7 + torch.tensor([0.0, -6.0])
    return torch.cat([class0, class1]).float(), torch.arange(2).repeat_interleave(n)


def test_bic_recovers_the_number_of_components_and_samples_match_the_mixture():
    latents, labels = _mixture_latents(3000, seeded(1))
    gmm = fit_gmms(latents, labels, max_components=4, seed=0)
    assert len(gmm.bic[0]) == 4
    assert gmm.mixtures[0].mixture_distribution.probs.shape == (2,)
    assert gmm.mixtures[1].mixture_distribution.probs.shape == (1,)
    # At an EM fixed point a full-covariance mixture has exactly the mean and covariance of its data.
    z = gmm.sample(torch.zeros(40_000, dtype=torch.long), seeded(2)).double()
    data = latents[labels == 0].double()
    torch.testing.assert_close(z.mean(0), data.mean(0), atol=0.06, rtol=0)
    torch.testing.assert_close(torch.cov(z.T), torch.cov(data.T), atol=0.3, rtol=0.03)


def test_gmm_sampling_is_reproducible_and_log_density_matches_sklearn():
    latents, labels = _mixture_latents(500, seeded(3))
    gmm = fit_gmms(latents, labels, max_components=3, seed=0)
    query_labels = torch.tensor([0, 1, 1, 0, 0, 1])
    z = gmm.sample(query_labels, seeded(4))
    assert torch.equal(z, gmm.sample(query_labels, seeded(4)))
    assert not torch.equal(z, gmm.sample(query_labels, seeded(5)))
    for c in (0, 1):
        n = len(gmm.mixtures[c].mixture_distribution.probs)
        data = latents[labels == c].double().numpy()
        reference = GaussianMixture(n, covariance_type="full", random_state=0).fit(data)
        expected = torch.from_numpy(reference.score_samples(z[query_labels == c].double().numpy()))
        torch.testing.assert_close(gmm.log_prob(z, query_labels)[query_labels == c], expected)
    with pytest.raises(ValueError, match="no mixture was fitted for class 4"):
        gmm.sample(torch.tensor([4]), seeded(0))


def test_class_gmms_of_a_model_sample_images():
    torch.manual_seed(0)
    model = CVAE(latent_size=4)
    images, labels = torch.rand(60, 1, 28, 28), torch.arange(10).repeat(6)
    gmm = fit_class_gmms(model, images, labels, max_components=2, seed=0)
    assert sorted(gmm.mixtures) == list(range(10))
    query = torch.arange(10).repeat(2)
    z = gmm.sample(query, seeded(1))
    assert z.shape == (20, 4)
    assert_images(decode_means(model, z, query), 20)


# Two-stage VAE


def test_second_stage_loss_equals_a_hand_computation():
    torch.manual_seed(0)
    stage = SecondStage(latent_size=3, hidden=5)
    with torch.no_grad():
        stage.log_sigma.fill_(0.3)
    z, labels = torch.randn(4, 3), torch.tensor([0, 3, 3, 9])
    loss = second_stage_loss(stage, z, labels, seeded(7))
    y = one_hot(labels)
    mu, log_var = stage.encode(z, y)
    u = mu + torch.exp(0.5 * log_var) * torch.randn(4, 3, generator=seeded(7))
    nll = -Normal(stage.decode(u, y), math.exp(0.3)).log_prob(z).sum(1).mean()
    kl = kl_divergence(Normal(mu, torch.exp(0.5 * log_var)), Normal(0.0, 1.0)).sum(1).mean()
    torch.testing.assert_close(loss.reconstruction, nll)
    torch.testing.assert_close(loss.kl, kl)
    torch.testing.assert_close(loss.total, nll + kl)


def _gaussian_codes(n, generator):
    labels = torch.arange(2).repeat(n // 2)
    return torch.randn(n, 4, generator=generator) * 0.3 + 2.0 * labels[:, None] - 1.0, labels


def test_second_stage_training_lowers_the_loss_and_learns_the_class_means():
    codes, labels = _gaussian_codes(512, seeded(0))

    def loss_of(stage):
        with torch.no_grad():
            return second_stage_loss(stage, codes, labels, seeded(1)).total.item()

    torch.manual_seed(3)
    before = loss_of(SecondStage(latent_size=4, hidden=64).eval())
    stage = train_second_stage(codes, labels, epochs=15, seed=3, batch_size=64, hidden=64)
    assert loss_of(stage) < before - 2.0
    z = sample_second_stage(stage, labels, seeded(2))
    torch.testing.assert_close(z[labels == 0].mean(0), torch.full((4,), -1.0), atol=0.15, rtol=0)
    torch.testing.assert_close(z[labels == 1].mean(0), torch.full((4,), 1.0), atol=0.15, rtol=0)


def test_second_stage_training_is_deterministic_with_or_without_fresh_posterior_samples():
    codes, labels = _gaussian_codes(64, seeded(0))
    log_var = torch.full_like(codes, -4.0)
    first, again = (train_second_stage(codes, labels, epochs=2, seed=0, code_log_var=log_var, batch_size=16,
                                       hidden=8) for _ in range(2))
    for name, tensor in first.state_dict().items():
        assert torch.equal(tensor, again.state_dict()[name]), name
    without = train_second_stage(codes, labels, epochs=2, seed=0, batch_size=16, hidden=8)
    assert not torch.equal(first.log_sigma, without.log_sigma)


def test_second_stage_samples_decode_to_images_reproducibly():
    torch.manual_seed(0)
    model, stage = ConvCVAE(latent_size=6), SecondStage(latent_size=6, hidden=16).eval()
    labels = torch.tensor([1, 1, 7, 2])
    z = sample_second_stage(stage, labels, seeded(2))
    assert z.shape == (4, 6)
    assert torch.equal(z, sample_second_stage(stage, labels, seeded(2)))
    assert_images(decode_means(model, z, labels), 4)


# VampPrior


class ZeroEncoder(torch.nn.Module):
    """q(z | x, y) = N(0, I) for every input: a VampPrior over it is the standard normal."""

    def __init__(self, latent_size):
        super().__init__()
        self.latent_size = latent_size

    def encode(self, x, y):
        zeros = torch.zeros(len(x), self.latent_size)
        return zeros, zeros


def test_vamp_prior_over_standard_normal_posteriors_is_the_standard_normal():
    z, labels = torch.randn(5, 3, generator=seeded(0)), torch.tensor([0, 1, 2, 9, 9])
    for k in (1, 4):
        expected = Normal(0.0, 1.0).log_prob(z).sum(1)
        torch.testing.assert_close(vamp_log_prior(ZeroEncoder(3), VampPrior(k), z, labels), expected)


def test_vamp_pseudo_inputs_start_as_near_uniform_grey_images_in_the_unit_interval():
    # the report's settings paragraph says so (hp_pseudo): sigmoid of small logits, every pixel near 0.5
    images = VampPrior(pseudo_per_class=50, generator=seeded(0)).pseudo_inputs()
    assert images.shape == (10, 50, 1, 28, 28)
    assert float((images - 0.5).abs().max()) < 0.02 and float(images.std()) > 0  # grey, not constant


def test_vamp_log_prior_equals_a_loop_over_components():
    torch.manual_seed(0)
    model, prior = CVAE(latent_size=3), VampPrior(pseudo_per_class=4, generator=seeded(1))
    z, labels = torch.randn(5, 3, generator=seeded(2)), torch.tensor([0, 3, 3, 7, 9])
    expected = []
    with torch.no_grad():
        for row, c in zip(z, labels.tolist()):
            densities = []
            for u in prior.pseudo_inputs()[c]:
                mu, log_var = model.encode(u[None], one_hot(torch.tensor([c])))
                densities.append(math.exp(Normal(mu[0], torch.exp(0.5 * log_var[0])).log_prob(row).sum().item()))
            expected.append(math.log(sum(densities) / len(densities)))
        ours = vamp_log_prior(model, prior, z, labels)
    torch.testing.assert_close(ours, torch.tensor(expected), rtol=1e-5, atol=1e-5)


def test_vamp_loss_is_reconstruction_plus_log_q_minus_log_p():
    torch.manual_seed(0)
    model, prior = CVAE(latent_size=3), VampPrior(pseudo_per_class=2, generator=seeded(1))
    x, labels = torch.rand(4, 1, 28, 28), torch.tensor([1, 1, 5, 8])
    loss = vamp_negative_elbo(model, prior, x, labels, beta=2.0, generator=seeded(3))
    y = one_hot(labels)
    mu, log_var = model.encode(x, y)
    eps = torch.randn(4, 3, generator=seeded(3))
    z = mu + torch.exp(0.5 * log_var) * eps
    reconstruction = F.binary_cross_entropy(torch.sigmoid(model.decode_logits(z, y)), x, reduction="sum") / 4
    log_q = -0.5 * (math.log(2 * math.pi) + log_var + eps.pow(2)).sum(1)
    kl = (log_q - vamp_log_prior(model, prior, z, labels)).mean()
    torch.testing.assert_close(loss.reconstruction, reconstruction, rtol=1e-5, atol=1e-3)
    torch.testing.assert_close(loss.kl, kl)
    torch.testing.assert_close(loss.total, loss.reconstruction + 2.0 * loss.kl)
    loss.total.backward()
    grad_per_class = prior.pseudo_logits.grad.abs().flatten(1).sum(1)
    assert (grad_per_class[[1, 5, 8]] > 0).all() and (grad_per_class[[0, 2, 3, 4, 6, 7, 9]] == 0).all()


def test_vamp_samples_decode_to_images_reproducibly():
    torch.manual_seed(0)
    for model in (CVAE(latent_size=5), ConvCVAE(latent_size=5)):
        prior, labels = VampPrior(pseudo_per_class=3, generator=seeded(0)), torch.tensor([0, 4, 4, 9, 2])
        z = sample_vamp(model, prior, labels, seeded(1))
        assert z.shape == (5, 5)
        assert torch.equal(z, sample_vamp(model, prior, labels, seeded(1)))
        assert_images(decode_means(model, z, labels), 5)


# VAE-GAN


def test_vaegan_losses_equal_a_hand_computation():
    real, recon, prior = torch.tensor([2.0, -1.0]), torch.tensor([0.5, 0.0]), torch.tensor([-3.0, 1.0])
    real_features, recon_features = torch.tensor([[1.0, 2.0], [0.0, 0.0]]), torch.tensor([[0.0, 2.0], [3.0, -1.0]])
    mu, log_var = torch.tensor([[1.0], [0.0]]), torch.tensor([[0.0], [math.log(4.0)]])

    def says_real(logit):  # -log sigmoid(l)
        return math.log(1 + math.exp(-logit))

    def says_fake(logit):  # -log(1 - sigmoid(l))
        return math.log(1 + math.exp(logit))

    discriminator = (sum(map(says_real, [2.0, -1.0])) + sum(map(says_fake, [0.5, 0.0]))
                     + sum(map(says_fake, [-3.0, 1.0]))) / 2
    generator_gan = (sum(map(says_real, [0.5, 0.0])) + sum(map(says_real, [-3.0, 1.0]))) / 2
    feature = 0.5 * (1.0 + 10.0) / 2  # squared distances 1 and 9 + 1
    kl = (0.5 * 1.0 + 0.5 * (4.0 - 1.0 - math.log(4.0))) / 2
    pixel = (7.0 + 3.0) / 2
    losses = vaegan_losses(real, recon, prior, real_features, recon_features, mu, log_var, gamma=0.1,
                           pixel_nll=torch.tensor([7.0, 3.0]))
    for got, want in ((losses.discriminator, discriminator), (losses.generator_gan, generator_gan),
                      (losses.feature_reconstruction, feature), (losses.kl, kl), (losses.pixel_reconstruction, pixel),
                      (losses.encoder, kl + pixel + feature), (losses.decoder, 0.1 * (pixel + feature) + generator_gan)):
        assert math.isclose(got.item(), want, rel_tol=1e-6)
    no_feature = vaegan_losses(real, recon, prior, real_features, recon_features, mu, log_var, gamma=0.1,
                               pixel_nll=torch.tensor([7.0, 3.0]), ablation="no_feature")
    assert math.isclose(no_feature.encoder.item(), kl + pixel, rel_tol=1e-6)
    assert math.isclose(no_feature.decoder.item(), 0.1 * pixel + generator_gan, rel_tol=1e-6)
    assert math.isclose(no_feature.feature_reconstruction.item(), feature, rel_tol=1e-6)  # still reported
    no_prior = vaegan_losses(real, recon, None, real_features, recon_features, mu, log_var, gamma=0.1,
                             pixel_nll=torch.tensor([7.0, 3.0]), ablation="no_prior")
    assert math.isclose(no_prior.discriminator.item(), (sum(map(says_real, [2.0, -1.0]))
                                                        + sum(map(says_fake, [0.5, 0.0]))) / 2, rel_tol=1e-6)
    assert math.isclose(no_prior.generator_gan.item(), sum(map(says_real, [0.5, 0.0])) / 2, rel_tol=1e-6)
    assert math.isclose(no_prior.encoder.item(), kl + pixel + feature, rel_tol=1e-6)
    with pytest.raises(ValueError, match="prior_logit must be None"):
        vaegan_losses(real, recon, prior, real_features, recon_features, mu, log_var, gamma=0.1,
                      pixel_nll=torch.tensor([7.0, 3.0]), ablation="no_prior")
    # no adversarial loss on reconstructions: the discriminator tells real from prior samples only, the decoder
    # fools it with prior samples only; the feature reconstruction stays in both the encoder's and decoder's loss
    no_recon = vaegan_losses(real, recon, prior, real_features, recon_features, mu, log_var, gamma=0.1,
                             pixel_nll=torch.tensor([7.0, 3.0]), ablation="no_recon_gan")
    only_prior = sum(map(says_real, [-3.0, 1.0])) / 2
    assert math.isclose(no_recon.discriminator.item(), (sum(map(says_real, [2.0, -1.0]))
                                                        + sum(map(says_fake, [-3.0, 1.0]))) / 2, rel_tol=1e-6)
    assert math.isclose(no_recon.generator_gan.item(), only_prior, rel_tol=1e-6)
    assert math.isclose(no_recon.decoder.item(), 0.1 * (pixel + feature) + only_prior, rel_tol=1e-6)
    assert math.isclose(no_recon.encoder.item(), kl + pixel + feature, rel_tol=1e-6)
    with pytest.raises(ValueError, match="ablation must be one of"):
        vaegan_losses(real, recon, prior, real_features, recon_features, mu, log_var, gamma=0.1,
                      pixel_nll=torch.tensor([7.0, 3.0]), ablation="no_gan")


def _expected_sgd_updates(model, discriminator, x, labels, gamma, lr, seed, ablation="none"):
    """Each network's SGD update recomputed separately: its own loss, its own forward pass, plain backward, and
    the discriminator as Larsen et al. write it (on the concatenated input, one batch per call); ``ablation``
    leaves the feature term ("no_feature"), every prior-sample term ("no_prior") or every adversarial term on
    reconstructions ("no_recon_gan") out of the written losses."""
    use_feature, use_prior, use_recon = ablation != "no_feature", ablation != "no_prior", ablation != "no_recon_gan"
    y = one_hot(labels)
    judge_of = discriminator.forward_concatenated
    g = seeded(seed)
    eps_q = torch.randn(len(x), model.latent_size, generator=g)
    eps_p = torch.randn(len(x), model.latent_size, generator=g)

    def forward():
        mu, log_var = model.encode(x, y)
        recon = torch.sigmoid(model.decode_logits(mu + torch.exp(0.5 * log_var) * eps_q, y))
        prior = torch.sigmoid(model.decode_logits(eps_p, y))
        return mu, log_var, recon, prior

    def pixel(recon):  # the seed's BCE, summed over pixels, averaged over the batch
        return F.binary_cross_entropy(recon, x, reduction="sum") / len(x)

    def bce(logit, target):
        return F.binary_cross_entropy_with_logits(logit, torch.full_like(logit, target))

    encoder, decoder = split_parameters(model)
    grads = {}
    mu, log_var, recon, prior = forward()
    feature = 0.5 * (judge_of(x, y)[1] - judge_of(recon, y)[1]).pow(2).sum(1).mean()
    kl = kl_divergence(Normal(mu, torch.exp(0.5 * log_var)), Normal(0.0, 1.0)).sum(1).mean()
    grads["encoder"] = torch.autograd.grad(kl + pixel(recon) + use_feature * feature, encoder)
    _, _, recon, prior = forward()
    feature = 0.5 * (judge_of(x, y)[1] - judge_of(recon, y)[1]).pow(2).sum(1).mean()
    fool = use_recon * bce(judge_of(recon, y)[0], 1.0) + use_prior * bce(judge_of(prior, y)[0], 1.0)
    grads["decoder"] = torch.autograd.grad(gamma * (pixel(recon) + use_feature * feature) + fool, decoder)
    _, _, recon, prior = forward()
    judge = (bce(judge_of(x, y)[0], 1.0) + use_recon * bce(judge_of(recon.detach(), y)[0], 0.0)
             + use_prior * bce(judge_of(prior.detach(), y)[0], 0.0))
    grads["discriminator"] = torch.autograd.grad(judge, list(discriminator.parameters()))
    params = {"encoder": encoder, "decoder": decoder, "discriminator": list(discriminator.parameters())}
    return {part: [(p - lr * g).detach() for p, g in zip(params[part], grads[part])] for part in params}


@pytest.mark.parametrize("architecture,ablation", [("mlp", "none"), ("conv", "none"), ("mlp", "no_feature"),
                                                   ("conv", "no_prior"), ("mlp", "no_recon_gan")])
def test_vaegan_step_updates_each_network_with_its_own_loss_only(architecture, ablation):
    torch.manual_seed(0)
    model, discriminator = build_model(architecture, latent_size=4), Discriminator()
    x, labels = torch.rand(6, 1, 28, 28), torch.tensor([0, 1, 2, 2, 5, 9])
    lr, gamma = 0.05, 0.3
    expected = _expected_sgd_updates(copy.deepcopy(model), copy.deepcopy(discriminator), x, labels, gamma, lr, seed=4,
                                     ablation=ablation)
    before = {"model": copy.deepcopy(model.state_dict()), "discriminator": copy.deepcopy(discriminator.state_dict())}
    encoder, decoder = split_parameters(model)
    optimizers = tuple(torch.optim.SGD(p, lr=lr) for p in (encoder, decoder, list(discriminator.parameters())))
    losses = vaegan_step(model, discriminator, optimizers, x, labels, gamma, seeded(4), ablation)
    assert all(torch.isfinite(loss) and not loss.requires_grad for loss in losses)
    actual = {"encoder": encoder, "decoder": decoder, "discriminator": list(discriminator.parameters())}
    for part, params in actual.items():
        for got, want in zip(params, expected[part]):
            torch.testing.assert_close(got.detach(), want, rtol=1e-4, atol=1e-6)
    changed = [name for name, t in model.state_dict().items() if not torch.equal(t, before["model"][name])]
    assert sorted(changed) == sorted(model.state_dict())
    assert all(not torch.equal(t, before["discriminator"][name]) for name, t in discriminator.state_dict().items())


def test_discriminator_forward_equals_the_concatenated_input_form():
    torch.manual_seed(0)
    discriminator, x = Discriminator(), torch.rand(16, 1, 28, 28)
    for y in (one_hot(torch.arange(16) % 10), torch.rand(16, 10)):  # one-hot, and any mixture of label planes
        for fast, reference in zip(discriminator(x, y), discriminator.forward_concatenated(x, y)):
            torch.testing.assert_close(fast, reference, rtol=1e-5, atol=1e-6)


def test_discriminator_shapes_and_parameter_split_for_both_backbones():
    x, y = torch.rand(3, 1, 28, 28), one_hot(torch.tensor([0, 4, 9]))
    logit, features = Discriminator()(x, y)
    assert logit.shape == (3,) and features.shape == (3, 64 * 7 * 7)
    for architecture in ("mlp", "conv"):
        model = build_model(architecture, latent_size=8)
        encoder, decoder = split_parameters(model)
        assert len(encoder) + len(decoder) == len(list(model.parameters()))
        assert {id(p) for p in encoder}.isdisjoint(id(p) for p in decoder)
        assert len(vaegan_optimizers(model, Discriminator())) == 3
    with pytest.raises(ValueError, match="parameter 'log_sigma' belongs to neither"):
        split_parameters(SecondStage(latent_size=2, hidden=2))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_samplers_and_updates_run_on_cuda_with_cpu_generators():
    torch.manual_seed(0)
    model, prior, stage = ConvCVAE(latent_size=4), VampPrior(2, generator=seeded(0)), SecondStage(4, 8).eval()
    x, labels = torch.rand(3, 1, 28, 28), torch.tensor([0, 3, 9])
    on_cpu = sample_vamp(model, prior, labels, seeded(1)), sample_second_stage(stage, labels, seeded(1))
    model, prior, stage, discriminator = model.cuda(), prior.cuda(), stage.cuda(), Discriminator().cuda()
    on_cuda = sample_vamp(model, prior, labels, seeded(1)), sample_second_stage(stage, labels, seeded(1))
    for cpu, cuda in zip(on_cpu, on_cuda):
        assert cuda.is_cuda
        torch.testing.assert_close(cuda.cpu(), cpu, rtol=1e-2, atol=1e-2)  # cuDNN may use TF32
    assert torch.isfinite(vamp_negative_elbo(model, prior, x.cuda(), labels, generator=seeded(2)).total)
    assert torch.isfinite(second_stage_loss(stage, on_cuda[1], labels, seeded(2)).total)
    optimizers = vaegan_optimizers(model, discriminator)
    losses = vaegan_step(model, discriminator, optimizers, x.cuda(), labels, 1.0, seeded(3))
    assert all(torch.isfinite(loss) for loss in losses)
    codes, code_labels = _gaussian_codes(32, seeded(4))
    trained = train_second_stage(codes.cuda(), code_labels, epochs=1, seed=0, code_log_var=torch.zeros(32, 4), hidden=8)
    assert trained.log_sigma.is_cuda
