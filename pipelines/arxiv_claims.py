"""Benchmark-result claims read from an arXiv abstract: a pure, rule-based extractor, explainable by its quote.

`extract_claims(title, abstract)` returns every number the abstract states as a result on a named benchmark
("84.3% top-1 accuracy on ImageNet", "58.7 box AP ... on COCO test-dev", "(top-5: 98.0%)"), with the dataset and
metric in the canonical names of the labelled gold files (`ImageNet-1K`, `top1_accuracy`, `COCO test-dev`,
`box_AP`, ...), the evaluation setting, the model when one is named, whether the number is the paper's own or a
baseline it cites, and the exact quote (a substring of the abstract) it came from.

How it works, in three passes over the abstract:

1. Tokens. Dataset names (with their spelling variants: ILSVRC-2012, ImageNet-1k, ImageNet val are ImageNet-1K),
   metric words (top-1/top-5, accuracy, error, box AP, mIoU, BLEU, ...), numbers (with `%`, `\\%` or "percent"),
   URLs, words and punctuation, each with its span in the text. Sentences are split on `.`/`!`/`?`.
2. Each number is classified. Not results: quantities (a letter right after the number, as in 13M, 8.4x, 2nd;
   years; ranges; "% of the labels"; counts of parameters, images, layers ...), deltas ("+1.2", "by 4.0%",
   "1.6% better", "a relative improvement of ~25%", "(absolute 7.8%)"). Results: a number next to a metric phrase
   ("84.3% top-1 accuracy", "top-1 accuracy of 90.2%", "GLUE score to 80.5%", "(top-5: 98.0%)"), the two sides of
   "from 61.0% to 83.7%" (the first a baseline), and a bare percentage in a result position (after "achieves",
   coordinated with a result as in "and 79.8%", "DATASET (98.8%)", or cited in a comparison as in
   "outperforming DeiT (81.8%)"), which takes its metric from the result before it.
3. Each result gets a dataset: the one inside its metric phrase, else "DATASET (number)", else the first
   evaluation dataset to its right before a comparison ("outperforming", "than", ...) or the clause's end, else the
   nearest one to its left in the sentence, else the dataset of the previous result, else the nearest earlier
   mention in the abstract or the title. Pre-training corpora (ImageNet-21K/22K, JFT, Instagram, LAION, ...) are
   never evaluation sets, and a dataset must suit the metric (mIoU never lands on COCO detection, top-1 never on
   ADE20K). A result with no dataset, or an average over several test sets, is not a claim.

A bare "accuracy" on an image-classification set means top-1; a bare "error" on ImageNet-1K stays
`error_unspecified` (ILSVRC reported top-5 error, so it is ambiguous), on other classification sets it is top-1.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Claim:
    """One benchmark number stated in an abstract. `quote` is an exact substring of the abstract."""

    arxiv_id: str | None
    dataset: str
    metric: str
    value: float
    unit: str | None
    setting: str | None
    model: str | None
    is_baseline: bool
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------------------------------------------
# Vocabulary

# Task families a dataset serves; a metric binds only to a dataset of a family it measures.
CLS, DET, SEMSEG, MT, QA, NLU, VQA, CAPTION, RETRIEVAL, PANOPTIC = (
    "cls", "det", "semseg", "mt", "qa", "nlu", "vqa", "caption", "retrieval", "panoptic")

EVAL, PRETRAIN, MULTI = "eval", "pretrain", "multi"


@dataclass(frozen=True)
class _DatasetName:
    pattern: str
    canonical: str
    families: frozenset[str]
    role: str = EVAL
    case_sensitive: bool = False


def _ds(pattern: str, canonical: str, *families: str, role: str = EVAL, cs: bool = False) -> _DatasetName:
    return _DatasetName(pattern, canonical, frozenset(families), role, cs)


# Earlier entries win where spans overlap, so specific spellings come before general ones.
_DATASET_NAMES: tuple[_DatasetName, ...] = (
    # Pre-training corpora: named as training data, never an evaluation set.
    _ds(r"ImageNet[- ]?21[kK]|ImageNet[- ]?21,000|(?-i:IN)-?21[kK]", "ImageNet-21K", CLS, role=PRETRAIN),
    _ds(r"ImageNet[- ]?22[kK]|(?-i:IN)-?22[kK]", "ImageNet-22K", CLS, role=PRETRAIN),
    _ds(r"JFT(?:[- ]?\d+(?:\.\d+)?[MB])?", "JFT", CLS, role=PRETRAIN),
    _ds(r"Instagram(?:[- ]?\d+(?:\.\d+)?[MB])?|(?-i:IG)-\d+(?:\.\d+)?[MB]", "Instagram", CLS, role=PRETRAIN),
    _ds(r"LAION(?:-\d+[MBK])?", "LAION", CLS, role=PRETRAIN),
    _ds(r"YFCC(?:-?100M|-?15M)?", "YFCC100M", CLS, role=PRETRAIN),
    _ds(r"Conceptual Captions(?: 12M| 3M)?|(?-i:CC)-?(?:3|12)M", "Conceptual Captions", CLS, role=PRETRAIN),
    _ds(r"DataComp(?:-\d+[MB])?|WebLI", "DataComp", CLS, role=PRETRAIN),
    # ImageNet test sets other than the ILSVRC-2012 validation set, and non-classification ImageNet tasks.
    _ds(r"ImageNet[- ]?\{[^}]*\}", "ImageNet variants", CLS, role=MULTI),
    _ds(r"ImageNet[- ]?V2|ImageNetV2", "ImageNet-V2", CLS),
    _ds(r"ImageNet[- ]?ReaL|ImageNet[- ]Real(?:[- ][Ll]abels)?|ImageNet with [Rr]eassessed [Ll]abels|(?-i:ReaL)",
        "ImageNet-ReaL", CLS),
    _ds(r"ImageNet-?(?-i:A)|ImageNet[- ]Adversarial", "ImageNet-A", CLS),
    _ds(r"ImageNet-?(?-i:R)|ImageNet[- ]Renditions?", "ImageNet-R", CLS),
    _ds(r"ImageNet[- ]?Sketch", "ImageNet-Sketch", CLS),
    _ds(r"ImageNet-?(?-i:C)", "ImageNet-C", CLS),
    _ds(r"ImageNet-?(?-i:P)", "ImageNet-P", CLS),
    _ds(r"ImageNet[- ]?5[kK]", "ImageNet-5K", CLS),
    _ds(r"Tiny[- ]ImageNet(?:[- ]200)?", "Tiny ImageNet", CLS),
    _ds(r"ImageNet[- ]?100", "ImageNet-100", CLS),
    _ds(r"ImageNet[- ]?LT", "ImageNet-LT", CLS),
    _ds(r"ImageNet[- ]?(?-i:O)", "ImageNet-O", CLS),
    _ds(r"(?:ImageNet[- ]?)(?:32|64|128|256|512)\s?[x×]\s?(?:32|64|128|256|512)", "ImageNet generation", "gen"),
    _ds(r"ImageNet (?:object )?(?:detection|DET)", "ImageNet detection", DET),
    _ds(r"ImageNet locali[sz]ation", "ImageNet localization", "loc"),
    _ds(r"ImageNet[- ]?VID", "ImageNet VID", DET),
    # The ILSVRC-2012 classification set under all its names.
    _ds(r"ImageNet[- ]?1[kK]|(?-i:IN)-?1[kK]|ImageNet[- ](?:20)?12|ImageNet(?:[- ](?:val|validation))?"
        r"|ILSVRC[- ']?(?:20)?1\d|ILSVRC|ImageNet Large[- ]Scale Visual Recognition Challenge(?: 20\d\d)?",
        "ImageNet-1K", CLS),
    # Other benchmarks, canonical names as in the gold files.
    _ds(r"COCO[- ]Stuff(?:-?164[kK])?", "COCO-Stuff", SEMSEG),
    _ds(r"(?:MS[- ]?)?COCO[- ]test[- ]?dev", "COCO test-dev", DET, CAPTION, RETRIEVAL, PANOPTIC),
    _ds(r"(?:MS[- ]?)?COCO[- ](?:minival|val(?:2017)?)", "COCO minival", DET, CAPTION, RETRIEVAL, PANOPTIC),
    _ds(r"(?:MS[- ]?)?COCO", "COCO", DET, CAPTION, RETRIEVAL, PANOPTIC),
    _ds(r"LVIS(?:[- ]?v?1(?:\.0)?)?", "LVIS v1.0", DET),
    _ds(r"Objects365", "Objects365", DET),
    _ds(r"(?:PASCAL[- ])?VOC[- ]?(?:20)?07", "PASCAL VOC 2007", DET, SEMSEG),
    _ds(r"(?:PASCAL[- ])?VOC[- ]?(?:20)?12", "PASCAL VOC 2012", DET, SEMSEG),
    _ds(r"PASCAL[- ]Context", "PASCAL Context", SEMSEG),
    _ds(r"(?:PASCAL[- ])?VOC", "PASCAL VOC", DET, SEMSEG),
    _ds(r"ADE-?20[kK]", "ADE20K", SEMSEG),
    _ds(r"Cityscapes", "Cityscapes", SEMSEG, PANOPTIC),
    _ds(r"CIFAR[- ]?100", "CIFAR-100", CLS),
    _ds(r"CIFAR[- ]?10", "CIFAR-10", CLS),
    _ds(r"CIFAR", "CIFAR", CLS),
    _ds(r"SVHN", "SVHN", CLS),
    _ds(r"Fashion[- ]MNIST", "Fashion-MNIST", CLS),
    _ds(r"MNIST", "MNIST", CLS),
    _ds(r"STL-?10", "STL-10", CLS),
    _ds(r"Caltech[- ]?101", "Caltech-101", CLS),
    _ds(r"Caltech[- ]?256", "Caltech-256", CLS),
    _ds(r"Food[- ]?101", "Food-101", CLS),
    _ds(r"Oxford[- ](?:102[- ])?Flowers(?:[- ]?102)?|Flowers[- ]?102|Flowers", "Oxford Flowers-102", CLS, cs=True),
    _ds(r"Oxford[- ]IIIT?[- ]Pets?|Pets", "Oxford-IIIT Pets", CLS, cs=True),
    _ds(r"Stanford[- ]Cars|Cars", "Stanford Cars", CLS, cs=True),
    _ds(r"FGVC[- ]Aircraft|Aircraft", "FGVC-Aircraft", CLS, cs=True),
    _ds(r"DTD", "DTD", CLS, cs=True),
    _ds(r"SUN-?397", "SUN397", CLS),
    _ds(r"CUB(?:-200(?:-2011)?)?", "CUB-200-2011", CLS, cs=True),
    _ds(r"iNaturalist(?:[- ]?20\d\d)?|iNat(?:[- ]?20\d\d)?", "iNaturalist", CLS),
    _ds(r"Places-?365|Places", "Places365", CLS, cs=True),
    _ds(r"ObjectNet", "ObjectNet", CLS),
    _ds(r"VTAB(?:-1[kK])?|Visual Task Adaptation Benchmark", "VTAB", CLS),
    _ds(r"Kinetics[- ]?400", "Kinetics-400", CLS),
    _ds(r"Kinetics[- ]?600", "Kinetics-600", CLS),
    _ds(r"Kinetics[- ]?700", "Kinetics-700", CLS),
    _ds(r"Moments[- ]in[- ]Time", "Moments in Time", CLS),
    _ds(r"Something[- ]Something(?:[- ]?[vV]2)?", "Something-Something V2", CLS),
    _ds(r"UCF-?101", "UCF101", CLS),
    _ds(r"HMDB-?51", "HMDB51", CLS),
    _ds(r"Flickr30[kK]", "Flickr30K", RETRIEVAL, CAPTION),
    _ds(r"MSR-?VTT", "MSR-VTT", RETRIEVAL, CAPTION),
    _ds(r"VQA[- ]?v?2(?:\.0)?|VQA", "VQA v2", VQA),
    _ds(r"NoCaps", "NoCaps", CAPTION),
    _ds(r"NLVR2", "NLVR2", VQA),
    _ds(r"SNLI-VE", "SNLI-VE", VQA),
    _ds(r"SuperGLUE", "SuperGLUE", NLU),
    _ds(r"GLUE", "GLUE", NLU),
    _ds(r"MultiNLI|MNLI", "MultiNLI", NLU),
    _ds(r"SQuAD[- ]?v?1\.1", "SQuAD v1.1", QA),
    _ds(r"SQuAD[- ]?v?2(?:\.0)?", "SQuAD v2.0", QA),
    _ds(r"SQuAD", "SQuAD", QA),
    _ds(r"WMT[- ]?'?(?:20)?14 English[- ]to[- ]German|WMT[- ]?'?(?:20)?14 En[- ]De", "WMT14 En-De", MT),
    _ds(r"WMT[- ]?'?(?:20)?14 English[- ]to[- ]French|WMT[- ]?'?(?:20)?14 En[- ]Fr", "WMT14 En-Fr", MT),
    _ds(r"WikiText-?103", "WikiText-103", "lm"),
    _ds(r"Penn Treebank", "Penn Treebank", "lm"),
    _ds(r"LibriSpeech", "LibriSpeech", "asr"),
)

# A metric phrase: qualifiers (top-1, box, ...) and a base (accuracy, AP, ...). Longer phrases first.
_METRIC_NAMES: tuple[tuple[str, tuple[str, ...], str | None, bool], ...] = (
    # (pattern, qualifiers, base, case_sensitive)
    (r"mean corruption errors?|mCE", (), "mCE", False),
    (r"mean flip rates?|mFR", (), "mFR", False),
    (r"word error rates?|WER", (), "WER", False),
    (r"(?:box|bbox)\s*/\s*mask\s+mAPs?", ("box", "mask"), "mAP", False),
    (r"(?:box|bbox)\s*/\s*mask\s+APs?", ("box", "mask"), "AP", False),
    (r"(?:box|bbox|bounding[- ]box)\s+mAPs?", ("box",), "mAP", False),
    (r"(?:box|bbox|bounding[- ]box)\s+APs?", ("box",), "AP", False),
    (r"mask\s+mAPs?", ("mask",), "mAP", False),
    (r"mask\s+APs?", ("mask",), "AP", False),
    (r"AP\^?\{?box\}?", ("box",), "AP", True),
    (r"AP\^?\{?mask\}?", ("mask",), "AP", True),
    (r"AP_?\{?50\}?", (), "AP50", True),
    (r"AP_?\{?75\}?", (), "AP75", True),
    (r"mean average precision|mAPs?", (), "mAP", False),
    (r"average precision|APs?", (), "AP", False),
    (r"mIoU|mean IoU|mean intersection[- ]over[- ]union", (), "mIoU", False),
    (r"BLEU(?: score)?", (), "BLEU", False),
    (r"F1(?: score)?|F-score", (), "F1", False),
    (r"exact match|EM", (), "EM", False),
    (r"FID(?: score)?", (), "FID", False),
    (r"Inception [Ss]core", (), "IS", True),
    (r"PQ", (), "PQ", False),
    (r"CIDEr", (), "CIDEr", False),
    (r"perplexity|PPL", (), "perplexity", False),
    (r"[Aa]cc(?:uracy)?\s?@\s?1", ("top1",), "accuracy", True),
    (r"[Aa]cc(?:uracy)?\s?@\s?5", ("top5",), "accuracy", True),
    (r"[Tt]op[- ]?1\s*/\s*[Tt]op[- ]?5", ("top1", "top5"), None, True),
    (r"[Tt]op[- ]?1", ("top1",), None, True),
    (r"[Tt]op[- ]?5", ("top5",), None, True),
    (r"error[- ]rates?|errors?|err\.", (), "error", False),
    (r"accuracy|accuracies|acc\.?", (), "accuracy", False),
    (r"score", (), "score", False),
)
# Abbreviations that are case-sensitive words (an "em" or "ap" in running text is not a metric).
_CASE_SENSITIVE_METRICS = {"mCE", "mFR", "WER", "mAP", "mAPs?", "AP", "APs?", "F1", "EM", "FID", "PQ", "PPL"}

# Which dataset families a metric base measures (None: any).
_METRIC_FAMILIES: dict[str | None, frozenset[str] | None] = {
    None: frozenset({CLS, NLU, VQA}),
    "accuracy": frozenset({CLS, NLU, VQA}),
    "error": frozenset({CLS}),
    "mCE": frozenset({CLS}),
    "mFR": frozenset({CLS}),
    "AP": frozenset({DET}),
    "AP50": frozenset({DET}),
    "AP75": frozenset({DET}),
    "IS": frozenset({"gen"}),
    "mAP": frozenset({DET}),
    "mIoU": frozenset({SEMSEG}),
    "BLEU": frozenset({MT, CAPTION}),
    "F1": frozenset({QA, NLU}),
    "EM": frozenset({QA}),
    "CIDEr": frozenset({CAPTION}),
    "PQ": frozenset({PANOPTIC}),
    "FID": frozenset({"gen"}),
    "WER": frozenset({"asr"}),
    "perplexity": frozenset({"lm"}),
    "score": None,
}
_BOX_BY_DEFAULT = {"COCO", "COCO test-dev", "COCO minival", "LVIS v1.0", "Objects365"}

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)?(?:[-/.][A-Za-z0-9]+)*(?:['’][A-Za-z]+)?")
_NUM_RE = re.compile(r"(?<![\w.\-^@#])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"((?:\s*\\?%)|(?:\s+per\s?cent\b))?")
_URL_RE = re.compile(r"https?://\S+|\\url\{[^}]*\}|www\.\S+|github\.com/\S+")

# Words that sit between a number and its metric ("90.0 fine-tuning top-1 accuracy", "top-1 classification acc").
_MOD_WORDS = {
    "fine-tuning", "finetuning", "fine-tuned", "finetuned", "fine", "tuning", "tuned", "zero-shot", "zeroshot",
    "few-shot", "one-shot", "linear", "probing", "probe", "linear-probe", "linear-probing", "eval", "evaluation",
    "test", "testing", "validation", "val", "classification", "recognition", "single-crop", "center-crop",
    "single", "crop", "image", "video", "transfer", "knn", "k-nn", "frozen", "average", "averaged", "mean",
    "overall", "ensemble", "semi-supervised", "self-supervised", "supervised", "unsupervised", "state-of-the-art",
    "new", "best", "final", "in-distribution", "clean", "top",
}
_AVERAGE_WORDS = {"average", "averaged", "mean", "overall"}
# Words between a metric and its number on the left ("accuracy of 90.2%", "F1 to 93.2", "top-5: 98.0%").
_LEFT_CONNECTORS = {
    "of", "to", "at", "is", "was", "be", "reaching", "reaches", "reached", "reach", "achieving", "up", "about",
    "around", "approximately", "nearly", "almost", "as", "high", "from", "date", "=", ":", "(", "roughly",
}
_RESULT_VERBS = re.compile(
    r"^(?:achiev\w*|obtain\w*|reach\w*|attain\w*|gets?|got|getting|scor\w+|yield\w*|sets?|setting|establish\w*|"
    r"report\w*|record\w*|deliver\w*|hits?|produc\w+|gives?|giving|perform\w*|boost\w*|push\w*|improv\w*|"
    r"rais\w*|increas\w*|reduc\w*|lower\w*|decreas\w*)$")
_COMPARISON = re.compile(
    r"^(?:outperform\w*|surpass\w*|beat\w*|exceed\w*|than|compared|comparing|comparison|versus|vs|"
    r"previous\w*|prior|existing|baselines?|counterparts?|winners?|human|human-level|unlike|whereas|competing)$")
# Where the search for a number's dataset to its right stops: the text beyond is about something else.
_RIGHT_STOP = re.compile(
    r"^(?:outperform\w*|surpass\w*|beat\w*|exceed\w*|than|compared|comparing|versus|vs|match|matches|matching|"
    r"while|whereas|unlike)$")
_GAIN_WORD = re.compile(r"^(?:improv\w*|gains?|better|advantage|margin|lead|boost\w*)$")
_FIRST_PERSON = {"we", "our", "ours", "us"}
_DELTA_AFTER = {
    "better", "higher", "lower", "worse", "more", "less", "fewer", "improvement", "improvements", "gain", "gains",
    "increase", "increases", "boost", "reduction", "decrease", "drop", "drops", "faster", "slower", "smaller",
    "larger", "bigger", "absolute", "relative", "point", "points", "pp", "margin", "lift", "jump", "improved",
}
_DELTA_BEFORE = {
    "improvement", "improvements", "gain", "gains", "increase", "increases", "boost", "boosts", "reduction",
    "reductions", "decrease", "drop", "drops", "margin", "absolute", "relative", "lead", "advantage", "jump",
    "difference", "degradation", "loss",
}
_DELTA_FILLERS = {"of", "a", "an", "the", "up", "to", "about", "around", "nearly", "almost", "roughly", "over",
                  "approximately", "more", "than", "at", "least", "large", "average", "only", "just"}
_PERCENT_NOT_RESULT = {"of", "labels", "labeled", "labelled", "label", "data", "masking", "mask", "masked",
                       "sparsity", "subset", "training", "sampling", "pruning", "compression", "dropout"}
_QUANTITY_BEFORE = {"ratio", "rate", "masking", "mask", "fraction", "proportion", "sparsity", "dropout"}
# Words after a number that make it a size, not a result ("(224 size)", "at 384 resolution").
_QUANTITY_AFTER = {"times", "fold", "million", "billion", "thousand", "size", "resolution", "px", "pixels", "crops",
                   "layers", "parameters", "params", "images", "examples", "classes", "categories", "epochs", "steps",
                   "days", "hours", "gpus", "tpus", "samples", "tokens", "models", "tasks", "datasets", "benchmarks"}
_AFTER_BARE_VALUE = {"on", "in", "for", "at", "and", "or", "with", "while", "which", "when", "using", "by", "after",
                     "without", "as", "among", "over", "compared", "than", "respectively", "outperforming",
                     "surpassing", "establishing", "setting", "under", "from", "to", "only", "even", "respectively",
                     "across", "within", "top", "of"}
_SKIP_WORDS = {"sim", "approx", "le", "leq", "ge", "geq", "mathbf", "textbf", "bf"}
_SKIP_PUNCT = {"$", "\\", "~", "{", "}"}

_SETTINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("zero-shot", re.compile(r"zero[- ]?shot", re.I)),
    ("linear-probe", re.compile(r"linear[- ](?:prob\w*|eval\w*|classifier\w*|protocol)|linear classification",
                                re.I)),
    ("frozen-encoder", re.compile(r"frozen\s+(?:\w+\s+)?(?:encoder|backbone|features|trunk|representations?|weights)",
                                  re.I)),
    ("few-shot", re.compile(r"few[- ]shot|\b(?:\d+|one|two|five|ten)[- ]shot|\b(?:\d+|one|two|five|ten)\s+"
                            r"(?:labell?ed\s+)?(?:examples?|images?|samples?|shots?)\s+per\s+class", re.I)),
    ("from-scratch", re.compile(
        r"from[- ]scratch|without\s+(?:any\s+)?(?:extra|external|additional)\s+(?:training\s+)?(?:data|images|labels)"
        r"|\bno\s+(?:extra|external|additional)\s+(?:training\s+)?(?:data|images)", re.I)),
    ("finetuned", re.compile(r"fine[- ]?tun\w*|finetun\w*", re.I)),
    ("ensemble", re.compile(r"\bensembl\w*", re.I)),
    ("single-model", re.compile(r"single[- ]model", re.I)),
)
_LABEL_FRACTION = re.compile(r"\d+(?:\.\d+)?\s*\\?%\s+(?:of\s+(?:the\s+)?)?(?:labels|labell?ed)", re.I)

_MODEL_STOP = {
    "CNN", "CNNs", "GPU", "GPUs", "TPU", "TPUs", "CPU", "CPUs", "NLP", "SOTA", "FLOPs", "FLOPS", "GFLOPs", "MLP",
    "MLPs", "API", "ConvNet", "ConvNets", "RGB", "NAS", "ViTs", "AI", "ML", "SGD", "LR", "BN", "OOD", "SSL", "We",
    "Our", "In", "On", "For", "With", "By", "The", "This", "These", "Notably", "Moreover", "Furthermore",
    "Transformers", "Transformer", "MFLOPs", "TFLOPs", "LeViT's",
}
_MODEL_RE = re.compile(r"^(?=[A-Za-z][\w\-/.]{2})(?=(?:.*[A-Z]){2}|.*[A-Z].*\d|.*\d.*[A-Z])[\w\-/.]+$")


# --------------------------------------------------------------------------------------------------------------
# Tokens

@dataclass
class _Tok:
    kind: str  # NUM, DS, MET, WORD, PUNCT, URL
    start: int
    end: int
    text: str
    low: str = ""
    # NUM
    value: float = 0.0
    pct: bool = False
    # DS
    canonical: str = ""
    families: frozenset[str] = frozenset()
    role: str = EVAL
    # MET
    quals: tuple[str, ...] = ()
    base: str | None = None


def _compile_datasets() -> re.Pattern[str]:
    parts = []
    for n, name in enumerate(_DATASET_NAMES):
        body = name.pattern if not name.case_sensitive else "(?-i:" + name.pattern + ")"
        parts.append(f"(?P<d{n}>{body})")
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])", re.I)


def _compile_metrics() -> re.Pattern[str]:
    parts = []
    for n, (pattern, _quals, _base, cs) in enumerate(_METRIC_NAMES):
        alternatives = []
        for alt in _split_alternatives(pattern):
            # Short abbreviations are matched case-sensitively, words case-insensitively.
            if cs or alt in _CASE_SENSITIVE_METRICS or alt.startswith(("AP(", "AP\\")):
                alternatives.append("(?-i:" + alt + ")")
            else:
                alternatives.append(alt)
        parts.append(f"(?P<m{n}>" + "|".join(alternatives) + ")")
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])", re.I)


def _split_alternatives(pattern: str) -> list[str]:
    depth, parts, current = 0, [], ""
    for ch in pattern:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


_DATASET_RE = _compile_datasets()
_METRIC_RE = _compile_metrics()


def _tokenize(text: str) -> list[_Tok]:
    """URLs, dataset names, metric phrases and numbers, in that priority where they overlap; then words and
    punctuation in the gaps."""
    used = bytearray(len(text))
    toks: list[_Tok] = []

    def claim(a: int, b: int) -> bool:
        if any(used[a:b]):
            return False
        used[a:b] = b"\x01" * (b - a)
        return True

    for m in _URL_RE.finditer(text):
        if claim(*m.span()):
            toks.append(_Tok("URL", m.start(), m.end(), m.group()))
    for m in _DATASET_RE.finditer(text):
        if claim(*m.span()):
            name = _DATASET_NAMES[int(m.lastgroup[1:])]
            toks.append(_Tok("DS", m.start(), m.end(), m.group(), canonical=name.canonical,
                             families=name.families, role=name.role))
    for m in _METRIC_RE.finditer(text):
        if claim(*m.span()):
            _pattern, quals, base, _cs = _METRIC_NAMES[int(m.lastgroup[1:])]
            toks.append(_Tok("MET", m.start(), m.end(), m.group(), quals=quals, base=base))
    for m in _NUM_RE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == "/" and not _slash_pair(text, m.start() - 1):
            continue
        if claim(*m.span()):
            unit = m.group(2) or ""
            toks.append(_Tok("NUM", m.start(), m.end(), m.group(), value=float(m.group(1).replace(",", "")),
                             pct=bool(unit.strip())))
    i, n = 0, len(text)
    while i < n:
        if used[i] or text[i].isspace():
            i += 1
            continue
        m = _WORD_RE.match(text, i)
        if m and not any(used[m.start():m.end()]):
            toks.append(_Tok("WORD", m.start(), m.end(), m.group(), low=m.group().lower()))
            i = m.end()
        elif m:
            end = i
            while end < m.end() and not used[end]:
                end += 1
            toks.append(_Tok("WORD", i, end, text[i:end], low=text[i:end].lower()))
            i = end
        else:
            toks.append(_Tok("PUNCT", i, i + 1, text[i], low=text[i]))
            i += 1
    toks.sort(key=lambda t: t.start)
    for t in toks:
        if not t.low:
            t.low = t.text.lower()
    return toks


def _slash_pair(text: str, slash: int) -> bool:
    """A number after a slash is a value only in a pair of values ("83.9% / 96.6%", "63.1/54.4"), not in "B/16"."""
    before = text[:slash].rstrip()
    return bool(re.search(r"(?:\d\.\d+|\d\s*\\?%)$", before))


_ABBREVIATIONS = {"e.g", "i.e", "al", "vs", "cf", "fig", "eq", "approx", "resp", "no", "etc", "ca"}


def _sentences(toks: list[_Tok]) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, t in enumerate(toks):
        if t.kind == "PUNCT" and t.text in ".!?":
            prev = toks[i - 1] if i > 0 else None
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if prev is not None and prev.kind == "WORD" and prev.low in _ABBREVIATIONS and nxt is not None \
                    and not nxt.text[:1].isupper():
                continue
            if nxt is None or nxt.text[:1].isupper() or nxt.kind in ("NUM", "DS", "MET") or nxt.text in "([$\\":
                out.append((start, i + 1))
                start = i + 1
    if start < len(toks):
        out.append((start, len(toks)))
    return out


# --------------------------------------------------------------------------------------------------------------
# Numbers

@dataclass
class _Num:
    i: int
    sent: tuple[int, int]
    tok: _Tok
    status: str = "candidate"  # candidate, delta, quantity, none
    quals: tuple[str, ...] = ()
    base: str | None = None
    explicit: bool = False
    metric_first: int | None = None  # token index range of the metric phrase
    metric_last: int | None = None
    metric_ds: int | None = None
    average: bool = False
    inherited_from: "_Num | None" = None
    coordinated: bool = False
    from_to: str | None = None  # "from" or "to"
    partner: "_Num | None" = None
    paren_ds: int | None = None
    dataset_tok: int | None = None
    dataset: str | None = None
    families: frozenset[str] = frozenset()
    is_baseline: bool = False
    setting: str | None = None
    model: str | None = None
    qual_index: int = 0
    mods: list[str] = field(default_factory=list)


class _Abstract:
    def __init__(self, title: str, text: str):
        self.title = title
        self.text = text
        self.toks = _tokenize(text)
        self.sents = _sentences(self.toks)
        self.sent_of: dict[int, tuple[int, int]] = {}
        for s in self.sents:
            for i in range(*s):
                self.sent_of[i] = s
        self.nums: dict[int, _Num] = {}

    # -- navigation --------------------------------------------------------------------------------------------
    def skippable(self, i: int) -> bool:
        t = self.toks[i]
        return (t.kind == "PUNCT" and t.text in _SKIP_PUNCT) or (t.kind == "WORD" and t.low in _SKIP_WORDS)

    def next(self, i: int, end: int) -> int | None:
        j = i + 1
        while j < end and self.skippable(j):
            j += 1
        return j if j < end else None

    def prev(self, i: int, start: int) -> int | None:
        j = i - 1
        while j >= start and self.skippable(j):
            j -= 1
        return j if j >= start else None

    def words_before(self, i: int, start: int, n: int) -> list[_Tok]:
        out, j = [], self.prev(i, start)
        while j is not None and len(out) < n:
            out.append(self.toks[j])
            j = self.prev(j, start)
        return out

    def words_after(self, i: int, end: int, n: int) -> list[_Tok]:
        out, j = [], self.next(i, end)
        while j is not None and len(out) < n:
            out.append(self.toks[j])
            j = self.next(j, end)
        return out

    def enclosing_paren(self, i: int, start: int) -> int | None:
        depth = 0
        for j in range(i - 1, start - 1, -1):
            t = self.toks[j]
            if t.kind == "PUNCT" and t.text == ")":
                depth += 1
            elif t.kind == "PUNCT" and t.text == "(":
                if depth == 0:
                    return j
                depth -= 1
        return None

    def closing_paren(self, j: int, end: int) -> int | None:
        depth = 0
        for k in range(j + 1, end):
            t = self.toks[k]
            if t.kind == "PUNCT" and t.text == "(":
                depth += 1
            elif t.kind == "PUNCT" and t.text == ")":
                if depth == 0:
                    return k
                depth -= 1
        return None

    def holds_result(self, close: int, start: int) -> bool:
        """Whether the bracket group ending at token `close` contains a result or a delta."""
        opening = self.enclosing_paren(close, start)
        first = start if opening is None else opening + 1
        return any(k in self.nums and self.nums[k].status in ("candidate", "delta") for k in range(first, close))

    def scope_start(self, i: int) -> int:
        """First token of the clause a number belongs to: back to a comma, colon or semicolon outside brackets,
        or to the previous result or delta, or to the sentence start. A number in brackets takes the clause of
        the bracket."""
        s0, _ = self.sent_of[i]
        j = self.enclosing_paren(i, s0)
        anchor = j if j is not None else i
        depth = 0
        k = anchor - 1
        while k >= s0:
            t = self.toks[k]
            if t.kind == "PUNCT" and t.text == ")":
                if depth == 0 and self.holds_result(k, s0):
                    break
                depth += 1
            elif t.kind == "PUNCT" and t.text == "(":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and t.kind == "PUNCT" and t.text in ",;:":
                break
            elif depth == 0 and t.kind == "NUM" and k in self.nums and self.nums[k].status in ("candidate", "delta"):
                break
            k -= 1
        return k + 1


def extract_claims(title: str, abstract: str, arxiv_id: str | None = None) -> list[Claim]:
    """Every benchmark result stated in an abstract, in the order of the text (see the module docstring)."""
    doc = _Abstract(title or "", abstract or "")
    for s in doc.sents:
        for i in range(*s):
            if doc.toks[i].kind == "NUM":
                doc.nums[i] = _Num(i, s, doc.toks[i])
    for num in doc.nums.values():
        num.status = _classify(doc, num)
    for s in doc.sents:
        _resolve_groups(doc, s)
    # First every number's metric, dataset and owner, in text order (each may lean on the results before it) ...
    resolved: list[_Num] = []
    for i in sorted(doc.nums):
        num = doc.nums[i]
        if num.status != "candidate":
            continue
        if not _resolve_metric(doc, num, resolved):
            num.status = "none"
        elif _delta_after_metric(doc, num):
            num.status = "delta"
        elif num.average or not _resolve_dataset(doc, num, resolved):
            num.status = "none"
        else:
            num.is_baseline = _is_baseline(doc, num)
            resolved.append(num)
    for sent in doc.sents:
        _respectively(doc, sent, resolved)
    # ... then what needs the final status of the numbers after it: the clause's end, setting, model and quote.
    claims: list[Claim] = []
    for num in resolved:
        num.setting = _setting(doc, num)
        num.model = _model(doc, num)
        claims.append(Claim(
            arxiv_id=arxiv_id, dataset=num.dataset or "", metric=_canonical_metric(num),
            value=num.tok.value, unit="%" if num.tok.pct else None, setting=num.setting,
            model=num.model, is_baseline=num.is_baseline, quote=_quote(doc, num)))
    return _dedupe(claims)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    seen, out = set(), []
    for c in claims:
        key = (c.dataset, c.metric, c.value, c.is_baseline)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


# -- pass 2: what a number is -----------------------------------------------------------------------------------

def _classify(doc: _Abstract, num: _Num) -> str:
    t, text = num.tok, doc.text
    s0, s1 = num.sent
    after = text[t.end:t.end + 1]
    if not t.pct:
        if after.isalpha():
            return "quantity"  # 13M, 8.4x, 2nd, 78ms
        if re.fullmatch(r"(?:19|20)\d\d", t.text):
            return "quantity"  # a year
    rest = text[t.end:]
    if re.match(r"\s*[-–—]\s*\$?\d", rest) or re.match(r"-[A-Za-z]", rest):
        return "quantity"  # a range (16-19) or a compound (16-layer, 557-million-parameter)
    if re.match(r"\s*(?:\$?\\times|×|[xX]\b)", rest):
        return "quantity"
    before = text[:t.start].rstrip(" $~")
    if before.endswith(("+", "±")):
        return "delta"
    if re.search(r"\d\s*\\?%?\s*[-–—]$", before):
        return "quantity"  # second end of a range
    left = doc.words_before(num.i, s0, 6)
    right = doc.words_after(num.i, s1, 2)
    # "by 4.0%", "by over 2 BLEU", "by up to 1%"
    for w in left:
        if w.kind != "WORD":
            break
        if w.low == "by":
            return "delta"
        if w.low not in _DELTA_FILLERS:
            break
    # "improvement of 28%", "absolute 7.8%", "a relative improvement of ~25%"
    for w in left:
        if w.kind != "WORD":
            break
        if w.low in _DELTA_BEFORE:
            return "delta"
        if w.low not in _DELTA_FILLERS:
            break
    if right and right[0].kind == "WORD" and right[0].low in _DELTA_AFTER:
        return "delta"
    if t.pct:
        if right and right[0].kind == "WORD" and right[0].low in _PERCENT_NOT_RESULT:
            return "quantity"  # 1% of the labels, 75% masking
        if left and left[0].kind == "WORD" and left[0].low in _QUANTITY_BEFORE:
            return "quantity"  # a masking ratio of 75%
    if right and right[0].kind == "WORD" and right[0].low in _QUANTITY_AFTER:
        return "quantity"
    if left and left[0].kind == "WORD" and left[0].low == "within":
        return "delta"  # "within 0.3% mAP of AutoAugment"
    return "candidate"


_RightMetric = tuple[tuple[str, ...], str | None, int | None, int, list[str]]
_LeftMetric = tuple[tuple[str, ...], str | None, int | None, int, list[str], bool]


def _metric_right(doc: _Abstract, i: int, end: int) -> _RightMetric | None:
    """A metric phrase right after token i: (quals, base, dataset token, last token, modifiers) or None."""
    quals: list[str] = []
    base: str | None = None
    ds: int | None = None
    mods: list[str] = []
    last = None
    j = doc.next(i, end)
    steps = 0
    while j is not None and steps < 7:
        t = doc.toks[j]
        steps += 1
        if t.kind == "MET":
            if t.quals and base is None:
                quals.extend(t.quals)
            if t.base is not None:
                base = t.base
                last = j
                break
            last = j
        elif t.kind == "DS" and ds is None and t.role != MULTI:
            ds = j
        elif t.kind == "WORD" and t.low in _MOD_WORDS:
            mods.append(t.low)
        elif quals and ((t.kind == "PUNCT" and t.text in "/,") or (t.kind == "WORD" and t.low == "and")):
            k = doc.next(j, end)
            if k is not None and doc.toks[k].kind == "MET" and doc.toks[k].quals:
                j = k
                continue
            break
        else:
            break
        j = doc.next(j, end)
    if last is None:
        return None
    if ds is not None and ds > last:
        ds = None
    return tuple(quals), base, ds, last, mods


def _metric_left(doc: _Abstract, i: int, start: int) -> _LeftMetric | None:
    """A metric phrase before token i joined by "of", "to", ":", "(", ...: (quals, base, dataset token,
    first token, modifiers, via_from)."""
    j = doc.prev(i, start)
    via_from = False
    hops = 0
    ds = None
    while j is not None:
        t = doc.toks[j]
        if (t.kind == "WORD" and t.low in _LEFT_CONNECTORS) or (t.kind == "PUNCT" and t.text in ":=("):
            via_from = via_from or t.low == "from"
            hops += 1
            if hops > 4:
                return None
            j = doc.prev(j, start)
            continue
        if t.kind == "DS" and ds is None:
            k = doc.prev(j, start)
            if k is not None and doc.toks[k].kind == "WORD" and doc.toks[k].low in ("on", "in", "for"):
                ds = j
                j = doc.prev(k, start)
                continue
        break
    if j is None or doc.toks[j].kind != "MET":
        return None
    quals: list[str] = []
    base = None
    mods: list[str] = []
    first = j
    while j is not None:
        t = doc.toks[j]
        if t.kind == "MET":
            if t.base is not None:
                if base is not None:
                    break
                base = t.base
            quals[:0] = list(t.quals)
            first = j
        elif t.kind == "DS" and t.role != MULTI and ds is None:
            ds = j
            first = j
            break
        elif t.kind == "WORD" and t.low in _MOD_WORDS:
            mods.append(t.low)
            first = j
        elif t.kind == "PUNCT" and t.text == "," and mods:
            pass
        elif (t.text == "/" or t.low == "and") and quals:
            k = doc.prev(j, start)
            if k is None or doc.toks[k].kind != "MET" or not doc.toks[k].quals:
                break
        else:
            break
        j = doc.prev(j, start)
    return tuple(quals), base, ds, first, mods, via_from


def _bare_position(doc: _Abstract, num: _Num) -> str | None:
    """Why a bare percentage (no metric word next to it) reads as a result, if it does."""
    s0, s1 = num.sent
    i = num.i
    after = doc.next(i, s1)
    if after is not None and doc.toks[after].kind == "WORD" and doc.toks[after].low not in _AFTER_BARE_VALUE:
        return None  # "a 30% speedup", "30% sparsity": the word after says what the number counts
    j = doc.prev(i, s0)
    while j is not None and doc.toks[j].kind == "WORD" and doc.toks[j].low in ("up", "to", "about", "around",
                                                                                 "nearly", "approximately"):
        j = doc.prev(j, s0)
    scope = range(doc.scope_start(i), i)
    words = [doc.toks[k] for k in scope]
    markers = [k for k, w in zip(scope, words) if w.kind == "WORD" and _COMPARISON.match(w.low)]
    paren = doc.enclosing_paren(i, s0)
    if _paren_dataset(doc, num) is not None:
        return "dataset-paren"
    if markers and j is not None and (doc.toks[j].text in ("(", ",") and paren is not None or doc.toks[j].low == "of"):
        return "comparison"
    earlier = [k for k in doc.nums if s0 <= k < i and doc.nums[k].status == "candidate"]
    if j is not None and (doc.toks[j].text in (",", "/", "(") or doc.toks[j].low in ("and", "or")) and earlier:
        num.coordinated = True
        return "coordinated"
    if any(w.kind == "WORD" and _RESULT_VERBS.match(w.low) for w in words):
        return "result-verb"
    return None


def _paren_dataset(doc: _Abstract, num: _Num) -> int | None:
    """ "Flowers (98.8%)", "Imagenet (where we obtain up to 85.2% accuracy)": the dataset just before the bracket."""
    s0 = num.sent[0]
    paren = doc.enclosing_paren(num.i, s0)
    before = doc.prev(paren, s0) if paren is not None else None
    if before is not None and doc.toks[before].kind == "DS" and doc.toks[before].role == EVAL:
        num.paren_ds = before
        return before
    return None


def _resolve_groups(doc: _Abstract, sent: tuple[int, int]) -> None:
    """Values joined only by "/", "," or "and" share the metric that follows the last one
    ("83.9% / 96.6% top-5", "63.1/54.4 box/mask mAP")."""
    s0, s1 = sent
    idx = [k for k in range(s0, s1) if k in doc.nums and doc.nums[k].status == "candidate"]
    groups: list[list[int]] = []
    for k in idx:
        if groups:
            last = groups[-1][-1]
            between = [doc.toks[m] for m in range(last + 1, k) if not doc.skippable(m)]
            if between and all(t.text in ("/", ",") or t.low in ("and", "or") for t in between) \
                    and any(t.text == "/" or t.low in ("and", "or") for t in between):
                groups[-1].append(k)
                continue
        groups.append([k])
    for g in groups:
        if len(g) < 2:
            continue
        found = _metric_right(doc, g[-1], s1)
        if found is None:
            continue
        quals, base, ds, last, mods = found
        members = [doc.nums[k] for k in g]
        slashed = all(any(doc.toks[m].text == "/" for m in range(a + 1, b)) for a, b in zip(g, g[1:]))
        if any(_metric_right(doc, k, s1) is not None or _metric_left(doc, k, s0) is not None for k in g[:-1]):
            continue  # each value has its own metric ("82.7% top-1 / 96.2% top-5" is read one by one)
        if len(quals) == len(members):
            assigned = [(q,) for q in quals]
        elif len(quals) == 1 and slashed:
            other = {"top1": "top5", "top5": "top1", "box": "mask", "mask": "box"}.get(quals[0])
            assigned = [((other,) if other else ()) for _ in members[:-1]] + [quals]
        else:
            assigned = [quals for _ in members]
        for m, q in zip(members, assigned):
            m.quals, m.base, m.explicit = q, base, True
            m.metric_first, m.metric_last = doc.next(g[-1], s1), last
            m.metric_ds = ds
            m.mods = list(mods)
            m.average = any(w in _AVERAGE_WORDS for w in mods)
            m.coordinated = m is not members[0]


def _resolve_metric(doc: _Abstract, num: _Num, resolved: list[_Num]) -> bool:
    """Give the number a metric: a phrase to its right or left, the other side of "from ... to", or (for a bare
    percentage in a result position) the metric of the previous result. False: not a result."""
    if num.explicit:
        return True
    s0, s1 = num.sent
    right = _metric_right(doc, num.i, s1)
    left = _metric_left(doc, num.i, s0)
    # "from 61.0% to 83.7%": the metric is the nearest one before "from".
    nxt = doc.next(num.i, s1)
    after_to = doc.next(nxt, s1) if nxt is not None else None
    if nxt is not None and doc.toks[nxt].low == "to" and after_to is not None and after_to in doc.nums \
            and doc.prev(num.i, s0) is not None and doc.toks[doc.prev(num.i, s0)].low == "from":
        partner = doc.nums[after_to]
        if partner.status == "candidate":
            num.from_to, partner.from_to = "from", "to"
            num.partner, partner.partner = partner, num
    if num.from_to == "to" and num.partner is not None:
        p = num.partner
        if p.base is None and not p.quals:
            return False
        num.quals, num.base, num.metric_ds = p.quals, p.base, p.metric_ds
        num.metric_first, num.metric_last, num.explicit = p.metric_first, p.metric_last, True
        return True
    if num.from_to == "from" and right is None and left is None:
        left = _nearest_metric_left(doc, num.i, s0)
    if right is None and left is not None and not num.tok.pct:
        k = doc.next(num.i, s1)
        if k is not None and doc.toks[k].kind == "WORD" and doc.toks[k].low not in _AFTER_BARE_VALUE:
            left = None
    if right is not None or left is not None:
        quals: tuple[str, ...] = ()
        base = None
        if right is not None:
            quals, base, num.metric_ds, num.metric_last, mods = right
            num.metric_first = doc.next(num.i, s1)
            num.mods.extend(mods)
        if left is not None:
            lquals, lbase, lds, lfirst, lmods, _ = left
            quals = quals or lquals
            base = base or lbase
            num.metric_ds = num.metric_ds if num.metric_ds is not None else lds
            num.mods.extend(lmods)
            if right is None:
                num.metric_first, num.metric_last = lfirst, doc.prev(num.i, s0)
            else:
                num.metric_first = lfirst
        num.quals, num.base, num.explicit = quals, base, True
        num.average = any(w in _AVERAGE_WORDS for w in num.mods)
        if base is None:
            num.base = _base_from_following(doc, num) or _base_from(resolved) or "accuracy"
        elif not quals and num.base in ("accuracy", "error"):
            # "(and 4.8% test error)" after "4.9% top-5 validation error": the qualifier carries over.
            ante = resolved[-1] if resolved else None
            j = doc.prev(num.i, s0)
            if ante is not None and ante.sent == num.sent and ante.base == num.base and ante.quals and j is not None \
                    and (doc.toks[j].text in ("(", ",") or doc.toks[j].low in ("and", "or")):
                num.quals = ante.quals
                num.coordinated = True
        return True
    if not num.tok.pct:
        return False
    why = _bare_position(doc, num)
    if why is None:
        return False
    ante = resolved[-1] if resolved else None
    if ante is None:
        return False
    num.quals, num.base, num.inherited_from = ante.quals, ante.base, ante
    if num.coordinated and ante.sent == num.sent and len(ante.quals) > ante.qual_index + 1:
        num.qual_index = ante.qual_index + 1
    return True


def _nearest_metric_left(doc: _Abstract, i: int, start: int) -> _LeftMetric | None:
    """For "from A to B": the nearest metric before A, however many words away (up to eight)."""
    j = doc.prev(i, start)
    hops = 0
    while j is not None and hops < 8:
        t = doc.toks[j]
        if t.kind == "MET" and t.base is not None:
            quals = t.quals
            k = doc.prev(j, start)
            if not quals and k is not None and doc.toks[k].kind == "MET" and doc.toks[k].quals:
                quals = doc.toks[k].quals
            return quals, t.base, None, j, [], True
        j = doc.prev(j, start)
        hops += 1
    return None


def _base_from_following(doc: _Abstract, num: _Num) -> str | None:
    """ "21.2% top-1 and 5.6% top-5 error": a qualifier without a base takes the next value's base."""
    s0, s1 = num.sent
    j = doc.next(num.metric_last if num.metric_last is not None else num.i, s1)
    while j is not None and (doc.toks[j].low in ("and", "or") or doc.toks[j].text in ",/"):
        j = doc.next(j, s1)
    if j is None or j not in doc.nums:
        return None
    found = _metric_right(doc, j, s1)
    return found[1] if found else None


def _base_from(resolved: list[_Num]) -> str | None:
    """ "(top-5: 98.0%)": a qualifier alone takes the base of the last result."""
    for r in reversed(resolved):
        if r.base in ("accuracy", "error"):
            return r.base
    return None


def _delta_after_metric(doc: _Abstract, num: _Num) -> bool:
    """ "1.5% top-1 accuracy gain": a delta whose change word comes after the metric."""
    if num.metric_last is None or num.metric_last < num.i:
        return False
    j = doc.next(num.metric_last, num.sent[1])
    return j is not None and doc.toks[j].kind == "WORD" and doc.toks[j].low in (
        "gain", "gains", "improvement", "improvements", "increase", "boost", "drop", "decrease", "reduction", "lift",
        "better", "higher", "lower", "worse")


# -- pass 3: which dataset --------------------------------------------------------------------------------------

def _metric_family(num: _Num) -> frozenset[str] | None:
    """The dataset families a number's metric can be measured on (None: any)."""
    return _METRIC_FAMILIES.get(num.base, None)


def _fits(tok: _Tok, families: frozenset[str] | None) -> bool:
    return tok.role == EVAL and (families is None or bool(tok.families & families))


def _resolve_dataset(doc: _Abstract, num: _Num, resolved: list[_Num]) -> bool:
    """Give the number a dataset, in the order the module docstring lists. False: none fits, not a claim."""
    fam = _metric_family(num)
    s0, s1 = num.sent
    candidates: list[int | None] = [num.metric_ds, _paren_dataset(doc, num)]
    if num.from_to == "to" and num.partner is not None and num.partner.dataset_tok is not None:
        candidates.insert(0, num.partner.dataset_tok)
    for k in candidates:
        if k is not None and _fits(doc.toks[k], fam):
            return _bind(doc, num, k)
    k = _scan_right(doc, num, fam)
    if k is not None:
        return _bind(doc, num, k)
    start = num.metric_first if num.metric_first is not None and num.metric_first < num.i else num.i
    for k in range(start - 1, s0 - 1, -1):
        t = doc.toks[k]
        if t.kind == "DS" and _fits(t, fam):
            return _bind(doc, num, k)
    if num.inherited_from is not None and num.inherited_from.dataset and \
            (fam is None or num.inherited_from.families & fam):
        num.dataset, num.families = num.inherited_from.dataset, num.inherited_from.families
        return True
    for r in reversed(resolved):
        if r.dataset and (fam is None or r.families & fam):
            num.dataset, num.families = r.dataset, r.families
            return True
    for k in range(s0 - 1, -1, -1):
        t = doc.toks[k]
        if t.kind == "DS" and _fits(t, fam):
            num.dataset, num.families = t.canonical, t.families
            return True
    for m in _DATASET_RE.finditer(doc.title):
        name = _DATASET_NAMES[int(m.lastgroup[1:])]
        if name.role == EVAL and (fam is None or name.families & fam):
            num.dataset, num.families = name.canonical, name.families
            return True
    return False


def _respectively(doc: _Abstract, sent: tuple[int, int], resolved: list[_Num]) -> None:
    """ "2.86% and 15.85% on CIFAR-10 and CIFAR-100 respectively": a list of values and a list of datasets of the
    same length pair up in order."""
    s0, s1 = sent
    marks = [k for k in range(s0, s1) if doc.toks[k].low == "respectively"]
    if not marks:
        return
    r = marks[0]
    values = [n for n in resolved if s0 <= n.i < r and not n.is_baseline]
    runs: list[list[_Num]] = []
    for n in values:
        if runs and all(doc.skippable(m) or doc.toks[m].text in (",", "/") or doc.toks[m].low in ("and", "or")
                        for m in range(runs[-1][-1].i + 1, n.i)):
            runs[-1].append(n)
        else:
            runs.append([n])
    runs = [run for run in runs if len(run) > 1]
    if not runs:
        return
    run = runs[-1]
    lists: list[list[int]] = []
    for k in range(s0, r):
        t = doc.toks[k]
        if t.kind != "DS" or t.role != EVAL:
            continue
        if lists and all(doc.skippable(m) or doc.toks[m].text in (",", "/") or doc.toks[m].low in ("and", "the")
                         for m in range(lists[-1][-1] + 1, k)):
            lists[-1].append(k)
        else:
            lists.append([k])
    fitting = [ds for ds in lists if len(ds) == len(run)]
    if not fitting:
        return
    chosen = min(fitting, key=lambda ds: abs(ds[0] - run[0].i))
    fam = _metric_family(run[0])
    if all(_fits(doc.toks[k], fam) for k in chosen):
        for n, k in zip(run, chosen):
            _bind(doc, n, k)


def _bind(doc: _Abstract, num: _Num, k: int) -> bool:
    t = doc.toks[k]
    num.dataset_tok, num.dataset, num.families = k, t.canonical, t.families
    return True


def _scan_right(doc: _Abstract, num: _Num, fam: frozenset[str] | None) -> int | None:
    """The first fitting evaluation dataset after the number, before its bracket closes, a ";", a comparison
    ("outperforming", "than", ...) or a metric of another kind."""
    s0, s1 = num.sent
    start = max(num.i, num.metric_last or num.i)
    paren = doc.enclosing_paren(num.i, s0)
    if paren is not None:
        close = doc.closing_paren(paren, s1)
        # "(87.8%)" right after a metric is transparent: read on after the bracket.
        inner = [k for k in range(paren + 1, close if close is not None else s1) if not doc.skippable(k)]
        if close is not None and inner == [num.i]:
            start = close
    depth = 0
    k = start + 1
    while k < s1:
        t = doc.toks[k]
        if t.kind == "PUNCT":
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                if depth == 0:
                    return None
                depth -= 1
            elif t.text == ";":
                return None
        elif t.kind == "WORD" and _RIGHT_STOP.match(t.low):
            return None
        elif t.kind == "MET" and t.base is not None and fam is not None and _METRIC_FAMILIES.get(t.base) is not None \
                and not (_METRIC_FAMILIES[t.base] & fam):
            return None
        elif t.kind == "DS" and _fits(t, fam) and not _heads_next_result(doc, k, s1):
            return k
        k += 1
    return None


_DATASET_PREPOSITIONS = {"on", "in", "for", "of", "at", "across", "the", "using", "over"}


def _heads_next_result(doc: _Abstract, k: int, end: int) -> bool:
    """A dataset named after "and" or a comma and followed by its own metric or value ("..., and SQuAD v2.0 Test F1
    to 83.1") belongs to the result that follows, not to the one before."""
    before = doc.prev(k, doc.sent_of[k][0])
    if before is not None and doc.toks[before].low in _DATASET_PREPOSITIONS:
        return False
    j = doc.next(k, end)
    for _ in range(4):
        if j is None:
            return False
        t = doc.toks[j]
        if t.kind == "MET" or (t.kind == "NUM" and j in doc.nums and doc.nums[j].status == "candidate"):
            return True
        if t.kind == "PUNCT":
            return False
        j = doc.next(j, end)
    return False


# -- whose number, which setting, which model, which quote -------------------------------------------------------

def _is_baseline(doc: _Abstract, num: _Num) -> bool:
    """A cited number: the "from" side of "from A to B", or a number whose clause holds a comparison
    ("outperforming DeiT (81.8%)", "than the previous record of 83.1%") not followed by "we"/"our"."""
    if num.from_to == "from":
        return True
    if num.from_to == "to":
        return False
    start = doc.scope_start(num.i)
    last_marker = None
    for k in range(start, num.i):
        t = doc.toks[k]
        if t.kind == "WORD" and (_COMPARISON.match(t.low) or (
                t.low in ("over", "upon") and k > start and _GAIN_WORD.match(doc.toks[k - 1].low))):
            last_marker = k
    if last_marker is None:
        return False
    after = [doc.toks[k] for k in range(last_marker + 1, num.i)]
    if any(t.kind == "WORD" and t.low in _FIRST_PERSON for t in after):
        return False
    for a, b in zip(after, after[1:]):
        if a.low == "and" and b.kind == "WORD" and _RESULT_VERBS.match(b.low):
            return False
    return True


def _scope_end(doc: _Abstract, num: _Num) -> int:
    """Token index (exclusive) where a number's clause ends on the right."""
    s0, s1 = num.sent
    depth = 0
    for k in range(num.i + 1, s1):
        t = doc.toks[k]
        if t.kind == "PUNCT" and t.text == "(":
            depth += 1
        elif t.kind == "PUNCT" and t.text == ")":
            depth -= 1
            if depth < 0:
                return k
        elif depth == 0 and t.kind == "PUNCT" and t.text in ",;":
            return k
        elif t.kind == "WORD" and _RIGHT_STOP.match(t.low):
            return k
        elif k in doc.nums and doc.nums[k].status == "candidate":
            return k
    return s1


def _clause_start(doc: _Abstract, num: _Num) -> int:
    """Where the words of this number begin: its bracket, or the word after the "and"/"/" that joins it to an
    earlier result ("85.5% ... for fine-tuning and 80.1% ... for linear probing"), or its clause."""
    s0 = num.sent[0]
    start = doc.scope_start(num.i)
    paren = doc.enclosing_paren(num.i, s0)
    if paren is not None and paren >= start:
        return paren
    if _follows_result(doc, start, s0):
        for k in range(num.i - 1, start - 1, -1):
            t = doc.toks[k]
            if t.low in ("and", "or") or t.text in ("/", ","):
                return k + 1
    return start


def _follows_result(doc: _Abstract, start: int, s0: int) -> bool:
    """Whether a clause starting at token `start` was cut off by an earlier result rather than by punctuation."""
    return start > s0 and (doc.toks[start - 1].kind == "NUM" or doc.toks[start - 1].text == ")")


def _setting(doc: _Abstract, num: _Num) -> str | None:
    """The setting named nearest to the number within its words; else one named earlier in the sentence before
    any other result ("Using an ensemble ...: reaching 4.9%"); else the setting of the result it is joined to."""
    s0, _ = num.sent
    start = _clause_start(doc, num)
    end = _scope_end(doc, num)
    a = doc.toks[start].start if start < num.i else num.tok.start
    b = doc.toks[end - 1].end if end - 1 > num.i else num.tok.end
    found = _nearest_setting(doc.text[a:num.tok.start], doc.text[num.tok.end:b])
    scope = doc.scope_start(num.i)
    if found is None and scope > s0:
        earlier = [k for k in range(s0, scope) if k in doc.nums and doc.nums[k].status == "candidate"]
        if not earlier:
            found = _nearest_setting(doc.text[doc.toks[s0].start:doc.toks[scope].start], "")
    if found is None and (num.coordinated or _follows_result(doc, scope, s0)):
        before = [n for k, n in sorted(doc.nums.items()) if k < num.i and n.sent == num.sent
                  and n.status == "candidate"]
        if before:
            found = before[-1].setting
    if found is None and num.inherited_from is not None and num.coordinated:
        found = num.inherited_from.setting
    return found


def _nearest_setting(left: str, right: str) -> str | None:
    best: tuple[int, str] | None = None
    fraction = bool(_LABEL_FRACTION.search(left + " " + right))
    for name, pattern in _SETTINGS:
        if name == "few-shot" and fraction:
            continue
        for m in pattern.finditer(left):
            d = len(left) - m.end()
            if best is None or d < best[0]:
                best = (d, name)
        for m in pattern.finditer(right):
            d = m.start()
            if best is None or d < best[0]:
                best = (d, name)
    return best[1] if best else None


def _model_like(t: _Tok) -> bool:
    return t.kind == "WORD" and t.text not in _MODEL_STOP and bool(_MODEL_RE.match(t.text)) \
        and not t.text.lower().startswith(("state-of", "top-", "single-", "multi-", "pre-", "self-", "semi-"))


def _model(doc: _Abstract, num: _Num) -> str | None:
    """The model a number belongs to: a model-like name in its own words, else after "with"/"using" to its right,
    else in its clause, else the model of the result it follows in the same sentence, else the nearest name before
    it in the sentence (not one being compared with), else the name a short title gives the paper. A baseline gets
    only a name from its own clause."""
    s0, _ = num.sent
    own = _clause_start(doc, num)
    start = doc.scope_start(num.i)
    for k in range(own, num.i):
        if _model_like(doc.toks[k]):
            return doc.toks[k].text
    end = _scope_end(doc, num)
    for k in range(num.i + 1, end):
        if doc.toks[k].kind == "WORD" and doc.toks[k].low in ("with", "using", "by"):
            for m in range(k + 1, min(k + 6, end)):
                if _model_like(doc.toks[m]):
                    return doc.toks[m].text
    for k in range(start, own):
        if _model_like(doc.toks[k]):
            return doc.toks[k].text
    if num.is_baseline:
        return None
    earlier = [n for k, n in sorted(doc.nums.items())
               if k < num.i and n.sent == num.sent and n.status == "candidate" and not n.is_baseline]
    if earlier and earlier[-1].model is not None:
        return earlier[-1].model
    for k in range(start - 1, s0 - 1, -1):
        if _model_like(doc.toks[k]) and not any(
                t.kind == "WORD" and (_COMPARISON.match(t.low) or _RIGHT_STOP.match(t.low))
                for t in doc.words_before(k, s0, 5)):
            return doc.toks[k].text
    return _model_from_title(doc.title)


def _model_from_title(title: str) -> str | None:
    """ "CoCa: Contrastive Captioners ..." -> "CoCa"; "...: FixEfficientNet" -> "FixEfficientNet"; "Mask R-CNN"."""
    parts = [p.strip() for p in title.split(":")]
    if len(parts) > 1:
        if 0 < len(parts[0].split()) <= 3:
            return parts[0]
        tail = parts[-1]
        if 0 < len(tail.split()) <= 3 and any(_MODEL_RE.match(w) for w in tail.split()):
            return tail
        return None
    words = title.split()
    return title.strip() if 0 < len(words) <= 3 and any(_MODEL_RE.match(w) for w in words) else None


_DATASET_TAIL = {"test", "val", "validation", "set", "dataset", "benchmark", "challenge", "task", "split",
                 "test-dev", "classification"}


def _quote(doc: _Abstract, num: _Num) -> str:
    """The words that state the claim: the number's clause (from its bracket, or from the word after the
    "and"/"/" that joins it to an earlier result), its metric phrase and its dataset when named nearby."""
    s0, s1 = num.sent
    start = _clause_start(doc, num)
    while start < num.i and doc.toks[start].kind == "PUNCT" and doc.toks[start].text in ",;:/":
        start += 1
    a = doc.toks[start].start if start < num.i else num.tok.start
    b = num.tok.end
    if doc.text[b:b + 1] == "$":
        b += 1
    for k in (num.metric_first, num.metric_last):
        if k is not None:
            a, b = min(a, doc.toks[k].start), max(b, doc.toks[k].end)
    if num.inherited_from is not None:
        end = _scope_end(doc, num)
        if end - 1 > num.i:
            b = max(b, doc.toks[end - 1].end)
    ds = num.dataset_tok
    if ds is not None and s0 <= ds < s1:
        if ds > num.i:
            last = ds
            while last + 1 < s1 and doc.toks[last + 1].low in _DATASET_TAIL:
                last += 1
            b = max(b, doc.toks[last].end)
        elif doc.toks[ds].start >= a:
            pass
        elif ds == num.paren_ds:
            a = doc.toks[ds].start
        elif doc.prev(ds, s0) == s0 and doc.toks[s0].low in ("on", "for", "in") and not any(
                k in doc.nums and doc.nums[k].status == "candidate" for k in range(ds, num.i)):
            a = doc.toks[s0].start  # "On CIFAR-10 itself, NASNet achieves 2.4% error rate"
    if doc.text[a:b].count("(") > doc.text[a:b].count(")"):
        close = doc.text.find(")", b)
        if close != -1 and close < doc.toks[s1 - 1].end:
            b = close + 1
    return doc.text[a:b].strip().rstrip(".,;:").rstrip()


def _canonical_metric(num: _Num) -> str:
    q = num.quals[min(num.qual_index, len(num.quals) - 1)] if num.quals else None
    base = num.base or "accuracy"
    classification = CLS in num.families
    if base == "accuracy":
        if q in ("top1", "top5"):
            return f"{q}_accuracy"
        return "top1_accuracy" if classification else "accuracy"
    if base == "error":
        if q in ("top1", "top5"):
            return f"{q}_error"
        if num.dataset == "ImageNet-1K":
            return "error_unspecified"
        return "top1_error" if classification else "error"
    if base in ("AP", "mAP", "AP50", "AP75"):
        if q in ("box", "mask"):
            return f"{q}_{base}"
        return f"box_{base}" if num.dataset in _BOX_BY_DEFAULT else base
    if base == "score":
        return f"{re.sub(r'[^a-z0-9]+', '_', num.dataset.lower()).strip('_')}_score" if num.dataset else "score"
    return base
