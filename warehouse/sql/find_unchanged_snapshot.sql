-- A snapshot of this source already loaded from the same bytes with the same options, and not since overtaken by a
-- later snapshot of any of its boards with other bytes: loading the payload again would change nothing.
SELECT s.snapshot_id, s.observed_at
FROM snapshots AS s
WHERE s.source = $source
  AND s.sha256 = $sha256
  AND s.options IS NOT DISTINCT FROM CAST($options AS JSON)
  AND s.status IN ('loaded', 'unchanged')
  AND NOT EXISTS (
      SELECT 1
      FROM snapshots AS later
      JOIN snapshot_boards AS lb ON lb.snapshot_id = later.snapshot_id
      JOIN snapshot_boards AS sb ON sb.snapshot_id = s.snapshot_id AND sb.board_key = lb.board_key
      WHERE later.source = s.source
        AND later.status IN ('loaded', 'unchanged')
        AND later.sha256 <> s.sha256
        AND later.observed_at > s.observed_at
  )
ORDER BY s.observed_at DESC, s.snapshot_id DESC
LIMIT 1
