-- `sota rejects`: how many there are in all, to say when a listing is cut.
SELECT count(*) FROM rejects AS x WHERE ($snapshot_id IS NULL OR x.snapshot_id = $snapshot_id)
