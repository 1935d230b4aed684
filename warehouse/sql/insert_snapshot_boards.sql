INSERT INTO snapshot_boards (snapshot_id, task, dataset)
SELECT $snapshot_id, ib.task, ib.dataset FROM incoming_boards AS ib
