"""timm's own ImageNet evaluation CSVs (`timm-csv`): one row per checkpoint, two metrics (top-1, top-5).

URL: https://raw.githubusercontent.com/huggingface/pytorch-image-models/main/results/results-imagenet.csv and its
siblings in the same folder (results-imagenet-real.csv, results-imagenetv2-matched-frequency.csv,
results-imagenet-a.csv, results-imagenet-a-clean.csv, results-imagenet-r.csv, results-imagenet-r-clean.csv,
results-sketch.csv). Older versions come from the repository's git history; before 2020 the ImageNet file was named
results-all.csv. A dated copy is recognised by a `@YYYY-MM-DD` before `.csv` (results-imagenet@2021-05-11.csv).

Limits: one plain GET of a static file on raw.githubusercontent.com per nightly run; it changes a few times a year, so
conditional requests (ETag) usually answer 304. The politeness itself lives in the shared HTTP client.

What the parser relies on:
- a header row naming the columns; columns are found by header name, never by position, because the order changed in
  2024 (img_size moved to the second column) and the header had the typo `cropt_pct` until 2023;
- the columns `model` and `top1` (required) and `top5` (optional); every other column except the `*_err` ones is kept
  in `attributes` as written (param_count "1,014.45", img_size, crop_pct, interpolation, and the variant files'
  top1_diff / top5_diff / rank_diff);
- the file name, for the dataset (a `dataset` option overrides it).

These are timm's re-evaluations of its own weights, not paper-reported results: there are no paper links and no
dates (`published` is None, so the first sighting stands in), and the extra-training-data flag is unknown (None).
Every row is a checkpoint of timm's own code, so `has_code` is true.
"""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote, urlsplit

from pipelines.source import ParseError, RawRow, SourceSpec

SOURCE_NAME = "timm-csv"
DEFAULT_URL = "https://raw.githubusercontent.com/huggingface/pytorch-image-models/main/results/results-imagenet.csv"

TASK = "Image Classification"
METRICS = {"top1": "Top 1 Accuracy", "top5": "Top 5 Accuracy"}

# File stem -> dataset, with Papers with Code's names where it has the dataset. The "-clean" files are the ImageNet-1k
# validation images of the 200 classes used by ImageNet-A / -R: a reference for those sets, not the sets themselves,
# so they get names of their own that say so.
DATASETS = {
    "results-imagenet": "ImageNet",
    "results-all": "ImageNet",  # the 2019 name of results-imagenet.csv
    "results-imagenet-real": "ImageNet ReaL",
    "results-imagenetv2-matched-frequency": "ImageNet V2",
    "results-imagenet-a": "ImageNet-A",
    "results-imagenet-a-clean": "ImageNet (ImageNet-A classes)",
    "results-imagenet-r": "ImageNet-R",
    "results-imagenet-r-clean": "ImageNet (ImageNet-R classes)",
    "results-sketch": "ImageNet-Sketch",
}

# Header spellings that mean the same column (the typo was fixed in 2023).
HEADER_ALIASES = {"cropt_pct": "crop_pct"}

# Name tokens that usually mean pretraining beyond ImageNet-1k (ImageNet-21k/22k/12k, JFT noisy student, Instagram,
# YFCC, LAION/CLIP, WebLI, Merged-38M, ...). A name is only a hint, not a statement of the source, so it goes into
# attributes["extra_data_hint"] and never into `uses_additional_data`.
EXTRA_DATA_TOKENS = frozenset({
    "in21k", "in22k", "in12k", "ns", "jft", "jft300m", "ig", "ig1b", "wsl", "swsl", "ssl", "semisl", "yfcc100m",
    "laion", "laion2b", "laion400m", "clip", "openai", "webli", "m38m", "merged2b", "dfn2b", "dfn5b", "metaclip",
    "swag", "bitm", "ssld", "seer", "m30m",
})

_FILE_NAME = re.compile(r"^(?P<stem>.+?)(?:@\d{4}-\d{2}-\d{2})?\.csv$", re.IGNORECASE)


def dataset_for_location(location: str) -> str | None:
    """The dataset a timm results file holds, from its file name (URL or path); None when the name is not known."""
    name = unquote(urlsplit(location).path).replace("\\", "/").rsplit("/", 1)[-1]
    match = _FILE_NAME.match(name)
    return DATASETS.get(match["stem"].lower()) if match else None


def extra_data_hint(model: str) -> list[str]:
    """The tokens of a timm model name that hint at extra training data, in the order they appear."""
    return [token for token in re.split(r"[._]", model.lower()) if token in EXTRA_DATA_TOKENS]


def parse_timm_csv(payload: bytes, location: str, **options: str) -> list[RawRow]:
    """Turn one timm results CSV into raw rows: top-1 and top-5 accuracy per checkpoint, values as written."""
    unknown = set(options) - {"dataset"}
    if unknown:
        raise ValueError(f"{SOURCE_NAME}: unknown options {sorted(unknown)} (known: dataset)")
    try:
        text = payload.decode("utf-8-sig")  # a byte-order mark would otherwise stick to the first header name
    except UnicodeDecodeError as exc:
        raise ParseError(SOURCE_NAME, location, f"not UTF-8 text ({exc})") from None

    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ParseError(SOURCE_NAME, location, "empty file: no header row")
    columns = [HEADER_ALIASES.get(name.strip().lower(), name.strip().lower()) for name in header]
    for required in ("model", "top1"):
        if required not in columns:
            raise ParseError(SOURCE_NAME, location, f"header has no {required!r} column (header: {','.join(header)})")
    dataset = options.get("dataset") or dataset_for_location(location)
    if not dataset:
        known = ", ".join(f"{stem}.csv" for stem in sorted(DATASETS))
        raise ParseError(SOURCE_NAME, location,
                         f"cannot tell the dataset from the file name (known: {known}); pass the dataset option")
    metric_columns = [column for column in METRICS if column in columns]
    # *_err is 100 - the accuracy: the same fact, so it is neither a row nor an attribute.
    kept = [c for c in columns if c not in ("model", *METRICS) and not c.endswith("_err")]

    rows: list[RawRow] = []
    for record in reader:
        if not record or all(not cell.strip() for cell in record):
            continue
        line = reader.line_num
        if len(record) != len(columns):
            # A short or long record means the columns can no longer be matched to the header.
            raise ParseError(SOURCE_NAME, location,
                             f"line {line} has {len(record)} fields, the header has {len(columns)}")
        cells = {column: value.strip() for column, value in zip(columns, record)}
        model = cells["model"]
        attributes: dict[str, object] = {c: cells[c] for c in kept if cells[c] != ""}
        if "img_size" in attributes:
            # Since 2024 a checkpoint can appear twice, evaluated at two resolutions (train and test size): the
            # resolution is part of what was measured, and tells the two rows apart.
            attributes["setting"] = f"img_size={attributes['img_size']}"
        hint = extra_data_hint(model)
        if hint:
            attributes["extra_data_hint"] = hint
        for column in metric_columns:
            rows.append(RawRow(
                task=TASK,
                dataset=dataset,
                metric=METRICS[column],
                model=model,
                value=cells[column],
                row_ref=f"line {line}",
                published=None,
                uses_additional_data=None,
                has_code=True,
                attributes=dict(attributes),
            ))
    if not rows:
        raise ParseError(SOURCE_NAME, location, "no data rows under the header")
    return rows


SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="timm's own top-1/top-5 evaluations of its checkpoints on ImageNet and its variants (results CSVs)",
    parse=parse_timm_csv,
    full_listing=True,
    default_url=DEFAULT_URL,
)
