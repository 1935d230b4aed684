-- `sota report`'s Atom feeds: the newest new-SOTA records, of every benchmark or of one (all three names given),
-- newest first; the benchmark's unit says whether the values are percents.
SELECT
    r.alert_id, r.task, r.dataset, r.metric, r.model, r.value, r.paper_title, r.paper_url, r.published_on,
    r.previous_model, r.previous_value, r.margin, r.detected_at, r.is_backfill, b.unit, b.direction
FROM sota_records AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
WHERE ($task IS NULL OR (r.task = $task AND r.dataset = $dataset AND r.metric = $metric))
ORDER BY r.detected_at DESC, r.record_id DESC
LIMIT $limit
