-- `sota lake migrate`: the stored tables of a database (the lake, or the file attached beside it) and their columns,
-- in order; the lake's own bookkeeping (warehouse/lake.py: migrate_lake) is not part of a record, nor are views.
SELECT c.table_name, c.column_name
FROM duckdb_columns() AS c
JOIN duckdb_tables() AS t
  ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
WHERE c.database_name = $database AND c.schema_name = 'main'
  AND c.table_name NOT IN ('schema_migrations', 'id_blocks', 'commit_turns')
ORDER BY c.table_name, c.column_index
