"""Method names in the document: short, one per method, each saying its backbone first ("MLP VampPrior", "conv
VAE-GAN + GMM"), so that a table row or a sentence never leaves the reader to guess it. MLP methods keep their
VAE-GAN weight γ (the MLP study trains two); conv methods name γ only when the conv runs train more than one, so a
sentence never carries "conv: VAE-GAN (γ = 0.1) + GMM". The words are the text files' m_<method> (MLP) and
c_<method> (conv)."""
import re


def method_label(word, architecture: str, method: str, gamma: float, tau: float, conv_gammas=()) -> str:
    """One method's name; ``conv_gammas``: the VAE-GAN weights of every conv method the document names."""
    if architecture == "mlp":
        return word(f"m_{method}", tau=tau, gamma=gamma)
    part = word("gamma_part", gamma=gamma) if len(set(conv_gammas)) > 1 else ""
    return word(f"c_{method}", tau=tau, gamma=gamma, gamma_part=part)


def method_labels(keys, word, tau: float) -> dict:
    """(architecture, method, gamma) -> name, for each key; a ValueError when two keys would get one name."""
    keys = list(keys)
    conv_gammas = {g for a, m, g in keys if a != "mlp" and m.startswith("vaegan")}
    out = {k: method_label(word, *k, tau, conv_gammas) for k in keys}
    if len(set(out.values())) < len(out):
        clash = sorted(n for n in set(out.values()) if list(out.values()).count(n) > 1)
        raise ValueError(f"two methods would share the name(s) {clash}: give each its own word")
    return out


def merged(text: str) -> str:
    """Two brackets in a row made one: "VAE-GAN (γ = 1) (τ* = 0.9)" -> "VAE-GAN (γ = 1, τ* = 0.9)"."""
    return re.sub(r"）（|\) \(", lambda m: "，" if m.group(0) == "）（" else ", ", text)


def bare(text: str) -> str:
    """A method's name without its settings in brackets, for a sentence that names several methods in a breath:
    "MLP β-VAE (β = 0.5, 2, 4, 8)" -> "MLP β-VAE", "MLP VAE-GAN（γ = 0.1）" -> "MLP VAE-GAN"; a bracket that is part
    of the name, with no setting in it ("two-stage VAE (simplified)", "CVAE (RMSprop)"), stays."""
    kept = re.sub(r"\s*(\([^()]*=[^()]*\)|（[^（）]*=[^（）]*）)", "", text).strip()
    return re.sub(r"(?<=\S)\+", " +", kept)  # "VAE-GAN（γ = 0.1）+ GMM" -> "VAE-GAN + GMM"


def in_figure(text: str, backbone: str) -> str:
    """bare's name without its leading backbone word and any trailing bracket, for a figure whose caption names the
    backbone and whose label column takes width from the images: "MLP VAE-GAN（γ = 0.1）+ GMM" -> "VAE-GAN + GMM",
    "MLP two-stage VAE (simplified)" -> "two-stage VAE"; "原始 MLP 模型" keeps its word."""
    name = re.sub(rf"^{re.escape(backbone)}\s+", "", bare(text))
    return re.sub(r"\s*(\([^()]*\)|（[^（）]*）)$", "", name)


def listed(items: list, word) -> str:
    """"a, b and c" in the document's language (``word``: its word function)."""
    return items[0] if len(items) == 1 else word("list_sep").join(items[:-1]) + word("ov_last_sep") + items[-1]


def without_backbone(labels: dict, prefix: str = "MLP ") -> dict:
    """``labels`` with the leading backbone word removed ("MLP VampPrior" -> "VampPrior"), for a table whose caption
    names the backbone already; a name that does not start with it is kept ("原始 MLP 模型")."""
    return {k: v[len(prefix):] if v.startswith(prefix) else v for k, v in labels.items()}
