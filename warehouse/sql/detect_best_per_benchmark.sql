-- The best result of every ranked benchmark by latest knowledge (the consolidated results still shown), under each of
-- the four filters a rule can ask for: with or without results that use extra training data, with or without
-- estimates. A far-future day counts every result whatever its date: "best now", not "best as published by some day".
-- better_key is larger-is-better whatever the metric's direction. claim_key is the consolidated result's identity, so
-- that a new witness or a corrected value of the result that already held the record (the dump's 88.4 for the hand
-- copy's 87.4 of Noisy Student) is not a new SOTA; only another result is.
WITH best AS (
    SELECT s.*, true AS extra_data, false AS estimates
    FROM sota_as_of(DATE '9999-12-31', extra_data := true, estimates := false) AS s
    UNION ALL
    SELECT s.*, false, false
    FROM sota_as_of(DATE '9999-12-31', extra_data := false, estimates := false) AS s
    UNION ALL
    SELECT s.*, true, true
    FROM sota_as_of(DATE '9999-12-31', extra_data := true, estimates := true) AS s
    UNION ALL
    SELECT s.*, false, true
    FROM sota_as_of(DATE '9999-12-31', extra_data := false, estimates := true) AS s
)
SELECT
    b.benchmark_id, best.extra_data, best.estimates,
    b.task, b.dataset, b.metric, b.direction, b.unit,
    best.result_id, CAST(best.consolidated_id AS VARCHAR) AS claim_key, best.model, best.value,
    CASE WHEN b.direction = 'lower' THEN -best.value ELSE best.value END AS better_key,
    best.paper_title, best.paper_url, best.published_on, best.stderr, best.interval_low, best.interval_high
FROM best
JOIN benchmarks AS b ON b.task = best.task AND b.dataset = best.dataset AND b.metric = best.metric
ORDER BY b.benchmark_id, best.extra_data, best.estimates
