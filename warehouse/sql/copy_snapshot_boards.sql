-- A snapshot of the same bytes covers the same boards as the one it repeats.
INSERT INTO snapshot_boards (snapshot_id, task, dataset)
SELECT $snapshot_id, sb.task, sb.dataset FROM snapshot_boards AS sb WHERE sb.snapshot_id = $previous_snapshot_id
