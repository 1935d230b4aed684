-- A result several claims show (several sources, or one source's successive keys): a version for each stretch of
-- transaction time during which the same witness versions showed it, i.e. between consecutive instants at which one of
-- its witness versions appeared or ended. In each:
-- - the value, model name and result_id are those of one witness, a sound value before a suspect one (far outside its
--   board's spread) and an exact value before an estimate: where the
--   witnesses disagree beyond rounding, the most recent observation (the witness version first seen last); where they
--   agree at the precision shown, the most precise (72.14 over 72.1, whichever came first). "Most recent" is when a
--   value was first observed, not when it was last seen again: every source is seen again each night, and which one
--   ran last must not flip the value;
-- - the paper is the most recent witness's that names one;
-- - the publication date is the earliest: a precise date inside a coarser period refines it ("2019-11-11" over
--   "2019-11"), otherwise the period that ends first wins;
-- - the extra-data flag is stated by any witness that states one; when witnesses disagree it is true, so that a
--   question without extra training data leaves the result out, and the disagreement is a conflict;
-- - the result has code when any witness says so (one repository is enough), has none when the witnesses that say
--   anything all say none, and NULL when none says;
-- - the first sighting (for undated results) is that of any of its claims seen by then, shown or no longer shown, so
--   that a renamed checkpoint keeps the date it was first seen under its old name.
INSERT INTO consolidated_results (
    consolidated_id, benchmark_id, result_id, model, value, is_estimate, paper_title, paper_url, arxiv_id,
    published_on, published_precision, uses_additional_data, setting, claim_first_seen_at, first_seen_at,
    seen_from, removed_at, source, sources, witness_ids, lowest, highest, value_conflict, extra_data_conflict,
    is_suspect, has_code, stderr, evaluators, interval_low, interval_high
)
WITH members AS MATERIALIZED (
    SELECT
        r.result_id, r.source, r.benchmark_id, r.model, r.value, r.is_estimate, r.paper_title, r.paper_url,
        r.arxiv_id, r.published_on, r.published_precision, r.uses_additional_data, r.setting,
        r.claim_first_seen_at, r.first_seen_at, r.removed_at, r.is_suspect, r.has_code, r.stderr, r.evaluator,
        r.interval_low, r.interval_high,
        g.consolidated_id,
        sw_decimals(r.value) AS decimals
    FROM cc_versions AS v
    JOIN cc_groups AS g ON g.claim_id = v.claim_id
    JOIN results AS r ON r.result_id = v.result_id
    WHERE g.claims > 1
),
-- the instants at which a witness version appeared (with its claim's first sighting) or ended
instants AS (
    SELECT e.consolidated_id, e.at, min(e.sighted) AS sighted
    FROM (
        SELECT m.consolidated_id, m.first_seen_at AS at, m.claim_first_seen_at AS sighted FROM members AS m
        UNION ALL
        SELECT m.consolidated_id, m.removed_at, NULL FROM members AS m WHERE m.removed_at IS NOT NULL
    ) AS e
    GROUP BY e.consolidated_id, e.at
),
stretches AS (
    SELECT
        i.consolidated_id, i.at AS seen_from,
        lead(i.at) OVER (PARTITION BY i.consolidated_id ORDER BY i.at) AS seen_until,
        min(i.sighted) OVER (PARTITION BY i.consolidated_id ORDER BY i.at
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS claim_first_seen_at
    FROM instants AS i
),
shown AS (
    SELECT s.seen_from, s.seen_until, s.claim_first_seen_at AS sighted, m.*
    FROM stretches AS s
    JOIN members AS m
      ON m.consolidated_id = s.consolidated_id
     AND m.first_seen_at <= s.seen_from AND (m.removed_at IS NULL OR m.removed_at > s.seen_from)
),
-- No ordered aggregate below: over a million results they cost seconds each; lists are sorted afterwards instead.
merged AS (
    SELECT
        w.consolidated_id, w.seen_from,
        any_value(w.seen_until) AS seen_until,
        any_value(w.sighted) AS claim_first_seen_at,
        any_value(w.benchmark_id) AS benchmark_id,
        max(w.setting) AS setting,  -- at most one: two different settings are never one result
        arg_max(
            struct_pack(result_id := w.result_id, model := w.model, value := w.value, stderr := w.stderr,
                        low := w.interval_low, high := w.interval_high),
            struct_pack(s := NOT w.is_suspect, x := NOT w.is_estimate, f := w.first_seen_at, i := w.result_id)
        ) AS latest,
        arg_max(
            struct_pack(result_id := w.result_id, model := w.model, value := w.value, stderr := w.stderr,
                        low := w.interval_low, high := w.interval_high),
            struct_pack(s := NOT w.is_suspect, x := NOT w.is_estimate, d := w.decimals, f := w.first_seen_at,
                        i := w.result_id)
        ) AS finest,
        arg_max(
            struct_pack(title := w.paper_title, url := w.paper_url, arxiv := w.arxiv_id),
            struct_pack(
                p := w.paper_title IS NOT NULL OR w.paper_url IS NOT NULL OR w.arxiv_id IS NOT NULL,
                x := NOT w.is_estimate, f := w.first_seen_at, i := w.result_id
            )
        ) AS paper,
        arg_min(
            struct_pack(day := w.published_on, dated_precision := w.published_precision),
            struct_pack(
                ends := CASE w.published_precision
                            WHEN 'year' THEN w.published_on + INTERVAL 1 YEAR - INTERVAL 1 DAY
                            WHEN 'month' THEN w.published_on + INTERVAL 1 MONTH - INTERVAL 1 DAY
                            ELSE w.published_on + INTERVAL 0 DAY
                        END,
                coarse := CASE w.published_precision WHEN 'day' THEN 0 WHEN 'month' THEN 1 ELSE 2 END,
                i := w.result_id
            )
        ) FILTER (WHERE w.published_on IS NOT NULL) AS dated,
        bool_and(w.is_estimate) AS is_estimate,
        bool_and(w.is_suspect) AS is_suspect,  -- one sound witness vouches for the result
        bool_or(w.uses_additional_data) AS said_extra,
        bool_or(NOT w.uses_additional_data) AS said_plain,
        bool_or(w.has_code) AS has_code,  -- NULLs are skipped: true if any says so, NULL if none says
        min(w.first_seen_at) AS first_seen_at,
        list_sort(list(struct_pack(source := w.source, result_id := w.result_id))) AS witnesses,
        list(struct_pack(v := w.value, d := w.decimals)) AS vals,
        list_sort(list_distinct(list(w.evaluator) FILTER (WHERE w.evaluator IS NOT NULL))) AS evaluators,
        arg_max(w.stderr, w.first_seen_at) FILTER (WHERE w.stderr IS NOT NULL) AS any_stderr,
        arg_max(struct_pack(low := w.interval_low, high := w.interval_high), w.first_seen_at)
            FILTER (WHERE w.interval_low IS NOT NULL) AS any_interval,
        min(w.value) AS lowest,
        max(w.value) AS highest
    FROM shown AS w
    GROUP BY w.consolidated_id, w.seen_from
),
decided AS (
    SELECT
        m.*,
        -- sw_values_agree for every two witnesses, on decimals counted once per witness
        m.lowest < m.highest AND list_bool_or(list_transform(m.vals, lambda a: list_bool_or(list_transform(m.vals,
            lambda b: round(abs(a.v - b.v) * pow(10, least(a.d, b.d)), 9) > 0.5)))) AS value_conflict
    FROM merged AS m
)
SELECT
    m.consolidated_id, m.benchmark_id,
    CASE WHEN m.value_conflict THEN m.latest.result_id ELSE m.finest.result_id END,
    CASE WHEN m.value_conflict THEN m.latest.model ELSE m.finest.model END,
    CASE WHEN m.value_conflict THEN m.latest.value ELSE m.finest.value END,
    m.is_estimate,
    m.paper.title, m.paper.url, m.paper.arxiv,
    m.dated.day, coalesce(m.dated.dated_precision, 'unknown'),
    CASE WHEN m.said_extra THEN true WHEN m.said_plain THEN false END,
    m.setting, m.claim_first_seen_at, m.first_seen_at,
    m.seen_from, m.seen_until,
    -- one witness per source at any instant (two claims of one source are never one result at once)
    array_to_string(list_transform(m.witnesses, lambda x: x.source), ', '),
    list_transform(m.witnesses, lambda x: x.source),
    list_transform(m.witnesses, lambda x: x.result_id),
    m.lowest, m.highest, m.value_conflict,
    coalesce(m.said_extra AND m.said_plain, false),
    m.is_suspect, m.has_code,
    -- the standard error of the witness whose value is shown; where the witnesses agree and that one gives none,
    -- the latest one any of them gives (it is the same result's)
    CASE WHEN m.value_conflict THEN m.latest.stderr ELSE coalesce(m.finest.stderr, m.any_stderr) END,
    coalesce(m.evaluators, CAST([] AS VARCHAR[])),
    -- the same for its interval
    CASE WHEN m.value_conflict THEN m.latest.low WHEN m.finest.low IS NOT NULL THEN m.finest.low ELSE m.any_interval.low END,
    CASE WHEN m.value_conflict THEN m.latest.high WHEN m.finest.low IS NOT NULL THEN m.finest.high ELSE m.any_interval.high END
FROM decided AS m
ORDER BY m.benchmark_id, m.consolidated_id, m.seen_from
