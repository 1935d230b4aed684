-- Sent: never send this row again. Only a pending row moves, so a row another run already delivered stays as it was.
UPDATE alert_outbox
SET status = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = $now
WHERE outbox_id = $outbox_id AND status = 'pending'
