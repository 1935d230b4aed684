-- results.is_suspect (007) is never NULL. In a migration of its own, after 007 has committed: duckdb 1.5 (the lake
-- extra's) refuses to constrain a column of a keyed table in the transaction that added it ("Cannot create index with
-- outstanding updates"). A file migrated when 007 still did this in one step is constrained already: the same again.
ALTER TABLE results ALTER COLUMN is_suspect SET NOT NULL;
