#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project needs, if any are missing:
#   dataset-fashion-mnist                 the data (/usr/share/datasets/fashion-mnist)
#   texlive-xetex texlive-fonts-recommended texlive-plain-generic texlive-latex-extra pandoc
#                                         the report's PDF (nbconvert's LaTeX route, XeLaTeX)
#   texlive-lang-chinese fonts-noto-cjk   the Chinese edition (xeCJK, Noto CJK fonts; also for matplotlib)
#   fonts-dejavu-core fonts-dejavu-extra  the report's Latin fonts (they have Greek letters, arrows, minus)
#   poppler-utils                         pdffonts, pdftotext, pdfinfo: the checks of the built PDFs
#   g++                                   torch.compile's CPU backend (the fast IWAE path; without it,
#                                         evaluation falls back to eager PyTorch, slower, same numbers)
#   python3-venv                          only where `python3 -m venv` lacks ensurepip
# Set SKIP_APT=1 to skip (for example without root or sudo); the data can then come from
# torchvision's download or CVAE_DATA_DIR, and the report is written as HTML only.
set -euo pipefail
[ "${SKIP_APT:-0}" = 1 ] && exit 0
command -v apt-get >/dev/null || { echo "system-deps: no apt-get here; install the packages above by hand" >&2; exit 0; }
wanted=(dataset-fashion-mnist texlive-xetex texlive-fonts-recommended texlive-plain-generic texlive-latex-extra pandoc
        texlive-lang-chinese fonts-noto-cjk fonts-dejavu-core fonts-dejavu-extra poppler-utils g++)
python3 -c 'import ensurepip' 2>/dev/null || wanted+=(python3-venv)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system-deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
