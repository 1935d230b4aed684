-- The result versions of the benchmarks in scope, each with its claim (claim_id: the first result_id of the source's
-- claim_key) and whether it needs matching (`shared`): its partition (the benchmark and the model key, i.e. the name
-- folded by sw_model_key, then through the alias registry) holds claims of two sources, or two claims of one source of
-- which one is no longer shown (a renamed key). Claims of one source all shown at once never are one result, so the
-- first load of a source matches nothing. Any other claim is a consolidated result of its own, version for version.
-- This runs in every load over the benchmarks it touched, and over every result in a rebuild: the name is folded once,
-- the partitions are found by a grouping (a second window costs twice as much), and only ids are kept, with the
-- partition of shared versions (the other columns are read from `results` again where needed: copied here, 10M
-- versions would hold gigabytes of memory).
CREATE OR REPLACE TEMP TABLE cc_versions AS
WITH folded AS (
    SELECT
        r.result_id, r.source, r.benchmark_id, r.setting, r.removed_at,
        sw_model_key(r.model) AS folded_model,
        min(r.result_id) OVER (PARTITION BY r.benchmark_id, r.source, r.claim_key) AS claim_id
    FROM results AS r
    WHERE r.benchmark_id IN (SELECT s.benchmark_id FROM frontier_scope AS s)
),
keyed AS MATERIALIZED (
    SELECT f.* EXCLUDE (folded_model), coalesce(a.canonical_key, f.folded_model) AS model_key
    FROM folded AS f
    LEFT JOIN model_aliases AS a ON a.alias_key = f.folded_model
),
shared_partitions AS (
    SELECT k.benchmark_id, k.model_key
    FROM keyed AS k
    GROUP BY k.benchmark_id, k.model_key
    HAVING min(k.claim_id) < max(k.claim_id)
       AND (min(k.source) < max(k.source) OR bool_or(k.removed_at IS NOT NULL))
)
SELECT
    k.result_id, k.claim_id, p.model_key IS NOT NULL AS shared,
    -- the partition, for shared versions only
    CASE WHEN p.model_key IS NOT NULL THEN k.benchmark_id END AS benchmark_id,
    CASE WHEN p.model_key IS NOT NULL THEN k.source END AS source,
    p.model_key,
    CASE WHEN p.model_key IS NOT NULL THEN coalesce(k.setting, '') END AS setting_key
FROM keyed AS k
LEFT JOIN shared_partitions AS p ON p.benchmark_id = k.benchmark_id AND p.model_key = k.model_key
