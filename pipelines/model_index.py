"""Papers with Code "model-index" metadata (`model-index`): results published inside model documentation and repos.

The format (https://github.com/paperswithcode/model-index, docs at https://model-index.readthedocs.io) is YAML:
`Collections` (a name and a `Paper`) and `Models`, each with a `Name`, an optional `In Collection`, `Metadata` and a
list of `Results`, each result a `Task`, a `Dataset` and `Metrics` {name: value}. Papers with Code ingested it from
repositories; timm's docs still carry it (e.g.
https://raw.githubusercontent.com/huggingface/pytorch-image-models/main/hfdocs/source/models/resnet.mdx, 63 files,
261 ImageNet results). One plain GET per file; the politeness itself lives in the shared HTTP client.

What the parser accepts, told apart by the location's suffix (.md/.mdx/.markdown, .yml/.yaml/.json) and otherwise by
content:
- a YAML (or JSON) file whose top level has a `Models` list;
- a markdown or MDX page carrying model-index YAML in HTML comments (`<!-- Type: model-index ... -->`, the form timm and
  the model-index examples use) or in ```yaml fences. Other comments and fences are ignored; one that looks like
  model-index (`Type: model-index` or `Models:`) but is not valid YAML is a parse error.
It does not follow `Import:` lists or `Metadata: path/to.yml` references (a parser does no I/O): an index file that
only imports others is a parse error that says to load the imported files, and a metadata path is kept as written.

What a row gets:
- one raw row per metric of every result, the value as written ("69.74%"; YAML numbers as their text);
- the paper from the model's `Paper`, else its collection's: a mapping with `Title` and `URL`, or a string that is
  an arXiv id ('1404.5997', read only when quoted, since YAML turns an unquoted 1905.11940 into a number and loses
  the zero), a URL or a title;
- `published` from a `Date` on the result, the model or the paper mapping, when one is there (timm's files have none,
  so the first sighting stands in);
- the extra-training-data flag from `Metadata: Training Data` when it lists the result's dataset: False when that is
  all it lists, True when it lists more (JFT-300M, IG-1B-Targeted, ...), None when the field is absent or does not name
  the dataset (a model trained on ImageNet and evaluated on ImageNet-V2 says nothing about extra data);
- `attributes`: the collection, the model's scalar fields (Code, Weights, README, ...) and its scalar `Metadata`
  (FLOPs, Parameters, ID, Crop Pct, Image Size, ...) plus `Training Data`, all as written.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote, urlsplit

import yaml

from pipelines.aliases import canonical_dataset
from pipelines.source import ParseError, RawRow, SourceSpec

SOURCE_NAME = "model-index"

MARKDOWN_SUFFIXES = (".md", ".mdx", ".markdown")
YAML_SUFFIXES = (".yml", ".yaml", ".json")
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_FENCE = re.compile(r"^[ \t]*```[ \t]*(?:yaml|yml)[ \t]*\n(.*?)^[ \t]*```", re.DOTALL | re.MULTILINE | re.IGNORECASE)
_LOOKS_LIKE_MODEL_INDEX = re.compile(r"^\s*(?:Type:\s*model-index\b|Models:)", re.MULTILINE)
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
# Keys of a model read into the row itself; its other scalar keys go to attributes.
_MODEL_KEYS_USED = {"Name", "Results", "Paper", "In Collection", "Metadata", "Date"}


def _yaml(text: str, location: str, where: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1} of the block" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParseError(SOURCE_NAME, location, f"{where}: invalid YAML{at}: {problem}") from None


def _is_markdown(location: str, text: str) -> bool:
    path = unquote(urlsplit(location).path).lower()
    if path.endswith(MARKDOWN_SUFFIXES):
        return True
    if path.endswith(YAML_SUFFIXES):
        return False
    return "<!--" in text or "```" in text


def _documents(text: str, location: str) -> list[tuple[str, dict]]:
    """(where, document) for every model-index document in the payload, in the order they appear."""
    if not _is_markdown(location, text):
        document = _yaml(text, location, "document")
        if not isinstance(document, dict) or "Models" not in document:
            if isinstance(document, dict) and "Import" in document:
                raise ParseError(SOURCE_NAME, location,
                                 f"an index that only imports other files (Import: {document['Import']}); "
                                 "load the imported files instead")
            keys = ", ".join(map(str, document)) if isinstance(document, dict) else type(document).__name__
            raise ParseError(SOURCE_NAME, location, f"no 'Models' list at the top level (found: {keys})")
        return [("document", document)]
    blocks = sorted([*_COMMENT.finditer(text), *_FENCE.finditer(text)], key=lambda match: match.start())
    documents = []
    for match in blocks:
        where = f"block at line {text.count(chr(10), 0, match.start()) + 1}"
        body = match.group(1)
        if not _LOOKS_LIKE_MODEL_INDEX.search(body):
            continue  # an ordinary comment or an unrelated YAML example
        document = _yaml(body, location, where)
        if isinstance(document, dict) and "Models" in document:
            documents.append((where, document))
    if not documents:
        raise ParseError(SOURCE_NAME, location,
                         "no model-index block (an HTML comment or a ```yaml fence with a 'Models' list)")
    return documents


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _paper(paper: object) -> dict[str, str | None]:
    if isinstance(paper, dict):
        title, url = paper.get("Title"), paper.get("URL")
        return {"paper_title": _text(title) or None, "paper_url": _text(url) or None, "arxiv_id": None}
    text = paper.strip() if isinstance(paper, str) else _text(paper)
    arxiv = _ARXIV_ID.match(text) if isinstance(paper, str) else None
    if arxiv:
        return {"paper_title": None, "paper_url": None, "arxiv_id": arxiv[1]}
    if text.startswith(("http://", "https://")):
        return {"paper_title": None, "paper_url": text, "arxiv_id": None}
    return {"paper_title": text or None, "paper_url": None, "arxiv_id": None}


def _extra_data(training_data: object, dataset: str) -> bool | None:
    if not isinstance(training_data, list):
        return None
    names = {canonical_dataset(str(name)) for name in training_data}
    target = canonical_dataset(dataset)
    if target not in names:
        return None
    return bool(names - {target})


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


def _attributes(model: dict, collection: str | None) -> dict[str, object]:
    attributes: dict[str, object] = {}
    if collection:
        attributes["collection"] = collection
    attributes.update({key: value for key, value in model.items() if key not in _MODEL_KEYS_USED and _scalar(value)})
    metadata = model.get("Metadata")
    if isinstance(metadata, dict):
        attributes.update({key: value for key, value in metadata.items() if _scalar(value)})
        if isinstance(metadata.get("Training Data"), list):
            attributes["Training Data"] = list(metadata["Training Data"])
    elif isinstance(metadata, str):
        attributes["Metadata"] = metadata  # a path to a metadata file, not followed
    return attributes


def _rows_of_document(document: dict, where: str, location: str) -> list[RawRow]:
    listed_collections = document.get("Collections") or []
    if not isinstance(listed_collections, list):
        raise ParseError(SOURCE_NAME, location, f"{where}: 'Collections' is not a list")
    collections = {str(entry.get("Name")): entry for entry in listed_collections if isinstance(entry, dict)}
    models = document["Models"]
    if not isinstance(models, list):
        raise ParseError(SOURCE_NAME, location, f"{where}: 'Models' is not a list")
    rows: list[RawRow] = []
    for index, model in enumerate(models, start=1):
        if not isinstance(model, dict) or not model.get("Name"):
            raise ParseError(SOURCE_NAME, location, f"{where}: model {index} has no 'Name'")
        name = _text(model["Name"]).strip()
        collection = model.get("In Collection")
        collection = _text(collection) if _scalar(collection) else None
        collection_entry = collections.get(collection, {}) if collection else {}
        paper = model.get("Paper") or collection_entry.get("Paper")
        paper_fields = _paper(paper) if paper else {}
        paper_date = paper.get("Date") if isinstance(paper, dict) else None
        metadata = model.get("Metadata") if isinstance(model.get("Metadata"), dict) else {}
        attributes = _attributes(model, collection)
        results = model.get("Results") or []
        if not isinstance(results, list):
            raise ParseError(SOURCE_NAME, location, f"{where}: model {name!r}: 'Results' is not a list")
        for number, result in enumerate(results, start=1):
            ref = f"{where}: model {name!r} result {number}"
            if not isinstance(result, dict):
                raise ParseError(SOURCE_NAME, location, f"{ref} is not a mapping")
            for key in ("Task", "Dataset", "Metrics"):
                if not result.get(key):
                    raise ParseError(SOURCE_NAME, location, f"{ref} has no {key!r}")
            if not isinstance(result["Metrics"], dict):
                raise ParseError(SOURCE_NAME, location, f"{ref}: 'Metrics' is not a mapping of name to value")
            dataset = _text(result["Dataset"])
            published = result.get("Date") or model.get("Date") or paper_date
            for metric, value in result["Metrics"].items():
                rows.append(RawRow(
                    task=_text(result["Task"]),
                    dataset=dataset,
                    metric=_text(metric),
                    model=name,
                    value=_text(value),
                    row_ref=ref,
                    published=_text(published) or None,
                    uses_additional_data=_extra_data(metadata.get("Training Data"), dataset),
                    attributes=dict(attributes),
                    **paper_fields,
                ))
    return rows


def parse_model_index(payload: bytes, location: str, **_options: str) -> list[RawRow]:
    """Every metric of every result in a model-index YAML file or markdown page; options are ignored."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(SOURCE_NAME, location, f"not UTF-8 text ({exc})") from None
    rows: list[RawRow] = []
    for where, document in _documents(text, location):
        rows.extend(_rows_of_document(document, where, location))
    if not rows:
        raise ParseError(SOURCE_NAME, location, "model-index found, but no model has any Results")
    return rows


# Not a full listing: one file documents some models of a board (timm's ImageNet results are spread over 63 pages), so a
# model missing from the next file loaded is not a model removed from the board.
SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="Papers with Code model-index YAML (model cards, repo docs such as timm's), plain or inside markdown",
    parse=parse_model_index,
    full_listing=False,
)
