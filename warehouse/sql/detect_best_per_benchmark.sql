-- The best result of every ranked benchmark by latest knowledge (the versions still shown), under each of the four
-- filters a rule can ask for: with or without results that use extra training data, with or without estimates.
-- A far-future day counts every claim whatever its date: "best now", not "best as published by some day".
-- better_key is larger-is-better whatever the metric's direction; claim_key tells a new claim from a new version.
WITH best AS (
    SELECT s.result_id, true AS extra_data, false AS estimates
    FROM sota_as_of(DATE '9999-12-31', extra_data := true, estimates := false) AS s
    UNION ALL
    SELECT s.result_id, false, false
    FROM sota_as_of(DATE '9999-12-31', extra_data := false, estimates := false) AS s
    UNION ALL
    SELECT s.result_id, true, true
    FROM sota_as_of(DATE '9999-12-31', extra_data := true, estimates := true) AS s
    UNION ALL
    SELECT s.result_id, false, true
    FROM sota_as_of(DATE '9999-12-31', extra_data := false, estimates := true) AS s
)
SELECT
    r.benchmark_id, best.extra_data, best.estimates,
    b.task, b.dataset, b.metric, b.direction, b.unit,
    r.result_id, r.claim_key, r.model, r.value,
    CASE WHEN b.direction = 'lower' THEN -r.value ELSE r.value END AS better_key,
    r.paper_title, r.paper_url, r.published_on
FROM best
JOIN results AS r ON r.result_id = best.result_id
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
ORDER BY r.benchmark_id, best.extra_data, best.estimates
