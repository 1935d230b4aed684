-- Whether this connection works in a DuckLake (warehouse/lake.py) rather than a DuckDB file.
SELECT coalesce(bool_or(type = 'ducklake'), false) FROM duckdb_databases() WHERE database_name = current_database()
