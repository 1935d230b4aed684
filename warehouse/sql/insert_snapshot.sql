INSERT INTO snapshots (source, location, options, observed_at, loaded_at, sha256, status, error, rows_parsed)
VALUES ($source, $location, CAST($options AS JSON), $observed_at, $loaded_at, $sha256, $status, $error, $rows_parsed)
RETURNING snapshot_id
