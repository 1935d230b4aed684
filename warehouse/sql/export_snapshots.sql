-- `sota export`: the snapshots observed by the end of $as_of (NULL: all), without their payload bytes.
SELECT s.*
FROM snapshots AS s
WHERE $as_of IS NULL OR s.observed_at <= sw_known_instant($as_of)
ORDER BY s.snapshot_id
