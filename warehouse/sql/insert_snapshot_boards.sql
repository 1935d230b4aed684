INSERT INTO snapshot_boards (snapshot_id, task, dataset, board_key)
SELECT $snapshot_id, ib.task, ib.dataset, ib.board_key FROM incoming_boards AS ib
