-- One new SOTA record, written inside the caller's transaction (the load that moved the SOTA), under the id taken by
-- next_record_id (no RETURNING: a lake refuses it).
INSERT INTO sota_records (
    record_id, alert_id, snapshot_id, benchmark_id, task, dataset, metric, result_id, model, value, paper_title, paper_url,
    published_on, previous_result_id, previous_model, previous_value, margin, detected_at, is_backfill
)
VALUES (
    $record_id, CAST($alert_id AS UUID), $snapshot_id, $benchmark_id, $task, $dataset, $metric, $result_id, $model, $value,
    $paper_title, $paper_url, $published_on, $previous_result_id, $previous_model, $previous_value, $margin,
    $detected_at, $is_backfill
)
