-- One snapshot row, under the id the loader took (next_snapshot_id) or the one a replayed snapshot keeps. No RETURNING:
-- a lake refuses it.
INSERT INTO snapshots (snapshot_id, source, kind, location, options, observed_at, loaded_at, sha256, status, error,
                       rows_parsed)
VALUES ($snapshot_id, $source, $kind, $location, CAST($options AS JSON),
        $observed_at, $loaded_at, $sha256, $status, $error, $rows_parsed)
