-- One pending delivery of a record to a channel, inside the caller's transaction. A second enqueue of the same pair
-- changes nothing: the row (and whatever delivery state it reached) is kept.
INSERT INTO alert_outbox (record_id, channel, status, attempts, created_at)
VALUES ($record_id, $channel, 'pending', 0, $now)
ON CONFLICT (record_id, channel) DO NOTHING
