"""ILSVRC winners per challenge year, 2010-2017 (`ilsvrc-csv`): top-1 and top-5 error of each year's winning entry.

URL: https://raw.githubusercontent.com/skaltman/ai-progress/5ae8989c45256e839c604e1548015431d373f7d3/data-raw/imagenet.csv
(in the shared data as `ilsvrc-winners/imagenet.csv`). A static file of eight rows that will not change: one plain GET
when loaded, nothing nightly; the politeness itself lives in the shared HTTP client.

What the parser relies on:
- a header naming the columns `year`, `t5error` and `t1error` (found by name, never by position); the errors are
  FRACTIONS (0.16422), written out as percent text ("16.422%") by moving the decimal point, so no float rounding;
- `compute` is kept in `attributes` as written (the file does not state its unit; its values are of the order of the
  petaflop-day figures in `compute_sota.csv` beside it); "NaN" (2016) means not known and is left out;
- `logt5error` is ln(t5error), the same fact again, so it is neither a row nor an attribute.

What the figures are. The top-5 errors are the classification errors of the winning entries on each year's ILSVRC
TEST set, as the challenge's results pages list them (test-set errors: lower is better, and not comparable with the
validation-set accuracies of the ImageNet leaderboards, which is why they are error metrics of their own here). The
challenge ranked classification by top-5 error only, and the file does not say where its top-1 figures come from:
they match numbers in the winners' papers on other evaluation sets (0.375 is AlexNet's top-1 error on the ILSVRC-2010
test set, 0.1938 is ResNet-152's single-model top-1 error on the validation set), so each top-1 row says so in
`attributes["evaluation"]`. The 2014 figures are VGG's (0.07405, winner of localisation, second in classification),
not GoogLeNet's (0.06656, the classification winner): the row is named after the entry whose numbers it carries.

The published date is the challenge year (year precision); there are no paper links, and the extra-training-data flag
is unknown (None): the file does not say.
"""
from __future__ import annotations

import csv
import io

from pipelines.source import ParseError, RawRow, SourceSpec
from pipelines.values import fraction_to_percent

SOURCE_NAME = "ilsvrc-csv"
DEFAULT_URL = (
    "https://raw.githubusercontent.com/skaltman/ai-progress/5ae8989c45256e839c604e1548015431d373f7d3/data-raw/imagenet.csv"
)

TASK = "Image Classification"
# The challenge's own test set: a benchmark of its own, never folded into the ImageNet validation board.
DATASET = "ILSVRC"
# Column -> metric, in the order the rows are emitted (top-1 first, as the other ImageNet sources do).
METRICS = {"t1error": "Top 1 Error", "t5error": "Top 5 Error"}
EVALUATION = {
    "t5error": "ILSVRC test set (challenge results)",
    "t1error": "not stated by the file (figures from the entry's paper, on varied evaluation sets)",
}

# The entry whose figures each year's row carries, from the ILSVRC results pages
# (https://image-net.org/challenges/LSVRC/2010/results, .../2011/results, .../2012/results.html,
# .../2013/results.php, .../2014/index, .../2015/results, .../2016/results, .../2017/results; the same pages that
# pwc-sota-extractor's eff.json cites for these numbers). Team names are the challenge's; the architecture the team
# published comes first where it is better known. A year missing here is named "ILSVRC <year> winner".
ENTRIES = {
    "2010": "NEC-UIUC",
    "2011": "XRCE",
    "2012": "AlexNet (SuperVision)",
    "2013": "ZFNet (Clarifai)",
    "2014": "VGG",  # the file's 0.07405 is VGG's; GoogLeNet won classification with 0.06656
    "2015": "ResNet (MSRA)",
    "2016": "Trimps-Soushen",
    "2017": "SENet (WMW)",
}


def parse_ilsvrc_csv(payload: bytes, location: str, **_options: str) -> list[RawRow]:
    """One raw row per year and metric (top-1 error, top-5 error), values as percent text; options are ignored."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(SOURCE_NAME, location, f"not UTF-8 text ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ParseError(SOURCE_NAME, location, "empty file: no header row")
    columns = [name.strip().lower() for name in header]
    for required in ("year", *METRICS):
        if required not in columns:
            raise ParseError(SOURCE_NAME, location, f"header has no {required!r} column (header: {','.join(header)})")

    rows: list[RawRow] = []
    for record in reader:
        if not record or all(not cell.strip() for cell in record):
            continue
        line = reader.line_num
        if len(record) != len(columns):
            raise ParseError(SOURCE_NAME, location, f"line {line} has {len(record)} fields, the header has {len(columns)}")
        cells = {column: value.strip() for column, value in zip(columns, record)}
        year = cells["year"]
        attributes: dict[str, object] = {}
        if cells.get("compute") and cells["compute"].lower() != "nan":
            attributes["compute"] = cells["compute"]
        for column, metric in METRICS.items():
            rows.append(RawRow(
                task=TASK,
                dataset=DATASET,
                metric=metric,
                model=ENTRIES.get(year, f"ILSVRC {year} winner"),
                value=fraction_to_percent(cells[column]),
                row_ref=f"line {line}",
                published=year,
                attributes={**attributes, "evaluation": EVALUATION[column]},
            ))
    if not rows:
        raise ParseError(SOURCE_NAME, location, "no data rows under the header")
    return rows


SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="ILSVRC winners 2010-2017: top-1/top-5 error of each year's winning entry (test-set top-5)",
    parse=parse_ilsvrc_csv,
    full_listing=True,
    default_url=DEFAULT_URL,
)
