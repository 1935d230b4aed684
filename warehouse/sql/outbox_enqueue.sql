-- One pending delivery of a record to a channel, inside the caller's transaction. A second enqueue of the same pair
-- changes nothing: the row (and whatever delivery state it reached) is kept. The id is given, and the pair checked
-- here, because a lake has neither a column default from a sequence nor keys.
INSERT INTO alert_outbox (outbox_id, record_id, channel, status, attempts, created_at)
SELECT nextval('alert_outbox_ids'), $record_id, $channel, 'pending', 0, $now
WHERE NOT EXISTS (SELECT 1 FROM alert_outbox WHERE record_id = $record_id AND channel = $channel)
