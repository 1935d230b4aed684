-- A full listing of a board that no longer shows a claim: its current version ends here.
UPDATE results AS r
SET removed_at = $observed_at, removed_by_snapshot_id = $snapshot_id
FROM benchmarks AS b, incoming_boards AS ib
WHERE r.source = $source
  AND r.removed_at IS NULL
  AND r.first_snapshot_id <> $snapshot_id
  AND b.benchmark_id = r.benchmark_id
  AND b.board_key = ib.board_key
  AND NOT EXISTS (SELECT 1 FROM staged AS s WHERE s.claim_key = r.claim_key)
