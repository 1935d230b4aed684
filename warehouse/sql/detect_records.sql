-- The new SOTA records (and ties within noise), oldest first, optionally of one snapshot only.
SELECT
    r.record_id, r.alert_id, r.snapshot_id, r.benchmark_id, r.task, r.dataset, r.metric, b.direction, b.unit,
    r.result_id, r.model, r.value, r.paper_title, r.paper_url, r.published_on,
    r.previous_result_id, r.previous_model, r.previous_value, r.margin, r.detected_at, r.is_backfill,
    coalesce(n.kind, 'new SOTA') AS kind, n.stderr, n.previous_stderr, n.z, n.basis
FROM sota_records AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
LEFT JOIN sota_record_noise AS n ON n.record_id = r.record_id
WHERE $snapshot_id IS NULL OR r.snapshot_id = $snapshot_id
ORDER BY r.record_id
