"""`sota --help` and every command's: each command and option explained in words, an example per command, and no
Python type labels (`<bool>`, `<str>`, `<list[str]>`) where click shows a metavar."""
import re

import pytest
import typer.main

from flows.cli import app, main


def _walk(command, path=()):
    """(the words after `sota`, the click command) for the app, every group and every command in them."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(typer.main.get_command(app)))
IDS = [" ".join(path) or "sota" for path, _ in COMMANDS]


def test_the_walk_finds_every_command_and_the_subcommands():
    assert {"asof", "leaderboard", "load", "run", "sql", "alerts list", "alerts test", "claims score"} <= set(IDS)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_has_help_and_an_example(path, command):
    text = (command.help or "").strip()
    assert text, f"sota {' '.join(path)}: no help text"
    assert re.search(r"^\s*Example: sota\b", text, re.MULTILINE), f"sota {' '.join(path)}: no `Example: sota ...` line"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_option_and_argument_has_help(path, command):
    for param in command.params:
        assert (getattr(param, "help", None) or "").strip(), f"sota {' '.join(path)}: {param.name} has no help"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_shows_no_type_metavars(path, command, capsys):
    assert main([*path, "--help"]) == 0
    shown = capsys.readouterr().out
    assert "Usage:" in shown and "Example: sota" in shown
    for label in ("<bool>", "<str>", "<int", "<list", "<path>", "<float"):
        assert label not in shown, f"sota {' '.join(path)} --help shows {label}"


def test_the_example_line_is_not_rewrapped(capsys):
    assert main(["asof", "--help"]) == 0
    assert 'Example: sota asof 2020-01-01 --dataset ImageNet --metric "Top 1 Accuracy"\n' in capsys.readouterr().out


def test_options_that_take_a_value_name_it_and_flags_show_none(capsys):
    assert main(["asof", "--help"]) == 0
    shown = capsys.readouterr().out
    for option in ("--task TASK", "--dataset DATASET", "--metric METRIC", "--known-at DATE|TIMESTAMP", "--db WAREHOUSE"):
        assert option in shown
    assert re.search(r"^  --json\s+Print JSON", shown, re.MULTILINE)
    assert re.search(r"^  DATE\s+Publication date", shown, re.MULTILINE)  # the argument: no `<str>` after it


def test_the_command_list_keeps_each_summary_whole(capsys):
    assert main(["--help"]) == 0
    commands = capsys.readouterr().out.partition("Commands:")[2]
    assert commands and "..." not in commands  # click would cut a long summary to the width left
    assert "then alerts go out; exit 1 if any failed." in " ".join(commands.split())
