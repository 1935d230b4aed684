INSERT INTO results (
    result_id, claim_key, source, benchmark_id, model, value, is_estimate, paper_title, paper_url, arxiv_id,
    published_on, published_precision, uses_additional_data, attributes, claim_first_seen_at,
    first_seen_at, last_seen_at, removed_at, first_snapshot_id, last_snapshot_id, removed_by_snapshot_id, setting,
    is_suspect, has_code, stderr, evaluator, interval_low, interval_high
)
SELECT
    nextval('result_ids'), s.claim_key, $source, s.benchmark_id, s.model, s.value, s.is_estimate, s.paper_title,
    s.paper_url, s.arxiv_id, s.published_on, s.published_precision, s.uses_additional_data, CAST(s.attributes AS JSON),
    coalesce(s.current_claim_first_seen_at, s.earlier_claim_first_seen_at, $observed_at),
    $observed_at, $observed_at, NULL, $snapshot_id, $snapshot_id, NULL,
    json_extract_string(CAST(s.attributes AS JSON), '$.setting'), s.is_suspect, s.has_code, CAST(s.stderr AS DOUBLE),
    nullif(trim(json_extract_string(CAST(s.attributes AS JSON), '$.evaluator')), ''),
    CAST(s.interval_low AS DOUBLE), CAST(s.interval_high AS DOUBLE)
FROM staged AS s
WHERE s.change IN ('new', 'changed')
ORDER BY s.benchmark_id, s.claim_key
