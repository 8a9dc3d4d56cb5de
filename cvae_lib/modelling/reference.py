"""The seed's model code, verbatim (comments shortened): the independent reference for tests and benchmarks."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class CVAE(nn.Module):

    def __init__(self, latent_size=64):
        super(CVAE, self).__init__()
        self.labels = 10
        self.latent_size = latent_size
        self.fc1 = nn.Linear(28 * 28 + self.labels, 512)
        self.fc2 = nn.Linear(512, latent_size)
        self.fc3 = nn.Linear(512, latent_size)
        self.fc4 = nn.Linear(latent_size + self.labels, 512)
        self.fc5 = nn.Linear(512, 28 * 28)

    def encode(self, x, y):
        x_flat = x.view(x.size(0), -1)
        x_concat = torch.cat([x_flat, y], dim=1)
        hidden = F.relu(self.fc1(x_concat))
        mu = self.fc2(hidden)
        log_var = self.fc3(hidden)
        return mu, log_var

    def reparameterize(self, mu, log_var):
        std = torch.exp(0.5 * log_var)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z, y):
        z_concat = torch.cat([z, y], dim=1)
        hidden = F.relu(self.fc4(z_concat))
        recon_x = torch.sigmoid(self.fc5(hidden))
        return recon_x

    def forward(self, x, y):
        mu, log_var = self.encode(x, y)
        z = self.reparameterize(mu, log_var)
        recon_x = self.decode(z, y)
        return recon_x, mu, log_var


class ConvCVAE(nn.Module):

    def __init__(self, latent_size=64):
        super(ConvCVAE, self).__init__()
        self.labels = 10
        self.encoder_conv = nn.Sequential(
            nn.Conv2d(11, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2, padding=1),
            nn.ReLU())
        self.fc_mu = nn.Linear(64 * 7 * 7, latent_size)
        self.fc_logvar = nn.Linear(64 * 7 * 7, latent_size)
        self.fc_decode = nn.Linear(latent_size + 10, 64 * 7 * 7)
        self.decoder_deconv = nn.Sequential(
            nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1),
            nn.Sigmoid())

    def encode(self, x, y):
        y_expanded = y.view(y.size(0), y.size(1), 1, 1).expand(-1, -1, x.size(2), x.size(3))
        x_cat = torch.cat([x, y_expanded], dim=1)
        conv_out = self.encoder_conv(x_cat)
        conv_out = conv_out.view(conv_out.size(0), -1)
        mu = self.fc_mu(conv_out)
        logvar = self.fc_logvar(conv_out)
        return mu, logvar

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z, y):
        z_cat = torch.cat([z, y], dim=1)
        fc_out = self.fc_decode(z_cat)
        fc_out = fc_out.view(-1, 64, 7, 7)
        recon_x = self.decoder_deconv(fc_out)
        return recon_x

    def forward(self, x, y):
        mu, logvar = self.encode(x, y)
        z = self.reparameterize(mu, logvar)
        recon_x = self.decode(z, y)
        return recon_x, mu, logvar


def seed_loss(recon_x, x, mu, log_var):
    """The usual loss for the seed's models (pytorch/examples vae): summed BCE + KL, per batch."""
    bce = F.binary_cross_entropy(recon_x.view(x.size(0), -1), x.view(x.size(0), -1), reduction="sum")
    kld = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp())
    return bce + kld
