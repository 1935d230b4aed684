-- Not sent: count the attempt and keep the (masked) error. The row stays pending for the next run, unless a cap on
-- attempts was given and this attempt reached it: then it is failed and left for a person to look at.
UPDATE alert_outbox
SET attempts = attempts + 1,
    last_error = $error,
    status = CASE WHEN $max_attempts IS NOT NULL AND attempts + 1 >= $max_attempts THEN 'failed' ELSE 'pending' END
WHERE outbox_id = $outbox_id AND status = 'pending'
