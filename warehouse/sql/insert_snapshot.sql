INSERT INTO snapshots (source, kind, location, options, observed_at, loaded_at, sha256, status, error, rows_parsed)
VALUES ($source, $kind, $location, CAST($options AS JSON), $observed_at, $loaded_at, $sha256, $status, $error,
        $rows_parsed)
RETURNING snapshot_id
