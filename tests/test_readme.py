"""The README as a test: every command its ```sh blocks show, run in their order on the real payloads.

Each `sota ...` line (with its `\\` continuations joined, `$D` the shared data folder, `[--optional ...]` parts of a
synopsis left out) runs in-process through `flows.cli.main`, all in one temporary working folder, so `sota.duckdb`
there is the tour's warehouse (SOTA_DB unset). The `python -c "..."` lines run as subprocesses of this Python (the
venv's). A command must exit 0, or with a status the README gives next to it ("exit 0, or 1 if ..."), and print no
traceback. The commands that read `--config` (default `sota.toml`) find the example configuration copied there, its
`../shared/data` paths pointed at the data folder, as the README says to copy it.

What the README says a command prints is checked too: a `#   -> ...` comment under a command (continued by deeper
indented comment lines) is a claim about its standard output, read by one general matcher (`claim_problems`):
 - ` | ` separates claims about different rows of the output;
 - a "quoted phrase" must appear as it is (spacing aside);
 - a parenthesised remark in prose (lower-case start, several words) is commentary and is not checked;
 - the rest splits on commas and on runs of two spaces into pieces; leading lower-case words of a piece are its label
   ("witnessed by pwc" states "pwc"); every other word of every piece (model names, numbers, lineages) must occur as a
   whole word in one and the same output row (a table row wrapped over several lines counts as one).
Every other line of a ```sh block must be a known non-command (NOT_COMMANDS) or a skipped command (SKIPPED).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.cli import main

REPO = Path(__file__).resolve().parents[1]

# Commands the README shows that this test does not run, and why.
SKIPPED = [
    (r"^sota run(?!.*--source)",
     "runs every entry of the example config, whose live sources (pwc-archive, timm-imagenet) need the network"),
    (r"^sota serve\b", "serves the flow on its schedule until stopped, against a Prefect server"),
    (r"^sota load\s+(\S+\s+)*https?://", "loads a URL: needs the network"),
    (r"^sota backfill wayback\b", "lists and fetches captures from the Wayback Machine: needs the network"),
    (r"^sota api\b", "serves until stopped (tests/flows/api runs it on a free port and asks it what the README shows)"),
]

# Lines of the ```sh blocks that are not commands of this project, and why they are not run.
NOT_COMMANDS = [
    (r"^\. \.venv/bin/activate\b", "the test already runs in the venv"),
    (r"^D=", "$D is replaced by the shared data folder (SOTAWATCH_DATA)"),
    (r"^prefect ", "needs a Prefect server or Prefect Cloud"),
    (r"^export PREFECT_API_URL=", "points at that Prefect server"),
    (r"^make ", "builds the venv and runs the whole suite or the nightly flow with live sources"),
    (r"^curl ", "asks the server `sota api` starts (tests/flows/api asks the same questions of a real one)"),
]

CONFIG_COMMANDS = ("sota run", "sota alerts", "sota serve")  # they read sota.toml


@dataclass
class Step:
    command: str  # as the README shows it, continuations joined, trailing comment removed
    comment: str = ""  # its trailing comment
    claims: list[str] = field(default_factory=list)  # its `#   -> ...` comments


def split_comment(line: str) -> tuple[str, str]:
    """`cmd args  # comment` -> (cmd args, comment); a # inside quotes or a word is not a comment."""
    quote, escaped = None, False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def readme_steps(text: str) -> tuple[list[Step], list[str]]:
    """The commands of the README's ```sh blocks in order, and the other (non-comment) lines."""
    steps: list[Step] = []
    others: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        lines = block.splitlines()
        in_claim = False
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            while line.endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line[:-1].rstrip() + " " + lines[i].strip()
            i += 1
            if not line:
                in_claim = False
                continue
            if line.startswith("#"):
                arrow = re.match(r"#\s+->\s*(.*)", line)
                if arrow and steps:
                    steps[-1].claims.append(arrow.group(1))
                    in_claim = True
                elif in_claim and re.match(r"#\s{5,}\S", lines[i - 1]):
                    steps[-1].claims[-1] += " " + line[1:].strip()
                else:
                    in_claim = False
                continue
            in_claim = False
            command, comment = split_comment(line)
            if command.startswith(("sota ", "python -c ")):
                steps.append(Step(command, comment))
            else:
                others.append(command)
    return steps, others


def reason_for(command: str, table) -> str | None:
    return next((why for pattern, why in table if re.search(pattern, command)), None)


def allowed_exit_codes(step: Step) -> set[int]:
    codes = {0}
    for text in [step.comment, *step.claims]:
        for said in re.finditer(r"\bexits?(?: status)? (\d+(?:(?:,? or |, )\d+)*)", text):
            codes |= {int(code) for code in re.findall(r"\d+", said.group(1))}
    return codes


def output_rows(text: str) -> list[str]:
    """Lines of output, a table row wrapped over several lines (empty first cell) joined into one, spaces collapsed."""
    rows: list[list[str] | str] = []
    previous: list[str] | None = None
    for line in text.splitlines():
        if "│" in line:
            cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
            if previous is not None and len(cells) == len(previous) and not cells[0]:
                previous[:] = [f"{a} {b}".strip() for a, b in zip(previous, cells)]
                continue
            previous = cells
            rows.append(cells)
        else:
            previous = None
            rows.append(line)
    return [" ".join((" │ ".join(row) if isinstance(row, list) else row).split()) for row in rows]


def _word_in(word: str, row: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w-]|\.\d)", row) is not None


def claim_problems(claim: str, output: str) -> list[str]:
    """What of a `->` claim the output does not show (empty: the claim holds). See the module docstring."""
    rows = output_rows(output)
    problems = []
    for part in claim.split(" | "):
        phrases = [" ".join(p.split()) for p in re.findall(r'"([^"]*)"', part)]
        rest = re.sub(r'"[^"]*"', "  ", part)
        rest = re.sub(r"\s*\((?=[a-z][^)]*\s)[^)]*\)", "", rest)  # (a remark in prose)
        words = []
        for piece in re.split(r",|\s{2,}", rest):
            tokens = [t for t in piece.replace("...", " ").split()]
            while len(tokens) > 1 and re.fullmatch(r"[a-z]+", tokens[0]):
                tokens.pop(0)
            words += tokens
        if not phrases and not words:
            continue
        if any(all(p in row for p in phrases) and all(_word_in(w, row) for w in words) for row in rows):
            continue
        nowhere = [p for p in phrases if p not in " ".join(rows)] + [w for w in words if not any(
            _word_in(w, row) for row in rows)]
        problems.append(f"no output row shows {part.strip()!r}" + (f" (nowhere: {nowhere})" if nowhere else ""))
    return problems


def write_config(folder: Path, data: Path) -> None:
    """sota.toml as the README says: the example configuration, its shared data paths pointed at `data`."""
    example = (REPO / "sota.example.toml").read_text()
    (folder / "sota.toml").write_text(example.replace("../shared/data", data.as_posix()))


def test_readme_commands_run_and_print_what_it_says(shared_data, tmp_path, monkeypatch, capsys):
    steps, others = readme_steps((REPO / "README.md").read_text())
    assert len(steps) > 10, "no ```sh commands found in README.md"
    unknown = [line for line in others if reason_for(line, NOT_COMMANDS) is None]
    assert not unknown, f"README lines neither run nor listed in NOT_COMMANDS: {unknown}"

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOTA_DB", raising=False)
    env = {k: v for k, v in os.environ.items() if k != "SOTA_DB"}
    failures, ran, skipped = [], [], []
    config_written = False
    for step in steps:
        command = re.sub(r"\s*\[--[^\]]*\]", "", step.command).replace("$D", shlex.quote(str(shared_data)))
        if reason_for(command, SKIPPED):
            skipped.append(step.command)
            continue
        if command.startswith(CONFIG_COMMANDS) and not config_written:
            write_config(tmp_path, shared_data)
            config_written = True
        argv = shlex.split(command)
        started = time.monotonic()
        if argv[0] == "python":
            done = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=120, check=False)
            code, out, err = done.returncode, done.stdout, done.stderr
        else:
            capsys.readouterr()
            code = main(argv[1:])
            captured = capsys.readouterr()
            out, err = captured.out, captured.err
        ran.append(f"{time.monotonic() - started:5.1f}s  {command}")
        problems = []
        if code not in allowed_exit_codes(step):
            problems.append(f"exit {code}")
        if "Traceback" in out + err:
            problems.append("a traceback")
        if "--json" in argv:
            try:
                json.loads(out)
            except ValueError as error:
                problems.append(f"--json output is not JSON ({error})")
        for claim in step.claims:
            problems += claim_problems(claim, out)
        if problems:
            failures.append(f"{step.command}\n  " + "\n  ".join(problems) + f"\n  stderr: {err.strip()[-500:]}")
    print("ran:\n" + "\n".join(ran) + "\nskipped:\n" + "\n".join(skipped))
    assert not failures, "README commands that do not do what it says:\n" + "\n".join(failures)


def test_claim_matcher():
    table = (
        "┏━━━┳━━━┓\n│ 1 │ NoisyStudent (EfficientNet-L2) │ 88.4  │ pwc, pwc-handcopy │ the long\n"
        "│   │                                │       │                   │ text wraps │\n"
        "│ 2 │ BiT-L (ResNet) │ 87.54 │ pwc │ x │\n"
    )
    rows = "1 NoisyStudent (EfficientNet-L2) 88.4 pwc, pwc-handcopy | 2 BiT-L (ResNet) 87.54 pwc | ..."
    assert claim_problems(rows, table) == []
    assert claim_problems('NoisyStudent (EfficientNet-L2), "the long text wraps"', table) == []
    assert claim_problems("BiT-L (ResNet), 88.4 (what the board said; later 1)", table)  # not one row
    assert claim_problems("NoisyStudent (EfficientNet-L2), 88.4 (a remark, not checked), witnessed by pwc", table) == []
    assert claim_problems("BiT-L (ResNet), 87.5", table)  # 87.5 is not 87.54
    assert allowed_exit_codes(Step("sota run", "the flow once; exit 0, or 1 if a source failed")) == {0, 1}
    assert split_comment('sota sql "x # y"  # note') == ('sota sql "x # y"', "note")


def test_the_readme_names_every_source_and_command():
    """`sota sources` and `sota --help` list nothing the README leaves out."""
    import typer.main

    from flows.cli.app import app
    from pipelines.registry import source_names

    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert [name for name in source_names() if f"| `{name}` |" not in text] == []
    commands = typer.main.get_command(app).commands
    assert [name for name in commands if f"sota {name}" not in text] == []
