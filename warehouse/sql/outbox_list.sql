-- The outbox with its records, newest first, for `sota alerts list [--pending]`.
SELECT
    o.outbox_id, o.channel, o.status, o.attempts, o.last_error, o.created_at, o.delivered_at,
    r.record_id, r.alert_id, r.task, r.dataset, r.metric, r.model, r.value, r.previous_model, r.previous_value,
    r.margin, r.is_backfill
FROM alert_outbox AS o
JOIN sota_records AS r ON r.record_id = o.record_id
WHERE NOT $pending_only OR o.status = 'pending'
ORDER BY o.outbox_id DESC
LIMIT $limit
