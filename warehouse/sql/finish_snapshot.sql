UPDATE snapshots
SET rows_loaded = $rows_loaded, rows_rejected = $rows_rejected, rows_duplicate = $rows_duplicate,
    results_new = $results_new, results_changed = $results_changed, results_unchanged = $results_unchanged,
    results_removed = $results_removed
WHERE snapshot_id = $snapshot_id
