-- A claim that is a result of its own (no other claim of its partition, or none it is one result with): each of its
-- versions is a version of the consolidated result, as it is.
INSERT INTO consolidated_results (
    consolidated_id, benchmark_id, result_id, model, value, is_estimate, paper_title, paper_url, arxiv_id,
    published_on, published_precision, uses_additional_data, setting, claim_first_seen_at, first_seen_at,
    seen_from, removed_at, source, sources, witness_ids, lowest, highest, value_conflict, extra_data_conflict,
    is_suspect, has_code, stderr, evaluators, interval_low, interval_high
)
SELECT
    v.claim_id, r.benchmark_id, r.result_id, r.model, r.value, r.is_estimate, r.paper_title, r.paper_url, r.arxiv_id,
    r.published_on, r.published_precision, r.uses_additional_data, r.setting, r.claim_first_seen_at, r.first_seen_at,
    r.first_seen_at, r.removed_at, r.source, [r.source], [r.result_id], r.value, r.value, false, false, r.is_suspect,
    r.has_code, r.stderr, CASE WHEN r.evaluator IS NULL THEN CAST([] AS VARCHAR[]) ELSE [r.evaluator] END,
    r.interval_low, r.interval_high
FROM cc_versions AS v
JOIN results AS r ON r.result_id = v.result_id
WHERE NOT v.shared OR v.claim_id IN (SELECT g.claim_id FROM cc_groups AS g WHERE g.claims = 1)
ORDER BY r.benchmark_id, r.result_id
