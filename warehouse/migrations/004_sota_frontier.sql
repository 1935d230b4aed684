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
    from_date            DATE NOT NULL,     -- this result is the best counting from this date ...
    until_date           DATE,              -- ... until this one (exclusive; NULL: it still is)
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
CREATE OR REPLACE MACRO sota_as_of(d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false) AS TABLE
    WITH from_frontier AS (
        -- one row per benchmark: the holder whose [from_date, until_date) contains d
        SELECT
            b.task, b.dataset, b.metric, f.model, f.value, f.published_on, f.published_precision, f.paper_title,
            f.paper_url, f.arxiv_id, f.source, f.uses_additional_data, f.is_estimate, f.first_seen_at,
            b.direction, b.unit, f.result_id
        FROM sota_frontier AS f
        JOIN benchmarks AS b ON b.benchmark_id = f.benchmark_id
        WHERE known_at IS NULL AND NOT all_settings
          AND f.extra_data_allowed = coalesce(extra_data, true)
          AND f.estimates_allowed = coalesce(estimates, false)
          AND f.from_date <= CAST(d AS DATE)
          AND (f.until_date IS NULL OR f.until_date > CAST(d AS DATE))
    ),
    from_versions AS (
        -- an instant in the past, or every setting counted: the best of the versions shown then (ties go to whoever
        -- got there first);
        -- written out rather than through sw_claims, whose binding would cost every call a few milliseconds
        SELECT
            b.task, b.dataset, b.metric, b.direction, b.unit,
            arg_max(
                struct_pack(
                    result_id := r.result_id, model := r.model, value := r.value, published_on := r.published_on,
                    published_precision := r.published_precision, paper_title := r.paper_title,
                    paper_url := r.paper_url, arxiv_id := r.arxiv_id, source := r.source,
                    uses_additional_data := r.uses_additional_data, is_estimate := r.is_estimate,
                    first_seen_at := r.first_seen_at
                ),
                struct_pack(
                    k := CASE WHEN b.direction = 'lower' THEN -r.value ELSE r.value END,
                    e := -epoch(coalesce(r.published_on, CAST(r.claim_first_seen_at AS DATE))),
                    f := -epoch(r.first_seen_at), i := -r.result_id
                )
            ) AS w
        FROM results AS r
        JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
        WHERE (known_at IS NOT NULL OR all_settings)
          AND b.direction <> 'none'
          AND (known_at IS NULL OR r.first_seen_at <= sw_known_instant(known_at))
          AND CASE WHEN known_at IS NULL THEN r.removed_at IS NULL
                   ELSE r.removed_at IS NULL OR r.removed_at > sw_known_instant(known_at) END
          AND (all_settings OR sw_comparable(r.setting))
          AND (extra_data IS NULL OR extra_data OR r.uses_additional_data IS DISTINCT FROM true)
          AND (estimates OR NOT r.is_estimate)
          AND coalesce(r.published_on, CAST(r.claim_first_seen_at AS DATE)) <= CAST(d AS DATE)
        GROUP BY b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit
    )
    SELECT * FROM from_frontier
    UNION ALL
    SELECT
        v.task, v.dataset, v.metric, v.w.model, v.w.value, v.w.published_on, v.w.published_precision,
        v.w.paper_title, v.w.paper_url, v.w.arxiv_id, v.w.source, v.w.uses_additional_data, v.w.is_estimate,
        v.w.first_seen_at, v.direction, v.unit, v.w.result_id
    FROM from_versions AS v
    ORDER BY task, dataset, metric;
