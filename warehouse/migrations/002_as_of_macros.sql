-- "SOTA as of a date" as SQL, stored in the database file so that any DuckDB client can call it.
-- Macro parameters shadow column names, so every column below is qualified by its table alias.

-- A "known at" instant: a bare date means the end of that day (what was known on it); a timestamp is taken as is.
CREATE OR REPLACE MACRO sw_known_instant(k) AS
    CASE
        WHEN k IS NULL THEN NULL::TIMESTAMP
        WHEN typeof(k) = 'DATE' OR (typeof(k) = 'VARCHAR' AND length(trim(k::VARCHAR)) <= 10)
            THEN CAST(k::VARCHAR AS DATE) + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND
        ELSE CAST(k::VARCHAR AS TIMESTAMP)
    END;

-- Results obtained in a way that is not comparable with fine-tuned ones (an abstract's zero-shot or linear-probe
-- number) are never ranked against them unless a query asks for every setting.
CREATE OR REPLACE MACRO sw_comparable(setting) AS
    setting IS NULL OR setting NOT IN ('zero-shot', 'linear-probe', 'frozen-encoder', 'few-shot');

-- The result versions visible at an instant (NULL: latest knowledge, the versions still shown), on ranked
-- benchmarks, with the date each counts from (publication, or first sighting when unknown) and a key where larger
-- is better whatever the metric's direction.
CREATE OR REPLACE MACRO sw_claims(known_at := NULL, extra_data := NULL, estimates := false, all_settings := false) AS TABLE
    SELECT
        b.task, b.dataset, b.metric, b.direction, b.unit,
        r.result_id, r.benchmark_id, r.model, r.value, r.published_on, r.published_precision,
        r.paper_title, r.paper_url, r.arxiv_id, r.source, r.uses_additional_data, r.is_estimate,
        r.first_seen_at, r.last_seen_at, r.removed_at,
        coalesce(r.published_on, CAST(r.claim_first_seen_at AS DATE)) AS effective_on,
        CASE WHEN b.direction = 'lower' THEN -r.value ELSE r.value END AS better_key
    FROM results AS r
    JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
    WHERE b.direction <> 'none'
      AND CASE
              WHEN known_at IS NULL THEN r.removed_at IS NULL
              ELSE r.first_seen_at <= sw_known_instant(known_at)
                   AND (r.removed_at IS NULL OR r.removed_at > sw_known_instant(known_at))
          END
      AND (extra_data IS NULL OR extra_data OR r.uses_additional_data IS DISTINCT FROM true)
      AND (estimates OR NOT r.is_estimate)
      AND (all_settings OR sw_comparable(r.setting));

-- One row per benchmark: the best result counting from on or before d. Ties go to the result that got there first
-- (earlier date, then earlier sighting, then the lower id), so the answer is stable.
CREATE OR REPLACE MACRO sota_as_of(d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false) AS TABLE
    SELECT
        best.task, best.dataset, best.metric,
        best.w.model AS model, best.w.value AS value, best.w.published_on AS published_on,
        best.w.published_precision AS published_precision,
        best.w.paper_title AS paper_title, best.w.paper_url AS paper_url, best.w.arxiv_id AS arxiv_id,
        best.w.source AS source, best.w.uses_additional_data AS uses_additional_data,
        best.w.is_estimate AS is_estimate, best.w.first_seen_at AS first_seen_at,
        best.direction, best.unit, best.w.result_id AS result_id
    FROM (
        SELECT
            c.benchmark_id,
            any_value(c.task) AS task, any_value(c.dataset) AS dataset, any_value(c.metric) AS metric,
            any_value(c.direction) AS direction, any_value(c.unit) AS unit,
            arg_max(
                struct_pack(
                    result_id := c.result_id, model := c.model, value := c.value, published_on := c.published_on,
                    published_precision := c.published_precision, paper_title := c.paper_title,
                    paper_url := c.paper_url, arxiv_id := c.arxiv_id, source := c.source,
                    uses_additional_data := c.uses_additional_data, is_estimate := c.is_estimate,
                    first_seen_at := c.first_seen_at
                ),
                struct_pack(k := c.better_key, e := -epoch(c.effective_on), f := -epoch(c.first_seen_at), i := -c.result_id)
            ) AS w
        FROM sw_claims(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings) AS c
        WHERE c.effective_on <= CAST(d AS DATE)
        GROUP BY c.benchmark_id
    ) AS best
    ORDER BY best.task, best.dataset, best.metric;

-- The ranked board of one benchmark as of d; equal values share a rank.
CREATE OR REPLACE MACRO leaderboard_as_of(task, dataset, metric, d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false) AS TABLE
    SELECT
        rank() OVER (ORDER BY c.better_key DESC) AS rank,
        c.task, c.dataset, c.metric, c.model, c.value, c.published_on, c.published_precision,
        c.paper_title, c.paper_url, c.arxiv_id, c.source, c.uses_additional_data, c.is_estimate,
        c.first_seen_at, c.direction, c.unit, c.result_id
    FROM sw_claims(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings) AS c
    WHERE c.task = task AND c.dataset = dataset AND c.metric = metric
      AND c.effective_on <= CAST(d AS DATE)
    ORDER BY c.better_key DESC, c.effective_on, c.first_seen_at, c.result_id;

-- The SOTA steps of one benchmark in publication order: each result that beat every result counting from a strictly
-- earlier date, with the best value before it and the margin (always positive: how much better it is).
CREATE OR REPLACE MACRO sota_history(task, dataset, metric, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false) AS TABLE
    WITH board AS (
        SELECT
            c.*,
            max(c.better_key) OVER (
                ORDER BY c.effective_on RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
            ) AS best_before
        FROM sw_claims(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings) AS c
        WHERE c.task = task AND c.dataset = dataset AND c.metric = metric
    )
    SELECT
        s.task, s.dataset, s.metric, s.model, s.value, s.published_on, s.published_precision,
        s.paper_title, s.paper_url, s.arxiv_id, s.source, s.uses_additional_data, s.is_estimate, s.first_seen_at,
        CASE WHEN s.direction = 'lower' THEN -s.best_before ELSE s.best_before END AS previous_value,
        s.better_key - s.best_before AS margin,
        s.effective_on, s.direction, s.unit, s.result_id
    FROM board AS s
    WHERE s.best_before IS NULL OR s.better_key > s.best_before
    ORDER BY s.effective_on, s.better_key, s.first_seen_at, s.result_id;
