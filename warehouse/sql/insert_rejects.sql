-- ids given here (not a column default): a lake has no sequences behind its columns (warehouse/lake.py)
INSERT INTO rejects (reject_id, snapshot_id, source, row_ref, reason, raw)
SELECT nextval('reject_ids'), $snapshot_id, $source, x.row_ref, x.reason, CAST(x.raw AS JSON) FROM incoming_rejects AS x
