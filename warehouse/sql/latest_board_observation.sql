-- The newest observation of any board of this load by the same source: history must be loaded in order.
SELECT max(s.observed_at)
FROM snapshots AS s
JOIN snapshot_boards AS sb ON sb.snapshot_id = s.snapshot_id
JOIN incoming_boards AS ib ON ib.board_key = sb.board_key
WHERE s.source = $source AND s.status IN ('loaded', 'unchanged')
