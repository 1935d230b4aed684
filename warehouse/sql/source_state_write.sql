-- Keep one piece of a source's incremental state. Run inside the transaction of the load it describes, so that the
-- state moves only when the rows it stands for commit. MERGE, not ON CONFLICT: a lake has no keys to conflict on.
MERGE INTO source_state AS s
USING (SELECT $source AS source, $key AS key, $value AS value, $now AS updated_at) AS n
ON s.source = n.source AND s.key = n.key
WHEN MATCHED THEN UPDATE SET value = n.value, updated_at = n.updated_at
WHEN NOT MATCHED THEN INSERT (source, key, value, updated_at) VALUES (n.source, n.key, n.value, n.updated_at)
