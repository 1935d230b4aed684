-- The validated rows of this load, matched to their benchmark and to the claim's current version (if any). A change
-- of any field a question reads (the value, its standard error and interval, the names, the dates, the extra-data and code
-- flags) is a new version.
CREATE OR REPLACE TEMP TABLE staged AS
SELECT
    i.*,
    b.benchmark_id,
    cur.result_id AS current_result_id,
    cur.claim_first_seen_at AS current_claim_first_seen_at,
    CASE
        WHEN cur.result_id IS NULL THEN 'new'
        WHEN cur.value IS NOT DISTINCT FROM i.value
         AND cur.model IS NOT DISTINCT FROM i.model
         AND cur.is_estimate IS NOT DISTINCT FROM i.is_estimate
         AND cur.is_suspect IS NOT DISTINCT FROM i.is_suspect
         AND cur.paper_title IS NOT DISTINCT FROM i.paper_title
         AND cur.paper_url IS NOT DISTINCT FROM i.paper_url
         AND cur.arxiv_id IS NOT DISTINCT FROM i.arxiv_id
         AND cur.published_on IS NOT DISTINCT FROM i.published_on
         AND cur.published_precision IS NOT DISTINCT FROM i.published_precision
         AND cur.uses_additional_data IS NOT DISTINCT FROM i.uses_additional_data
         AND cur.has_code IS NOT DISTINCT FROM i.has_code
         AND cur.stderr IS NOT DISTINCT FROM CAST(i.stderr AS DOUBLE)
         AND cur.interval_low IS NOT DISTINCT FROM CAST(i.interval_low AS DOUBLE)
         AND cur.interval_high IS NOT DISTINCT FROM CAST(i.interval_high AS DOUBLE)
            THEN 'unchanged'
        ELSE 'changed'
    END AS change,
    earlier.claim_first_seen_at AS earlier_claim_first_seen_at
FROM incoming AS i
JOIN benchmarks AS b ON b.benchmark_key = i.benchmark_key
LEFT JOIN results AS cur
    ON cur.source = $source AND cur.claim_key = i.claim_key AND cur.removed_at IS NULL
LEFT JOIN (
    SELECT r.claim_key, min(r.claim_first_seen_at) AS claim_first_seen_at
    FROM results AS r WHERE r.source = $source GROUP BY r.claim_key
) AS earlier ON earlier.claim_key = i.claim_key
