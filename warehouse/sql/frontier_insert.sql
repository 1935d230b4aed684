-- For each benchmark in scope and each filter, the running best consolidated result by date (ties go to whoever got
-- there first, as in `sota_as_of`), kept only on the dates where the record holder changes. Suspects (far outside
-- their board's spread) never hold a record here: `sota_as_of(..., suspects := true)` reads the versions instead.
INSERT INTO sota_frontier (
    benchmark_id, extra_data_allowed, estimates_allowed, from_date, until_date, result_id, model, value, published_on,
    published_precision, paper_title, paper_url, arxiv_id, source, uses_additional_data, is_estimate, first_seen_at,
    sources, consolidated_id, has_code, stderr, setting, interval_low, interval_high
)
WITH visible AS (
    SELECT
        r.benchmark_id, r.result_id, r.model, r.value, r.published_on, r.published_precision, r.paper_title,
        r.paper_url, r.arxiv_id, r.source, r.uses_additional_data, r.is_estimate, r.first_seen_at, r.consolidated_id,
        coalesce(r.published_on, CAST(r.claim_first_seen_at AS DATE)) AS effective_on,
        CASE WHEN b.direction = 'lower' THEN -r.value ELSE r.value END AS better_key
    FROM consolidated_results AS r
    JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
    WHERE r.removed_at IS NULL
      AND NOT r.is_suspect
      AND sw_comparable(r.setting)
      AND b.direction IN ('higher', 'lower')
      AND r.benchmark_id IN (SELECT s.benchmark_id FROM frontier_scope AS s)
),
filters AS (
    SELECT * FROM (VALUES (true, false), (false, false), (true, true), (false, true)) AS t(extra_data_allowed, estimates_allowed)
),
filtered AS (
    SELECT v.*, f.extra_data_allowed, f.estimates_allowed
    FROM visible AS v
    JOIN filters AS f
      ON (f.extra_data_allowed OR v.uses_additional_data IS DISTINCT FROM true)
     AND (f.estimates_allowed OR NOT v.is_estimate)
),
-- Only a result at least as good as everything dated strictly before it can ever hold the record: a cheap running
-- max keeps those few, and the exact tie-breaking runs on them alone.
candidates AS (
    SELECT * FROM filtered AS v
    QUALIFY v.better_key >= coalesce(max(v.better_key) OVER (
        PARTITION BY v.benchmark_id, v.extra_data_allowed, v.estimates_allowed ORDER BY v.effective_on
        RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
    ), v.better_key)
),
-- Ties at the same date and sighting go to the model name, then the paper, in alphabetical order (ids are numbered
-- anew by a rebuild): their order as one integer, so the running tie-break below compares numbers, not text.
ordered AS (
    SELECT *, row_number() OVER (
        PARTITION BY v.benchmark_id, v.extra_data_allowed, v.estimates_allowed
        ORDER BY v.model, coalesce(v.paper_title, ''), coalesce(v.paper_url, ''), v.result_id
    ) AS tie
    FROM candidates AS v
),
running AS (
    SELECT
        v.benchmark_id, v.extra_data_allowed, v.estimates_allowed, v.effective_on,
        arg_min(v.result_id, struct_pack(k := -v.better_key, e := epoch(v.effective_on), s := epoch(v.first_seen_at), t := v.tie))
            OVER (PARTITION BY v.benchmark_id, v.extra_data_allowed, v.estimates_allowed ORDER BY v.effective_on
                  RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS holder
    FROM ordered AS v
),
per_date AS (
    SELECT DISTINCT benchmark_id, extra_data_allowed, estimates_allowed, effective_on, holder FROM running
),
changes AS (
    SELECT * FROM per_date
    QUALIFY holder IS DISTINCT FROM lag(holder) OVER (
        PARTITION BY benchmark_id, extra_data_allowed, estimates_allowed ORDER BY effective_on
    )
)
SELECT
    c.benchmark_id, c.extra_data_allowed, c.estimates_allowed, c.effective_on,
    lead(c.effective_on) OVER (
        PARTITION BY c.benchmark_id, c.extra_data_allowed, c.estimates_allowed ORDER BY c.effective_on
    ) AS until_date,
    v.result_id, v.model, v.value,
    v.published_on, v.published_precision, v.paper_title, v.paper_url, v.arxiv_id, v.source,
    v.uses_additional_data, v.is_estimate, v.first_seen_at, w.sources, v.consolidated_id, w.has_code, w.stderr, w.setting, w.interval_low, w.interval_high
FROM changes AS c
JOIN visible AS v ON v.result_id = c.holder
-- the list of sources of the few holders only: carried through the windows above, lists cost seconds over 10M rows
JOIN consolidated_results AS w ON w.result_id = c.holder AND w.removed_at IS NULL
