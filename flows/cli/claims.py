"""`sota claims`: benchmark claims from arXiv abstracts, and the extractor's score against a labelled gold file.

    sota claims extract --jsonl ABSTRACTS.jsonl   one JSON line per claim (arxiv_id, dataset, metric, value, unit,
                                                  setting, model, is_baseline, quote)
    sota claims score --gold GOLD.jsonl           precision / recall / F1 of the paper's own claims, for ImageNet-1K
                                                  top-1/top-5 and for all claims, then every miss and false hit

Input files are JSON lines with at least `arxiv_id`, `title` and `abstract` (the gold file also `claims`, as described
in its PROVENANCE.txt). A file that cannot be read is reported in one line on stderr with exit status 2, before any
output. `claims_app` is mounted by the main CLI as `sota claims`.
"""
from __future__ import annotations

import json
from pathlib import Path

import typer

from flows.cli.shared import PlainHelpTyper

# the extractor and the scorer (their patterns take a while to compile) are imported when a claims command runs,
# not by every `sota` command, which all mount this app

claims_app = PlainHelpTyper(
    help="Benchmark claims extracted from arXiv abstracts, and the extractor's score against a gold file.\n\n"
    "\b\nExample: sota claims score --gold gold.jsonl",
)

EXIT_BAD_INPUT = 2


class InputFileError(ValueError):
    """An input file is missing, unreadable or not the expected JSON lines; the message is one line."""


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, not a JSON-lines file") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse_abstracts(text: str, location: str) -> list[dict[str, str]]:
    """The records of a JSON-lines file of abstracts; each needs string `arxiv_id`, `title` and `abstract`."""
    from pipelines.claims import json_objects

    records = []
    for where, record in json_objects(text, location, InputFileError):
        for name in ("arxiv_id", "title", "abstract"):
            if not isinstance(record.get(name), str):
                raise InputFileError(f"{where}: field {name!r} missing or not a string")
        records.append(record)
    return records


def _fail(message: str) -> SystemExit:
    # SystemExit rather than typer.Exit: click turns typer.Exit into a return value when the app runs with
    # standalone_mode=False (as the main CLI runs it), and the status would be lost; SystemExit passes through.
    typer.echo(f"error: {message}", err=True)
    return SystemExit(EXIT_BAD_INPUT)


@claims_app.command("extract")
def extract_command(
    jsonl: Path = typer.Option(..., "--jsonl", metavar="FILE", help="JSON lines with arxiv_id, title and abstract."),
) -> None:
    """Print one JSON line per claim found in each abstract, in file order.

    \b
    Example: sota claims extract --jsonl abstracts.jsonl
    """
    from pipelines.claims import extract_claims

    try:
        records = parse_abstracts(read_text(jsonl), str(jsonl))
    except InputFileError as exc:
        raise _fail(str(exc)) from None
    for record in records:
        for claim in extract_claims(record["title"], record["abstract"], record["arxiv_id"]):
            typer.echo(json.dumps(claim.to_dict(), ensure_ascii=False))


@claims_app.command("score")
def score_command(
    gold: Path = typer.Option(
        ..., "--gold", metavar="FILE", help="Labelled JSON lines (arxiv_id, title, abstract, claims)."
    ),
) -> None:
    """Run the extractor over the gold abstracts; print P/R/F1 per scope, every miss and every false hit.

    \b
    Example: sota claims score --gold gold.jsonl
    """
    from pipelines.claims import extract_claims
    from pipelines.claims import GoldFileError, format_report, parse_gold, score_claims

    try:
        papers = parse_gold(read_text(gold), str(gold))
    except (InputFileError, GoldFileError) as exc:
        raise _fail(str(exc)) from None
    predicted = [c for p in papers for c in extract_claims(p.title, p.abstract, p.arxiv_id)]
    typer.echo(format_report(score_claims(papers, predicted)))
