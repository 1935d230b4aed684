-- A changed value ends the old version's interval; the new version is inserted next.
UPDATE results AS r
SET removed_at = $observed_at, removed_by_snapshot_id = $snapshot_id
FROM staged AS s
WHERE s.change = 'changed' AND r.result_id = s.current_result_id
