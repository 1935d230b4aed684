-- The snapshot these same bytes, options and observation time already made in this lineage: loading them again is
-- a no-op whatever else the lineage holds.
SELECT s.snapshot_id, s.observed_at
FROM snapshots AS s
WHERE s.source = $source AND s.sha256 = $sha256 AND s.observed_at = $observed_at
  AND s.options IS NOT DISTINCT FROM CAST($options AS JSON)
ORDER BY s.snapshot_id
LIMIT 1
