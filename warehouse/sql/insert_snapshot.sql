-- One snapshot row. $snapshot_id is NULL for a new snapshot (the next id), or the id a replayed snapshot keeps.
INSERT INTO snapshots (snapshot_id, source, kind, location, options, observed_at, loaded_at, sha256, status, error,
                       rows_parsed)
VALUES (coalesce($snapshot_id, nextval('snapshot_ids')), $source, $kind, $location, CAST($options AS JSON),
        $observed_at, $loaded_at, $sha256, $status, $error, $rows_parsed)
RETURNING snapshot_id
