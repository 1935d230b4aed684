-- The SOTA frontier: for each ranked benchmark, the result that holds the record from each date on, by latest
-- knowledge, under each filter a query can ask for (results with extra training data allowed or not, estimates
-- allowed or not). It is derived from `results`, refreshed for the benchmarks a load touched inside the load's
-- transaction, so "SOTA as of d" reads a few rows per benchmark instead of every result (bench/RESULTS.md).
-- A row holds what `sota_as_of` shows, so answering needs no join back to `results`. Each branch groups by the
-- benchmark's own columns, so that a WHERE on task, dataset or metric reaches the scans.

CREATE TABLE sota_frontier (
    benchmark_id         BIGINT NOT NULL,
    extra_data_allowed   BOOLEAN NOT NULL,
    estimates_allowed    BOOLEAN NOT NULL,
    from_date            DATE NOT NULL,     -- this result is the best counting from this date until the next row's
    result_id            BIGINT NOT NULL,
    model                VARCHAR NOT NULL,
    value                DOUBLE NOT NULL,
    published_on         DATE,
    published_precision  VARCHAR NOT NULL,
    paper_title          VARCHAR,
    paper_url            VARCHAR,
    arxiv_id             VARCHAR,
    source               VARCHAR NOT NULL,
    uses_additional_data BOOLEAN,
    is_estimate          BOOLEAN NOT NULL,
    first_seen_at        TIMESTAMP NOT NULL
);

-- Latest knowledge, no estimates, extra data as asked: the frontier. Anything else (an instant in the past,
-- estimates counted differently) scans the versions. Only one of the two branches reads anything: their conditions
-- are constants once the macro's arguments are bound.
CREATE OR REPLACE MACRO sota_as_of(d, known_at := NULL, extra_data := NULL, estimates := false) AS TABLE
    WITH from_frontier AS (
        SELECT
            b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit,
            arg_max(
                struct_pack(
                    result_id := f.result_id, model := f.model, value := f.value, published_on := f.published_on,
                    published_precision := f.published_precision, paper_title := f.paper_title,
                    paper_url := f.paper_url, arxiv_id := f.arxiv_id, source := f.source,
                    uses_additional_data := f.uses_additional_data, is_estimate := f.is_estimate,
                    first_seen_at := f.first_seen_at
                ),
                f.from_date
            ) AS w
        FROM sota_frontier AS f
        JOIN benchmarks AS b ON b.benchmark_id = f.benchmark_id
        WHERE known_at IS NULL
          AND f.extra_data_allowed = coalesce(extra_data, true)
          AND f.estimates_allowed = coalesce(estimates, false)
          AND f.from_date <= CAST(d AS DATE)
        GROUP BY b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit
    ),
    from_versions AS (
        SELECT
            c.benchmark_id, c.task, c.dataset, c.metric, c.direction, c.unit,
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
        FROM sw_claims(known_at := known_at, extra_data := extra_data, estimates := estimates) AS c
        WHERE known_at IS NOT NULL
          AND c.effective_on <= CAST(d AS DATE)
        GROUP BY c.benchmark_id, c.task, c.dataset, c.metric, c.direction, c.unit
    ),
    best AS (
        SELECT * FROM from_frontier
        UNION ALL
        SELECT * FROM from_versions
    )
    SELECT
        best.task, best.dataset, best.metric,
        best.w.model AS model, best.w.value AS value, best.w.published_on AS published_on,
        best.w.published_precision AS published_precision,
        best.w.paper_title AS paper_title, best.w.paper_url AS paper_url, best.w.arxiv_id AS arxiv_id,
        best.w.source AS source, best.w.uses_additional_data AS uses_additional_data,
        best.w.is_estimate AS is_estimate, best.w.first_seen_at AS first_seen_at,
        best.direction, best.unit, best.w.result_id AS result_id
    FROM best
    ORDER BY best.task, best.dataset, best.metric;
