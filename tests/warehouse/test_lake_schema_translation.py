"""The migrations translated for a DuckLake (issue 16), pure: what is kept, what is dropped, and what is made a
per-connection TEMP object. tests/lake/test_lake_schema.py applies every real migration to a real lake."""
from __future__ import annotations

import re

from warehouse.db import migrations
from warehouse.lake_schema import connection_objects, lake_migration

MIGRATION = """
-- a comment; with a semicolon
CREATE SEQUENCE thing_ids START 1;
CREATE TABLE things (
    thing_id BIGINT PRIMARY KEY DEFAULT nextval('thing_ids'),
    kind     VARCHAR NOT NULL CHECK (kind IN ('a', 'b;c')),  -- a quoted semicolon
    parent   BIGINT REFERENCES things (thing_id),
    key      VARCHAR NOT NULL UNIQUE,
    UNIQUE (kind, key)
);
ALTER TABLE things ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE things ADD COLUMN tags VARCHAR[] NOT NULL DEFAULT [];
ALTER TABLE things ADD COLUMN label VARCHAR DEFAULT 'x';
CREATE OR REPLACE MACRO twice(x) AS x * 2;
CREATE OR REPLACE VIEW doubled AS SELECT twice(thing_id) AS d FROM things;
"""


def test_a_migration_for_a_lake_keeps_tables_without_constraints_and_makes_macros_per_connection():
    translated = lake_migration(MIGRATION)
    assert translated.stored == (
        "CREATE TABLE things (\n    thing_id BIGINT,\n    kind     VARCHAR NOT NULL,\n    parent   BIGINT,\n"
        "    key      VARCHAR NOT NULL\n)",
        "ALTER TABLE things ADD COLUMN flagged BOOLEAN DEFAULT 'false'",
        "ALTER TABLE things ADD COLUMN tags VARCHAR[]",
        "UPDATE things SET tags = []",
        "ALTER TABLE things ADD COLUMN label VARCHAR DEFAULT 'x'",
    )
    assert translated.per_connection == (
        ("twice", "CREATE OR REPLACE TEMP MACRO twice(x) AS x * 2"),
        ("doubled", "CREATE OR REPLACE TEMP VIEW doubled AS SELECT twice(thing_id) AS d FROM things"),
    )


def test_the_newest_definition_of_each_macro_is_the_one_a_connection_makes():
    every = [lake_migration(text) for _, _, text in migrations()]
    objects = connection_objects(every)
    names = [re.match(r"CREATE OR REPLACE TEMP (?:MACRO|VIEW) (\w+)", statement)[1] for statement in objects]
    assert len(names) == len(set(names)) and {"sota_as_of", "sota_within_noise", "conflicts"} <= set(names)
    [sota_as_of] = [statement for statement in objects if statement.startswith("CREATE OR REPLACE TEMP MACRO sota_as_of(")]
    assert "evaluator := NULL" in sota_as_of  # migration 011's, not 002's
    assert not any("SEQUENCE" in statement or "PRIMARY KEY" in statement
                   for migration in every for statement in migration.stored)
