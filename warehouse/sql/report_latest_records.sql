-- `sota report`: the latest new-SOTA records (the steps detected as loads moved a benchmark's best), newest first.
SELECT
    r.record_id, r.snapshot_id, r.task, r.dataset, r.metric, r.model, r.value, r.paper_title, r.paper_url,
    r.published_on, r.previous_model, r.previous_value, r.margin, r.detected_at, r.is_backfill, b.direction,
    coalesce(n.kind, 'new SOTA') AS kind, n.z
FROM sota_records AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
LEFT JOIN sota_record_noise AS n ON n.record_id = r.record_id
ORDER BY r.detected_at DESC, r.record_id DESC
LIMIT $limit
