-- One piece of a source's incremental state (a cursor, the HTTP validators of a URL), or no row.
SELECT value
FROM source_state
WHERE source = $source AND key = $key
