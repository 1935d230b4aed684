-- The same bytes seen again later: every claim that snapshot showed is still shown.
UPDATE results AS r
SET last_seen_at = greatest(r.last_seen_at, $observed_at), last_snapshot_id = $snapshot_id
WHERE r.source = $source AND r.removed_at IS NULL AND r.last_snapshot_id = $previous_snapshot_id
