-- A snapshot of the same bytes covers the same boards as the one it repeats.
INSERT INTO snapshot_boards (snapshot_id, task, dataset, board_key)
SELECT $snapshot_id, sb.task, sb.dataset, sb.board_key FROM snapshot_boards AS sb WHERE sb.snapshot_id = $previous_snapshot_id
