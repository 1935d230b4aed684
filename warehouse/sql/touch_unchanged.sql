UPDATE results AS r
SET last_seen_at = greatest(r.last_seen_at, $observed_at), last_snapshot_id = $snapshot_id
FROM staged AS s
WHERE s.change = 'unchanged' AND r.result_id = s.current_result_id
