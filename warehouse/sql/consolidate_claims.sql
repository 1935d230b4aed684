-- The claims of shared partitions, one row each: the latest value and paper (the title folded as names are), and
-- when any version was shown (shown_until NULL: still shown).
CREATE OR REPLACE TEMP TABLE cc_claims AS
SELECT
    v.benchmark_id, v.setting_key, v.model_key, v.source, v.claim_id, any_value(r.setting) AS setting,
    arg_max(r.value, r.result_id) AS value,
    max(r.arxiv_id) AS arxiv_id,
    nullif(sw_model_key(arg_max(r.paper_title, r.result_id)), '') AS title_key,
    min(r.first_seen_at) AS shown_from,
    CASE WHEN bool_or(r.removed_at IS NULL) THEN NULL ELSE max(r.removed_at) END AS shown_until
FROM cc_versions AS v
JOIN results AS r ON r.result_id = v.result_id
WHERE v.shared
GROUP BY v.benchmark_id, v.setting_key, v.model_key, v.source, v.claim_id
