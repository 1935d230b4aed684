"""RobustBench leaderboards (`robustbench-html`): one HTML table per dataset and threat model.

URL: https://robustbench.github.io/imagenet/Linf.html (the default) and its siblings cifar10/Linf.html,
cifar10/L2.html, cifar10/corruptions.html, cifar100/Linf.html, cifar100/corruptions.html, imagenet/corruptions.html.
These are the fragments that https://robustbench.github.io/index.html loads with jQuery (`$(...).load("./cifar10/
Linf.html")`); index.html itself holds no table, so it is a parse error here, naming the fragments to fetch instead.
Dated versions come from the site's git history (RobustBench/robustbench.github.io, `<dataset>/<threat>.html`).

Limits: static files on GitHub Pages, one GET per board per nightly run; they change a few times a month at most, so
conditional requests usually answer 304. The politeness itself lives in the shared HTTP client.

Page elements relied on (cells are read by class, never by position, because columns were added in 2021):
- `<table id="<dataset>_leaderboard_<threat>">` (e.g. `imagenet_leaderboard_Linf`): the board;
- per `<tr>`: `td.ranktd` (rank), `td.methoddt` (its first `<a>`: paper title and link; `span.td-footer`: a note),
  `td.catd` (clean accuracy), `td.aatd` (AutoAttack robust accuracy; on the corruptions boards the accuracy on the
  corrupted set), optional `td.aatd_3d` (ImageNet-3DCC accuracy), `td.aa-extd` (best known robust accuracy),
  `td.flagsd` (AutoAttack evaluation potentially unreliable), `td.datatd` (extra data: &#10003; / &#9745; yes,
  &#215; no), `td.archtd` (architecture), `td.venuetd` (venue with a month or year: "arXiv, Jun 2024",
  "NeurIPS 2020"). Any other `td` class is kept in attributes under its class name.
"""
from __future__ import annotations

import re
from collections import Counter

from bs4 import BeautifulSoup, Tag

from pipelines.source import ParseError, RawRow, SourceSpec
from pipelines.values import arxiv_id_from_url

SOURCE_NAME = "robustbench-html"
DEFAULT_URL = "https://robustbench.github.io/imagenet/Linf.html"

# Task names follow Papers with Code where it had these boards: its 2020-08-28 dump files robust accuracy on CIFAR-10
# and ImageNet under "Adversarial Defense", and ImageNet-C under "Domain Generalization".
TASK_ADVERSARIAL = "Adversarial Defense"
TASK_CORRUPTIONS = "Domain Generalization"

DATASETS = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "imagenet": "ImageNet"}

# The threat model goes into the dataset name, as RobustBench names its boards ("CIFAR-10 (Linf)"), not into the
# metric: a board is one (dataset, threat model) pair whose models were trained for that threat, so its clean accuracy
# belongs to the board too. One page is then exactly one benchmark per metric, which keeps a full listing's removals
# within its own board, and the same paper on the Linf and L2 boards (with different numbers) stays two claims.
THREATS = {"Linf": "Linf", "L2": "L2", "corruptions": "Corruptions"}

# The perturbation budgets are not in the table fragments; index.html states them in each board's heading
# ("CIFAR-10, l_inf = 8/255"). They have not changed since RobustBench started, so they are kept here as attributes.
EPSILONS = {("cifar10", "Linf"): "8/255", ("cifar10", "L2"): "0.5", ("cifar100", "Linf"): "8/255",
            ("imagenet", "Linf"): "4/255"}

# The corrupted test sets behind the corruptions boards' robust accuracy columns.
CORRUPTION_SETS = {"cifar10": "CIFAR-10-C", "cifar100": "CIFAR-100-C", "imagenet": "ImageNet-C"}

YES_MARKS = frozenset({"\u2713", "\u2714", "\u2611", "\u2705"})  # check marks and the ballot box with check (&#9745;)
NO_MARKS = frozenset({"\u00d7", "\u2717", "\u2718", "\u2610"})  # multiplication sign (&#215;), ballot x, empty box

REQUIRED_CELLS = ("ranktd", "methoddt", "catd", "aatd")
KNOWN_CELLS = frozenset({*REQUIRED_CELLS, "aa-extd", "flagsd", "datatd", "archtd", "venuetd"})

_TABLE_ID = re.compile(r"^(?P<dataset>[A-Za-z0-9]+)_leaderboard_(?P<threat>[A-Za-z0-9_]+)$")
def _text(node: Tag | None) -> str:
    # get_text(" ") so that "GitHub,<br>Oct 2019" keeps a space, then collapse the template's indentation.
    return " ".join(node.get_text(" ").split()) if node is not None else ""


def _mark(text: str) -> bool | None:
    """A yes/no mark as a flag; None when the cell says something else ("Unknown", empty)."""
    if text in YES_MARKS:
        return True
    if text in NO_MARKS:
        return False
    return None


def _cells(row: Tag) -> dict[str, Tag]:
    cells: dict[str, Tag] = {}
    for td in row.find_all("td", recursive=False):
        for cls in td.get("class") or ():
            cells.setdefault(cls, td)
    return cells


def _method(cell: Tag) -> tuple[str, str | None, str | None]:
    """(title, link, note) of a method cell; the note's own links (to other papers) are not the paper's link."""
    footer = cell.find("span", class_="td-footer")
    note = _text(footer) or None
    link = cell.find("a", recursive=False)
    if link is not None:
        return _text(link), (link.get("href") or None), note
    parts = [child for child in cell.children if child is not footer]
    title = " ".join(" ".join((p.get_text(" ") if isinstance(p, Tag) else str(p)) for p in parts).split())
    return title, None, note


def _board(table: Tag, location: str) -> tuple[str, str, str, str, dict[str, str]]:
    """(task, dataset, dataset key, threat, metric per value cell class) of a leaderboard table, from its id."""
    table_id = table["id"]
    match = _TABLE_ID.match(table_id)
    key, threat = match["dataset"], match["threat"]
    if threat not in THREATS:
        raise ParseError(SOURCE_NAME, location,
                         f"table {table_id!r} has an unknown threat model {threat!r} (known: {', '.join(THREATS)})")
    dataset = f"{DATASETS.get(key, key)} ({THREATS[threat]})"
    if threat == "corruptions":
        corrupted = CORRUPTION_SETS.get(key, f"{DATASETS.get(key, key)}-C")
        metrics = {"catd": "Clean Accuracy", "aatd": f"Robust Accuracy ({corrupted})",
                   "aatd_3d": f"Robust Accuracy ({DATASETS.get(key, key)}-3DCC)"}
        return TASK_CORRUPTIONS, dataset, key, threat, metrics
    return TASK_ADVERSARIAL, dataset, key, threat, {"catd": "Clean Accuracy", "aatd": "AutoAttack Robust Accuracy"}


def parse_robustbench(payload: bytes, location: str, **options: str) -> list[RawRow]:
    """Turn one RobustBench leaderboard fragment into raw rows: clean and robust accuracy per entry, as written."""
    if options:
        raise ValueError(f"{SOURCE_NAME}: takes no options (got {sorted(options)})")
    try:
        markup: str | bytes = payload.decode("utf-8")
    except UnicodeDecodeError:
        markup = payload  # let BeautifulSoup sniff the encoding
    soup = BeautifulSoup(markup, "lxml")
    tables = soup.find_all("table", id=_TABLE_ID)
    if not tables:
        raise ParseError(SOURCE_NAME, location,
                         "no leaderboard table (<table id=\"<dataset>_leaderboard_<threat>\">); "
                         "the site's index.html loads the boards from <dataset>/<threat>.html")

    rows: list[RawRow] = []
    for table in tables:
        rows.extend(_parse_table(table, location))
    return rows


def _parse_table(table: Tag, location: str) -> list[RawRow]:
    table_id = table["id"]
    task, dataset, key, threat, metrics = _board(table, location)
    body = table.find("tbody") or table
    entries = [tr for tr in body.find_all("tr") if tr.find("td", recursive=False) is not None]
    if not entries:
        raise ParseError(SOURCE_NAME, location, f"table {table_id!r} has no rows")

    rows: list[RawRow] = []
    seen: Counter[tuple[str, str]] = Counter()
    for number, tr in enumerate(entries, start=1):
        cells = _cells(tr)
        for required in REQUIRED_CELLS:
            if required not in cells:
                raise ParseError(SOURCE_NAME, location,
                                 f"table {table_id!r} row {number} has no <td class=\"{required}\">")
        rank = _text(cells["ranktd"])
        title, link, note = _method(cells["methoddt"])
        architecture = _text(cells.get("archtd")) or None
        venue = _text(cells.get("venuetd")) or None
        extra_text = _text(cells.get("datatd"))
        extra = _mark(extra_text)

        attributes: dict[str, object] = {"rank": rank, "threat_model": threat}
        if (key, threat) in EPSILONS:
            attributes["eps"] = EPSILONS[(key, threat)]
        if architecture:
            attributes["architecture"] = architecture
        if venue:
            attributes["venue"] = venue
        if note:
            attributes["note"] = note
        if extra is None and extra_text:
            attributes["extra_data_mark"] = extra_text  # a mark we do not know: keep it, claim nothing
        if "aa-extd" in cells:
            attributes["best_known_robust_accuracy"] = _text(cells["aa-extd"])
        if "flagsd" in cells:
            attributes["aa_eval_potentially_unreliable"] = _mark(_text(cells["flagsd"]))
        for cls, td in cells.items():
            if cls not in KNOWN_CELLS and cls not in metrics:
                attributes[cls] = _text(td)
        # One paper often has several entries on a board (architectures, extra data, training variants), and the
        # page gives no model id, so the title alone is not a key. The setting (architecture, extra data, then the
        # order of appearance among entries still alike, which follows their robust accuracy) tells them apart; it
        # changes only when an entry of the same paper and setting is added above it.
        setting = architecture or ""
        if extra:
            setting = f"{setting}, extra data" if setting else "extra data"
        seen[(title, setting)] += 1
        if seen[(title, setting)] > 1:
            setting = f"{setting} #{seen[(title, setting)]}".strip()
        attributes["setting"] = setting

        # "N/A" is RobustBench's venue for its own baselines: no date to keep.
        published = venue if venue and venue.upper() != "N/A" else None
        for cls, metric in metrics.items():
            if cls not in cells:
                continue
            rows.append(RawRow(
                task=task,
                dataset=dataset,
                metric=metric,
                model=title,
                value=_text(cells[cls]),
                row_ref=f"{table_id} row {number} (rank {rank})",
                paper_title=title or None,
                paper_url=link,
                arxiv_id=arxiv_id_from_url(link),
                published=published,
                uses_additional_data=extra,
                attributes=dict(attributes),
            ))
    return rows


def listing_of(row: RawRow) -> str:
    """The leaderboard table a row comes from: RobustBench ranks each by its robust accuracy, best first."""
    return row.row_ref.split(" row ", 1)[0]


SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="RobustBench leaderboards: clean and AutoAttack robust accuracy per dataset and threat model (HTML)",
    parse=parse_robustbench,
    full_listing=True,
    default_url=DEFAULT_URL,
    ranked_listing=listing_of,
)
