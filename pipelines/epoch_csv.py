"""Epoch AI's language-model benchmark tables (`epoch-csv`): a board per benchmark, model release dates as `published`.

Data: the `data/` folder of epoch-research/benchmark-stitching (Epoch AI's exports for "A Rosetta Stone for AI
Benchmarks"), in the shared data as `epoch-benchmarks-2025/`; one file's URL, for instance:
https://raw.githubusercontent.com/epoch-research/benchmark-stitching/main/data/external_benchmark_mmlu.csv. Two kinds of payload:
- one CSV file, named as upstream (a dated copy may add `@YYYY-MM-DD` before `.csv`);
- a zip holding the folder (the default URL, GitHub's archive of the repository), read as a whole: every board in it,
  with the release dates of `model_versions.csv` joined on. The dates live only in that file, and a parser sees one
  payload, so a single board file loads without dates (`published` None: the first sighting stands in).
One plain GET per payload; the files change a few times a month. The politeness itself lives in the shared HTTP client.

Which files are boards:
- `external_benchmark_<name>.csv`: results Epoch collected from papers and leaderboards, one benchmark per file. The
  score column(s) read are the ones Epoch's own loader reads (`data_loader.py` in the same repository), one per file,
  plus ARC's Easy score; every other non-empty cell is kept in `attributes` under its header as written (Name, Shots,
  Agent, Notes, sub-scores, standard errors, costs, ...). `Source` and `Source link` are the paper title and URL.
- `benchmarks_runs.csv`: Epoch's own evaluation runs, several benchmarks in one file (its `task` column names the
  benchmark, e.g. "GPQA diamond"); the score is a fraction ("0.850"), written out as percent text ("85.0%"), with the
  standard error its `Scores` cell gives the scorer that scored best ("choice:0.85±0.02": `stderr` 2.0, in percent
  points; `pipelines.epoch_scores`). `epoch-runs` reads the same file one row per scorer.
- Not boards, a parse error if given alone: `model_versions.csv` (the model table: release dates, links; read from a
  zip for the dates), `benchmark_optim.csv` (benchmark metadata), `distilled_models.csv` (model metadata),
  `all_ai_models.csv` (Epoch's model database). In a zip these are skipped; any other CSV is a parse error, so a new
  benchmark file is added to the table below rather than silently ignored.

What else the parser relies on: a header row (a UTF-8 byte-order mark is expected); columns found by name; quoted
cells may hold newlines (a record's row_ref is the line it starts on). The model is the `Model version` column
(Epoch's model id, the key of `model_versions.csv`), else the file's display-name column. Epoch lists the same model
several times per board (different papers, shot counts, agents, or the same result twice), so each row's own record id
(`id`, or the file's UUID column) is its `claim` attribute: the claim is Epoch's record, stable across exports. A model
id's setting suffix ("o3-2025-04-16_high", "claude-opus-4-20250514_16K") is the row's `setting` and not part of the
model's name (`pipelines.llm_names`), so that one model's results from Epoch and from other sources are one model.

Limits: `published` is the model's release date (day precision), not the date the score was published; a score a
later paper reported for an old model is dated by the model. The extra-training-data flag is unknown (None).
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from pipelines.csv_records import csv_records, csv_text, require_columns
from pipelines.epoch_scores import best_score_stderr
from pipelines.llm_names import split_llm_name
from pipelines.source import ParseError, RawRow, SourceSpec
from pipelines.values import fraction_to_percent

SOURCE_NAME = "epoch-csv"
DEFAULT_URL = "https://github.com/epoch-research/benchmark-stitching/archive/refs/heads/main.zip"

# The task of a board. Papers with Code filed each benchmark under a task of its own; where it had the benchmark, its
# task (and dataset spelling) is used so Epoch's rows land on the same board as PwC's: ARC, BoolQ, LAMBADA,
# OpenBookQA, PIQA and TriviaQA as the 2020 PwC dump files them; MMLU, GSM8K, HellaSwag, WinoGrande, ANLI and ScienceQA
# as PwC's later pages did. The other benchmarks (agent suites, arenas, Epoch's own runs) had no PwC task: they share
# one generic task, and the dataset tells the boards apart.
GENERIC_TASK = "Language Model Evaluation"


@dataclass(frozen=True)
class Board:
    """How one file is read: the task, the score column(s) with the dataset each scores, the model columns in order
    of preference (the first is the release-date key), and the column holding Epoch's record id."""

    task: str
    scores: tuple[tuple[str, str | None], ...]  # (column, dataset); None: the dataset is in `dataset_column`
    models: tuple[str, ...] = ("Model version", "Name")
    record: str = "id"
    dataset_column: str | None = None
    fraction: bool = False  # scores are fractions of 1, written out as percent text


def _board(task: str, column: str, dataset: str, **how: object) -> Board:
    return Board(task, ((column, dataset),), **how)


# external_benchmark_<name>.csv -> how to read it.
EXTERNAL: dict[str, Board] = {
    "aider_polyglot": _board(GENERIC_TASK, "Percent correct", "Aider Polyglot", models=("Model version",)),
    "anli": _board("Natural Language Inference", "Score", "ANLI"),
    "arc_agi": _board(GENERIC_TASK, "Score", "ARC-AGI"),
    "arc_ai2": Board("Common Sense Reasoning", (("Challenge score", "ARC (Challenge)"), ("Easy score", "ARC (Easy)"))),
    "balrog": _board(GENERIC_TASK, "Average progress", "BALROG", models=("Model version",)),
    "bbh": _board(GENERIC_TASK, "Average", "BIG-Bench Hard"),
    "boolq": _board("Question Answering", "Score", "BoolQ"),
    "cadeval": _board(GENERIC_TASK, "Overall pass (%)", "CadEval"),
    "csqa2": _board(GENERIC_TASK, "Score", "CommonsenseQA 2.0"),
    "cybench": _board(GENERIC_TASK, "Unguided % Solved", "Cybench", models=("Model version",)),
    "deepresearch": _board(GENERIC_TASK, "Average score", "DeepResearch Bench", models=("Model version",)),
    "factorio_learning_environment": _board(GENERIC_TASK, "Lab Success %", "Factorio Learning Environment",
                                            models=("Model version",)),
    "fictionlivebench": _board(GENERIC_TASK, "16k token score", "Fiction.LiveBench", models=("Model version",)),
    "geobench": _board(GENERIC_TASK, "ACW Country %", "GeoBench", models=("Model version",)),
    "gsm8k": _board("Arithmetic Reasoning", "EM", "GSM8K"),
    "gso_bench": _board(GENERIC_TASK, "Score OPT@1", "GSO", models=("Model version",)),
    "hellaswag": _board("Sentence Completion", "Overall accuracy", "HellaSwag"),
    "lambada": _board("Language Modelling", "Score", "LAMBADA"),
    "lech_mazur_writing": _board(GENERIC_TASK, "Mean score", "Lech Mazur Writing", models=("Model version",),
                                 record="ID"),
    # LiveBench's own model name is in its `id` column (the record id is UUID).
    "livebench": _board(GENERIC_TASK, "Global average", "LiveBench", models=("Model version", "id"), record="UUID"),
    "mcbench": _board(GENERIC_TASK, "Win rate", "MC-Bench", record="UUID"),
    # Minutes of human work a model completes half the time: more is better, although the name says "time".
    "metr": _board(GENERIC_TASK, "Time horizon", "METR Time Horizons", models=("Model version",)),
    "mmlu": _board("Multi-task Language Understanding", "EM", "MMLU"),
    "openbookqa": _board("Common Sense Reasoning", "Accuracy", "OpenBookQA"),
    # The only file without a record id; its Agent column is what tells two entries of one model apart.
    "os_world": _board(GENERIC_TASK, "Score", "OSWorld", models=("Model version", "Agent"), record="Agent"),
    "osuniverse": _board(GENERIC_TASK, "Weighted Score", "OSUniverse"),
    "piqa": _board("Common Sense Reasoning", "Score", "PIQA"),
    "scienceqa": _board("Science Question Answering", "Score", "ScienceQA"),
    "simple_bench": _board(GENERIC_TASK, "Score (AVG@5)", "SimpleBench", models=("Model version",)),
    "superglue": _board(GENERIC_TASK, "Score", "SuperGLUE"),
    "terminal_bench": _board(GENERIC_TASK, "Accuracy mean", "Terminal-Bench", models=("Model version", "Agent")),
    "the_agent_company": _board(GENERIC_TASK, "% Resolved", "TheAgentCompany", models=("Model version", "Model"),
                                record="UUID"),
    "triviaqa": _board("Question Answering", "EM", "TriviaQA"),
    "videomme": _board(GENERIC_TASK, "Overall (no subtitles)", "Video-MME"),
    "vpct": _board(GENERIC_TASK, "Correct", "VPCT", models=("Model version",)),
    "weirdml": _board(GENERIC_TASK, "Accuracy", "WeirdML", models=("Model version",)),
    "winogrande": _board("Common Sense Reasoning", "Accuracy", "WinoGrande"),
}
RUNS = Board(GENERIC_TASK, (("Best score (across scorers)", None),), models=("model",), dataset_column="task",
             fraction=True)
MODEL_TABLE = "model_versions.csv"
NOT_BOARDS = {
    MODEL_TABLE: "the model table (release dates, links) the boards refer to; in a zip with the boards it dates them",
    "benchmark_optim.csv": "benchmark metadata (release dates, optimisation and coding/math flags)",
    "distilled_models.csv": "model metadata (whether a model is distilled)",
    "all_ai_models.csv": "Epoch's database of AI models",
}
_FILE_NAME = re.compile(r"^(?P<stem>.+?)(?:@\d{4}-\d{2}-\d{2})?\.csv$", re.IGNORECASE)
_EXTERNAL_PREFIX = "external_benchmark_"


def _decode(payload: bytes, location: str, name: str) -> str:
    return csv_text(payload, source=SOURCE_NAME, location=location, name=name)


def _board_for(name: str, location: str) -> Board:
    match = _FILE_NAME.match(name)
    stem = match["stem"] if match else name
    if stem == "benchmarks_runs":
        return RUNS
    if stem.startswith(_EXTERNAL_PREFIX) and stem[len(_EXTERNAL_PREFIX):] in EXTERNAL:
        return EXTERNAL[stem[len(_EXTERNAL_PREFIX):]]
    if f"{stem}.csv" in NOT_BOARDS:
        raise ParseError(SOURCE_NAME, location, f"{name} is not a leaderboard: {NOT_BOARDS[stem + '.csv']}")
    if stem.startswith(_EXTERNAL_PREFIX):
        raise ParseError(SOURCE_NAME, location, f"{name}: a benchmark file this parser does not know yet (add it to "
                                                "pipelines.epoch_csv.EXTERNAL with its score column)")
    raise ParseError(SOURCE_NAME, location, f"{name}: not an Epoch benchmark file name (expected benchmarks_runs.csv "
                                            f"or {_EXTERNAL_PREFIX}<benchmark>.csv)")


def _table(text: str, name: str, location: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    return csv_records(text, source=SOURCE_NAME, location=location, name=name)


def _require(columns: list[str], needed: list[str], name: str, location: str) -> None:
    require_columns(columns, needed, source=SOURCE_NAME, location=location, name=name)


def release_dates(payload: bytes, location: str) -> dict[str, str]:
    """Model version id -> its release date as written ("2024-04-18"), from model_versions.csv."""
    columns, records = _table(_decode(payload, location, MODEL_TABLE), MODEL_TABLE, location)
    _require(columns, ["id", "Version release date"], MODEL_TABLE, location)
    return {cells["id"]: cells["Version release date"] for _line, cells in records
            if cells["id"] and cells["Version release date"]}


def _rows_of_board(text: str, name: str, board: Board, dates: dict[str, str], location: str, ref: str) -> list[RawRow]:
    columns, records = _table(text, name, location)
    _require(columns, [column for column, _ in board.scores] + [board.dataset_column or board.models[0]], name,
             location)
    link = next((column for column in columns if column.lower().startswith("source link")), None)
    # Read into the row itself; every other non-empty cell is an attribute.
    fixed = {column for column, _ in board.scores} | {board.dataset_column, board.record, "Source", link}
    rows: list[RawRow] = []
    for line, cells in records:
        model_column = next((column for column in board.models if cells.get(column)), board.models[0])
        attributes: dict[str, object] = {
            column: value for column, value in cells.items() if value and column not in fixed and column != model_column
        }
        if cells.get(board.record):
            attributes["claim"] = cells[board.record]
        name = split_llm_name(cells.get(model_column, ""))
        if name.setting:
            attributes["setting"] = name.setting
        if board is RUNS and (stderr := best_score_stderr(cells.get("Scores", ""))) is not None:
            attributes["stderr"] = stderr  # the best scorer's, in percent points like the value
        version = cells[board.models[0]]
        for column, dataset in board.scores:
            value = cells[column]
            rows.append(RawRow(
                task=board.task,
                dataset=dataset or cells[board.dataset_column],
                metric=column,
                model=name.model,
                value=fraction_to_percent(value) if board.fraction and value else value,
                row_ref=f"{ref}line {line}",
                paper_title=cells.get("Source") or None,
                paper_url=(cells[link] or None) if link else None,
                published=dates.get(version),
                attributes=dict(attributes),
            ))
    if not rows:
        raise ParseError(SOURCE_NAME, location, f"{name}: no data rows under the header")
    return rows


def _data_folder(paths: list[str], location: str) -> str:
    """The folder of the boards: the one holding the model table. GitHub's archive of the repository also has
    data_old/ (stale copies, its own model table), so a folder named `data` wins when there are several."""
    folders = [path[: -len(MODEL_TABLE)] for path in paths if path.rsplit("/", 1)[-1] == MODEL_TABLE]
    if len(folders) > 1:
        folders = [folder for folder in folders if folder.rstrip("/").rsplit("/", 1)[-1] == "data"]
    if len(folders) != 1:
        raise ParseError(SOURCE_NAME, location, f"a zip must hold one folder with {MODEL_TABLE} and the boards beside "
                                                f"it (found {len(folders)} such folders)")
    return folders[0]


def _parse_bundle(payload: bytes, location: str) -> list[RawRow]:
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            files = {info.filename: archive.read(info) for info in archive.infolist()
                     if not info.is_dir() and info.filename.lower().endswith(".csv")}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise ParseError(SOURCE_NAME, location, f"corrupt zip: {exc}") from None
    folder = _data_folder(list(files), location)
    dates = release_dates(files[folder + MODEL_TABLE], location)
    rows: list[RawRow] = []
    for path in sorted(files):
        name = path[len(folder):]
        if not path.startswith(folder) or "/" in name or name in NOT_BOARDS:
            continue  # another folder, a subfolder (data/website/), or a table that is not a board
        board = _board_for(name, location)
        rows.extend(_rows_of_board(_decode(files[path], location, name), name, board, dates, location, f"{name} "))
    if not rows:
        raise ParseError(SOURCE_NAME, location, f"no benchmark files beside {folder + MODEL_TABLE}")
    return rows


def parse_epoch_csv(payload: bytes, location: str, **_options: str) -> list[RawRow]:
    """Raw rows of one Epoch benchmark file, or of every board in a zip of the data folder; options are ignored."""
    if payload[:4] == b"PK\x03\x04":
        return _parse_bundle(payload, location)
    name = unquote(urlsplit(location).path).replace("\\", "/").rsplit("/", 1)[-1]
    board = _board_for(name, location)
    return _rows_of_board(_decode(payload, location, name), name, board, {}, location, "")


SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="Epoch AI language-model benchmarks (MMLU, GPQA diamond, ...): one CSV per board, or a zip with dates",
    parse=parse_epoch_csv,
    full_listing=True,
    default_url=DEFAULT_URL,
)
