-- New-SOTA records (the steps detected as loads moved a benchmark's best), newest first, narrowed by any of the
-- benchmark's exact names: the API's /v1/records and the Atom feeds. Each carries its stable alert id, and the
-- benchmark's unit (whether the values are percents) and direction.
SELECT
    r.record_id, CAST(r.alert_id AS VARCHAR) AS alert_id, r.snapshot_id, r.task, r.dataset, r.metric, r.model,
    r.value, r.paper_title, r.paper_url, r.published_on, r.previous_model, r.previous_value, r.margin,
    r.detected_at, r.is_backfill, b.unit, b.direction,
    coalesce(n.kind, 'new SOTA') AS kind, n.stderr, n.previous_stderr, n.z, n.basis
FROM sota_records AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
LEFT JOIN sota_record_noise AS n ON n.record_id = r.record_id
WHERE ($task IS NULL OR r.task = $task) AND ($dataset IS NULL OR r.dataset = $dataset)
  AND ($metric IS NULL OR r.metric = $metric)
ORDER BY r.detected_at DESC, r.record_id DESC
LIMIT $limit
