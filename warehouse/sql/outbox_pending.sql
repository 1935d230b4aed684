-- The deliveries still to make, oldest first, with everything a message says (the unit comes from the benchmark).
SELECT
    o.outbox_id, o.channel, o.attempts,
    r.record_id, r.alert_id, r.snapshot_id, r.benchmark_id, r.task, r.dataset, r.metric, b.direction, b.unit,
    r.result_id, r.model, r.value, r.paper_title, r.paper_url, r.published_on,
    r.previous_result_id, r.previous_model, r.previous_value, r.margin, r.detected_at, r.is_backfill,
    coalesce(n.kind, 'new SOTA') AS kind, n.stderr, n.previous_stderr, n.z, n.basis
FROM alert_outbox AS o
JOIN sota_records AS r ON r.record_id = o.record_id
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
LEFT JOIN sota_record_noise AS n ON n.record_id = r.record_id
WHERE o.status = 'pending'
ORDER BY o.outbox_id
