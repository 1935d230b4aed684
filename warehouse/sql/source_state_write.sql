-- Keep one piece of a source's incremental state. Run inside the transaction of the load it describes, so that the
-- state moves only when the rows it stands for commit.
INSERT INTO source_state (source, key, value, updated_at)
VALUES ($source, $key, $value, $now)
ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
