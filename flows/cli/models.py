"""`sota models`: the models the warehouse holds, one row per model with every name its sources gave it.

One model comes as "gpt-5.1_medium" (Epoch), "GPT-5.1 (medium)" and "openai/gpt-5.1" (Hugging Face, Every Eval Ever):
sources split off the vendor and the setting (`pipelines.llm_names`), and the warehouse folds case and punctuation
and maps the rest through the alias registry (`warehouse/model_aliases.csv`). This command shows the outcome, so that
a person can check that one model is one row, and find which names a model goes by.
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from flows.cli.shared import AllOption, DbOption, JsonOption, cut, emit, open_warehouse, say_if_cut
from pipelines.llm_names import split_llm_name
from warehouse import queries
from warehouse.frontier import model_key


def search_key(text: str | None) -> str | None:
    """The folded model name a search stands for: "GPT-5.1 (medium)" and "openai/gpt-5.1" search for "gpt51"."""
    if not text or not text.strip():
        return None
    return model_key(split_llm_name(text).model) or None


def models_command(
    search: Annotated[
        Optional[str],
        typer.Option("--search", metavar="TEXT", help="Only models with this name in any spelling (a vendor prefix "
                                                      "or a setting such as '(medium)' is ignored)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar="N", help="Show at most this many.")] = 200,
    show_all: AllOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The models, each with every name and setting its sources gave it, the sources and their results.

    \b
    Example: sota models --search "GPT-5.1 (medium)"
    """
    key = search_key(search)
    with open_warehouse(db, read_only=True) as con:
        rows = queries.models(con, search_key=key)
    rows, held = cut(rows, None if show_all else limit)
    emit(rows, ["model", "names", "settings", "sources", "results"], as_json, "Models",
         f"no model matches {search!r}" if search else "no models yet")
    say_if_cut(len(rows), held, "models")


def register(app: typer.Typer) -> None:
    app.command(name="models")(models_command)
