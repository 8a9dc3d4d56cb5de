"""The Chinese edition is written as Chinese: one term per concept (the glossary below), full-width punctuation in
Chinese sentences, “” for quotes (the mainland convention), U+2212 for minus signs and thousands with a comma. Every string of zh.yaml is
checked, with math ($…$), code (`…`) and placeholders ({{…}}) set aside; the references (English) are left out.
The glossary does not bind a quotation (“…”): Table 4 quotes the first version's claims in its own words."""
import re
import shutil

import pytest
import yaml

from cvae_lib.reporting.document import PLACEHOLDER, TEXT_DIR

CJK = "\u4e00-\u9fff"
GLOSSARY = [  # a pattern that must not occur, and what the text says instead
    (r"扩展", "拓展 (extension: the assignment's word)"),
    (r"种子模型", "原始模型 (the original homework's model)"),
    (r"(?<!随机)种子", "随机种子 (种子 alone reads as the seed model)"),
    (r"运行(?! ▣)", "实验/训练/模型 for a run (运行 only before a command: 运行 `…`)"),
    (r"步长", "步幅 (stride) or 插值步 (interpolation step)"),
    (r"隐层|隐单元|潜在", "隐藏层 (hidden layer) or 隐变量维度 (latent dimension)"),
    (r"(?<![下上])界", "下界 (bound), or 上界 for an upper bound"),
    (r"(?i)epoch", "轮 (50 轮, 每轮)"),
    (r"(?i)\bthreads?\b", "线程"),
    (r"重建", "重构 (reconstruction)"),
    (r"查准率|查全率|精度", "精确率 (precision), 召回率 (recall)"),
    (r"Frechet|弗雷歇", "Fréchet 距离"),
    (r"(?<!换)(?:[\d◆一两三]|几|多) ?个随机种子|随机种子(?:数|间|之间)|各随机种子|每个随机种子",
     "训练次数: 3 次训练, 独立训练 3 次, 各次训练的均值 (a seed names one run: 随机种子 0)"),
]
PUNCTUATION = [
    (r"[\"‘’'「」『』]", "quotes are “” (full-width, mainland)"),
    (r"“ | ”|” (?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]) “", "quotes “” take no space inside or beside Chinese"),
    (r"(?<!—)—(?!—)", "a lone em dash"),
    (rf"[{CJK}][,.;:!?(]|[,;:!?)][{CJK}]", "ASCII punctuation in a Chinese sentence (，。；：！？（）)"),
    (r"(?<![\w)\]])-(?=\d)", "a hyphen as minus sign (−, U+2212)"),
    (r"~", "an ASCII tilde (∼, U+223C)"),
    (rf"(?<!T)[{CJK}](?=[A-Za-z0-9])|[A-Za-z0-9](?=[{CJK}])(?<!T)", "no space between Chinese and Latin or digits"),
]
MAX_EM_DASH_PAIRS = 3  # a handful of “——” at most in the whole file
THOUSANDS = {"iwae_k", "n_eval", "n_train", "n_test", "n_demo", "samples_per_class", "p_mlp", "p_conv", "bytes_mlp",
             "bytes_conv", "norm_mlp", "norm_conv"}
"""placeholders whose values reach 1,000: formatted with a thousands comma, as every literal number is"""



def strings(tree, path=""):
    """(path, text) for every string of a text file, the references left out."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if f"{path}/{key}" != "prose/references":
                yield from strings(value, f"{path}/{key}".lstrip("/"))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from strings(value, f"{path}[{i}]")
    else:
        yield path, tree


def prose_only(text: str) -> str:
    """The text a reader sees as sentences: code replaced by ▣, math and placeholders by ◆."""
    text = re.sub(r"`[^`]*`", "▣", re.sub(r"\$[^$]*\$", "◆", text))
    return PLACEHOLDER.sub("◆", text)


def problems(tree) -> list:
    found = []
    for path, text in strings(tree):
        plain = prose_only(text)
        unquoted = re.sub(r"“[^”]*”", lambda m: "“" + "◇" * (len(m.group(0)) - 2) + "”", plain)  # same length
        checks = [(p, i, unquoted) for p, i in GLOSSARY] + [(p, i, plain) for p, i in PUNCTUATION]
        for pattern, instead, seen in checks:
            for m in re.finditer(pattern, seen):
                found.append(f"{path}: {m.group(0)!r} in {plain[max(0, m.start() - 12):m.end() + 12]!r}: {instead}")
        for m in re.finditer(r"(?<![\d,.])\d{4,}(?![\d,])", plain):
            if not 1900 <= int(m.group(0)) <= 2099:  # a year is written as it is
                found.append(f"{path}: {m.group(0)} has no thousands comma")
        for name, spec in PLACEHOLDER.findall(text):
            if name in THOUSANDS and "," not in spec:
                found.append(f"{path}: {{{{{name}}}}} is formatted without a thousands comma")
        for opening, closing in ("“”", "（）"):
            if plain.count(opening) != plain.count(closing):
                found.append(f"{path}: unbalanced {opening}{closing}")
    dashes = sum(text.count("——") for _, text in strings(tree))
    if dashes > MAX_EM_DASH_PAIRS:
        found.append(f"{dashes} em-dash asides “——” (at most {MAX_EM_DASH_PAIRS})")
    return found


def test_the_chinese_text_keeps_the_glossary_and_the_punctuation():
    zh = yaml.safe_load((TEXT_DIR / "zh.yaml").read_text(encoding="utf-8"))
    assert problems(zh) == []


@pytest.mark.parametrize("text, fault", [
    ("检验原报告提出的扩展：", "拓展"),
    ("训练后用种子模型的编码", "原始模型"),
    ("MLP，种子 0：单个隐变量维度", "随机种子"),
    ("每次运行都有独立的 HTML 页面", "实验/训练/模型"),
    ("插值路径上最大步长 / 平均步长 ↓", "步幅"),
    ("经一个 512 单元的 ReLU 隐层编码", "隐藏层"),
    ("活跃隐单元数（共 64 个）", "隐藏层"),
    ("测试集上的界为每幅图像 233.49 nats", "下界"),
    ("训练 50 个 epoch", "轮"),
    ("运行环境为 2 threads, torch 2.4", "线程"),
    ("把\"模糊\"变成一个数", "quotes"),
    ("把” 模糊” 变成一个数", "quotes"),
    ("KL 项——即码率——最终为 13.1；编码——即 z——的信息量", "em-dash asides"),
    ("分别为 -218.8 和 −216.8 nats", "minus sign"),
    ("从 z ~ N(0, I) 抽取十次", "tilde"),
    ("使用 k = 1000 个样本", "thousands comma"),
    ("两个模型,每个训练", "ASCII punctuation"),
    ("卷积模型比MLP 更小", "no space"),
    ("原报告中的「3.5M」", "quotes"),
    ("各方法用 3 个随机种子训练，取各随机种子的均值", "训练次数"),
    ("在 ▣ 个随机种子下差异不显著", None),  # code is not prose
    ("MLP，随机种子 0：单个隐变量维度", None),
    ("是否超出换一个随机种子可能得到的范围", None),  # one seed changed: a seed, not a count of runs
    ("原报告中的“3.5M”和“2.8M”", None),
    ("第一版写道：“忽略变量间相关性，导致后验坍塌风险”，潜在空间", "隐藏层"),  # outside the quote: flagged
    ("第一版写道：“各向同性高斯分布强制潜在空间满足局部连续性”", None),  # its own words, quoted
])
def test_the_checker_finds_each_fault_of_the_old_text(text, fault):
    found = problems({"words": {"example": text}})
    if fault is None:
        assert found == []
    else:
        assert any(fault in p for p in found), found


def test_a_placeholder_that_reaches_thousands_needs_a_comma():
    assert problems({"prose": {"recipe": "使用 $k$ = {{iwae_k}} 个样本"}})
    assert problems({"prose": {"recipe": "使用 $k$ = {{iwae_k:,}} 个样本"}}) == []


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc missing")
def test_curly_quotes_reach_the_chinese_pdf_as_characters_not_tex_ligatures():
    import subprocess

    from cvae_lib.reporting.pages import cjk_quotes
    # pandoc (nbconvert's markdown to LaTeX) writes the quotes as ``...'' ligatures, set in the Latin font
    tex = subprocess.run(["pandoc", "-f", "markdown", "-t", "latex"], input="结论是“卷积结构效果相同”。",
                         capture_output=True, text=True, check=True).stdout
    assert "``" in tex and "\u201c" not in tex
    fixed = cjk_quotes(tex)
    assert fixed.strip() == "结论是\u201c卷积结构效果相同\u201d。" and "`" not in fixed and "''" not in fixed
