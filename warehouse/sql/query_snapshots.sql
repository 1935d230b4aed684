-- `sota snapshots`: what was loaded, when it was current, and what it changed.
SELECT snapshot_id, source, kind, location, observed_at, loaded_at, status, rows_parsed, rows_loaded, rows_rejected,
       rows_duplicate, results_new, results_changed, results_unchanged, results_removed, left(sha256, 12) AS sha256,
       error
FROM snapshots
WHERE ($source IS NULL OR source = $source)
ORDER BY snapshot_id DESC
LIMIT $limit
