INSERT INTO rejects (snapshot_id, source, row_ref, reason, raw)
SELECT $snapshot_id, $source, x.row_ref, x.reason, CAST(x.raw AS JSON) FROM incoming_rejects AS x
