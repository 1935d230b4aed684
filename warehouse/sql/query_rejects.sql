-- `sota rejects`: rows that failed validation, newest snapshot first.
SELECT x.snapshot_id, x.source, s.location, s.observed_at, x.row_ref, x.reason, x.raw
FROM rejects AS x
JOIN snapshots AS s ON s.snapshot_id = x.snapshot_id
WHERE ($snapshot_id IS NULL OR x.snapshot_id = $snapshot_id)
ORDER BY x.snapshot_id DESC, x.reject_id
LIMIT $limit
