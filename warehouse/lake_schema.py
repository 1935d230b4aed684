"""The warehouse's schema on a DuckLake (issue 16): the same numbered migrations, translated for what a lake accepts.

DuckLake rejects sequences, PRIMARY KEY, UNIQUE, CHECK and REFERENCES ("Not implemented"); storing a macro with a
`:= NULL` default fails to commit, and with a typed NULL default it commits and then breaks every later ATTACH. So:
- tables and columns are created without those constraints (the loader keeps what they guarded: one version per claim
  shown, ids allocated once; the lake tests try to break them with two writers), and without sequences or
  `DEFAULT nextval(...)` (ids are the loader's to allocate on a lake);
- macros and the views over them are not stored: they are created as TEMP objects on each connection
  (`connection_objects`), from the newest migration that defines each;
- everything else (CREATE TABLE, ALTER TABLE ADD COLUMN, INSERT, UPDATE, DROP, RENAME) is kept as it is.
Pure: text in, statements out; `warehouse.lake` runs them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_SEQUENCE = re.compile(r"^\s*CREATE\s+SEQUENCE\b", re.IGNORECASE)
_MACRO_OR_VIEW = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+(?P<kind>MACRO|VIEW)\s+(?P<name>\w+)", re.IGNORECASE)
_DEFAULT_NEXTVAL = re.compile(r"\s+DEFAULT\s+nextval\('[^']*'\)", re.IGNORECASE)
_INLINE_KEYS = re.compile(r"\s+(?:PRIMARY\s+KEY|UNIQUE)\b", re.IGNORECASE)
_REFERENCES = re.compile(r"\s+REFERENCES\s+\w+\s*\([^)]*\)", re.IGNORECASE)
_ADD_WITH_DEFAULT = re.compile(r"^\s*ALTER\s+TABLE\s+(?P<table>\w+)\s+ADD\s+COLUMN\s+(?P<column>\w+)\s+(?P<type>.+?)"
                               r"\s+DEFAULT\s+(?P<default>.+)$", re.IGNORECASE | re.DOTALL)
_SET_NOT_NULL = re.compile(r"^\s*ALTER\s+TABLE\s+\w+\s+ALTER\s+COLUMN\s+\w+\s+SET\s+NOT\s+NULL\s*$", re.IGNORECASE)
_NOT_NULL = re.compile(r"\s+NOT\s+NULL\b", re.IGNORECASE)
_TABLE_CONSTRAINT = re.compile(r"^\s*(?:PRIMARY\s+KEY|UNIQUE|CHECK|FOREIGN\s+KEY)\b", re.IGNORECASE)


@dataclass(frozen=True)
class LakeMigration:
    """One migration for a lake: the statements stored in the lake, the macros and views it (re)defines, by name, to
    be created as TEMP objects on each connection, and the sequences it would have made (their ids come from
    `id_blocks` on a lake: warehouse.lake.claim_id_blocks)."""

    stored: tuple[str, ...]
    per_connection: tuple[tuple[str, str], ...]  # (name, statement), in the migration's order
    sequences: tuple[str, ...] = ()


def _statements(text: str) -> list[str]:
    """The statements of a migration, comments left out: split on the semicolons outside quoted text. (DuckDB's own
    splitter parses each statement, and 1.5's parser refuses some of today's, such as ADD COLUMN ... NOT NULL.)"""
    statements, current, quoted, at = [], [], False, 0
    while at < len(text):
        character = text[at]
        if quoted:
            quoted = character != "'"
        elif character == "'":
            quoted = True
        elif text.startswith("--", at):
            at = text.find("\n", at)
            at = len(text) if at < 0 else at
            continue
        elif character == ";":
            statements.append("".join(current).strip())
            current = []
            at += 1
            continue
        current.append(character)
        at += 1
    statements.append("".join(current).strip())
    return [statement for statement in statements if statement]


def _without_checks(text: str) -> str:
    """The text without its CHECK (...) clauses, however their parentheses nest."""
    out, at = [], 0
    for match in re.finditer(r"\s+CHECK\s*\(", text, re.IGNORECASE):
        if match.start() < at:
            continue
        depth, end = 1, match.end()
        while depth and end < len(text):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        out.append(text[at:match.start()])
        at = end
    return "".join(out) + text[at:]


def _lake_table(statement: str) -> str:
    """A CREATE TABLE without the constraints DuckLake lacks: column clauses removed, table clauses dropped."""
    head, _, body = statement.partition("(")
    body, _, tail = body.rpartition(")")
    parts, depth, current = [], 0, []
    for character in body:  # split the column list on its top-level commas
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    kept = ["\n".join(line.rstrip() for line in _column_without_constraints(part).rstrip().split("\n"))
            for part in parts if part.strip() and not _TABLE_CONSTRAINT.match(part)]
    return f"{head}({','.join(kept).rstrip()}\n){tail}"


def _column_without_constraints(column: str) -> str:
    return _without_checks(_REFERENCES.sub("", _INLINE_KEYS.sub("", _DEFAULT_NEXTVAL.sub("", column))))


def lake_migration(text: str) -> LakeMigration:
    """One migration's text, translated for a lake."""
    stored, per_connection, sequences = [], [], []
    for statement in _statements(text):
        if _SEQUENCE.match(statement):
            sequences.append(statement.split()[2].lower())
            continue
        named = _MACRO_OR_VIEW.match(statement)
        if named:
            temp = re.sub(r"CREATE\s+OR\s+REPLACE\s+(MACRO|VIEW)", r"CREATE OR REPLACE TEMP \1",
                          statement, count=1, flags=re.IGNORECASE)
            per_connection.append((named["name"].lower(), temp))
            continue
        clean = statement  # comments are gone already: _statements leaves them out
        if re.match(r"^\s*CREATE\s+TABLE\b", clean, re.IGNORECASE):
            clean = _lake_table(clean)
        elif _SET_NOT_NULL.match(clean):
            continue  # a lake has no NOT NULL to add: the loader's to keep
        elif re.match(r"^\s*ALTER\s+TABLE\b", clean, re.IGNORECASE):
            # a lake adds a column without constraints (NOT NULL is the loader's to keep); its default must be a
            # literal (a boolean written as text: 'false') and a list has none (the rows already there get it, and
            # every insert gives it)
            clean = _NOT_NULL.sub("", _without_checks(_INLINE_KEYS.sub("", clean)))
            added = _ADD_WITH_DEFAULT.match(clean)
            if added:
                table, column, kind = added["table"], added["column"], added["type"].strip()
                default = added["default"].strip()
                if default.lower() in ("true", "false"):
                    stored.append(f"ALTER TABLE {table} ADD COLUMN {column} {kind} DEFAULT '{default.lower()}'")
                elif default.startswith("["):
                    stored += [f"ALTER TABLE {table} ADD COLUMN {column} {kind}",
                               f"UPDATE {table} SET {column} = {default}"]
                else:
                    stored.append(clean)
                continue
        stored.append(clean)
    return LakeMigration(tuple(stored), tuple(per_connection), tuple(sequences))


def connection_objects(migrations: list[LakeMigration]) -> list[str]:
    """The TEMP macros and views a connection creates, each from the newest migration that defines it, in the order
    they were first defined (a later one may use an earlier one)."""
    newest: dict[str, str] = {}
    for migration in migrations:
        for name, statement in migration.per_connection:
            newest.pop(name, None)  # a redefinition moves to the end: it may use what was defined meanwhile
            newest[name] = statement
    return list(newest.values())
