-- Uncertainty and who evaluated (issue 15).
--
-- The questions now show each result's `setting` (a reasoning effort, an image size, zero-shot: two settings of one
-- model are two results). A consolidated result shows the standard error of the witness whose value it shows (`stderr`, in the result's
-- unit, NULL where that source gives none), and lists who evaluated it: `evaluators`, the distinct `evaluator`s of
-- its witnesses ('first-party': the model's own developer reported it; 'third-party': someone else ran it; other
-- words as a source gives them), empty where no witness says. The frontier carries the holder's standard error.
--
-- Noise. Two results are within each other's noise when both standard errors are known and their margin is below
-- twice the combined standard error, sqrt(se_a^2 + se_b^2) (sw_within_noise; an exact tie always is), or, where either
-- error is unknown, both give a confidence interval (Every Eval Ever's) and the intervals overlap (sw_noise_tie,
-- which the questions use; results, consolidated results and the frontier keep `interval_low`, `interval_high`, in
-- the result's unit, of the witness shown, as they keep its standard error); z is the margin
-- in combined standard errors (sw_noise_z, shown to two decimals; NULL when an error is unknown or both are 0). So:
-- - `sota_within_noise(d, ...)` (sota_as_of's arguments) lists, after each benchmark's leader (`co_leader` false),
--   every result of its board within the leader's noise (`co_leader` true, with `z`);
-- - `sota_history` gives each step the previous best's standard error, `z`, and `within_noise`: a step whose margin
--   lies within the noise is a tie within noise, not a new SOTA (it stays listed, marked; NULL: unknown). Each step is
--   weighed against the best just before it, so small steps that are each a tie can add up to a clear lead (GPQA
--   Diamond on Epoch's runs: every step of 2025 is a tie, o1's 76 +- 3 to GPT-5.1's 88 +- 2 is not);
-- - new-SOTA detection records such a move as kind 'tied within noise' and queues no alert (warehouse/sota_detect.py).
-- The questions take one more filter, `evaluator := 'third-party'` (or 'first-party'): only results one such witness
-- shows. The frontier does not hold it: it reads the versions.
-- Macro parameters shadow column names, so every column is qualified by its table alias.

ALTER TABLE results ADD COLUMN evaluator VARCHAR;
ALTER TABLE results ADD COLUMN interval_low DOUBLE;
ALTER TABLE results ADD COLUMN interval_high DOUBLE;
ALTER TABLE consolidated_results ADD COLUMN stderr DOUBLE;
ALTER TABLE consolidated_results ADD COLUMN interval_low DOUBLE;
ALTER TABLE consolidated_results ADD COLUMN interval_high DOUBLE;
ALTER TABLE consolidated_results ADD COLUMN evaluators VARCHAR[] DEFAULT [];
ALTER TABLE consolidated_results ALTER COLUMN evaluators SET NOT NULL;  -- in two steps, as duckdb 1.5 needs
ALTER TABLE sota_frontier ADD COLUMN stderr DOUBLE;
ALTER TABLE sota_frontier ADD COLUMN setting VARCHAR;
ALTER TABLE sota_frontier ADD COLUMN interval_low DOUBLE;
ALTER TABLE sota_frontier ADD COLUMN interval_high DOUBLE;

-- What a new SOTA record knows of the noise, one row per record written since this migration (DuckDB cannot add
-- columns to `sota_records`, which the outbox references): whether it is one ('new SOTA') or a move within the noise
-- ('tied within noise', never alerted), both standard errors, and the margin in combined standard errors where known.
-- A record without a row here is a 'new SOTA' of unknown noise.
CREATE TABLE sota_record_noise (
    record_id       BIGINT PRIMARY KEY,
    kind            VARCHAR NOT NULL CHECK (kind IN ('new SOTA', 'tied within noise')),
    stderr          DOUBLE,
    previous_stderr DOUBLE,
    z               DOUBLE,
    basis           VARCHAR CHECK (basis IN ('standard errors', 'intervals'))  -- what decided the kind; NULL: unknown
);

CREATE OR REPLACE MACRO sw_combined_stderr(a, b) AS sqrt(a * a + b * b);

-- NULL (unknown) when an error is missing, or when both are 0: the sources round errors (Epoch's "±0" is an error
-- below half a point), so 0 and 0 say nothing of the noise.
CREATE OR REPLACE MACRO sw_within_noise(margin, a, b) AS
    CASE
        WHEN margin <= 0 THEN true
        WHEN a IS NULL OR b IS NULL OR sw_combined_stderr(a, b) = 0 THEN NULL
        ELSE margin < 2 * sw_combined_stderr(a, b)
    END;

-- Within the noise by standard errors where both are known, else by confidence intervals where both are given (they
-- overlap), else NULL: unknown.
CREATE OR REPLACE MACRO sw_noise_tie(margin, se_a, se_b, low_a, high_a, low_b, high_b) AS
    coalesce(sw_within_noise(margin, se_a, se_b),
             CASE WHEN low_a IS NOT NULL AND low_b IS NOT NULL THEN low_a <= high_b AND low_b <= high_a END);

CREATE OR REPLACE MACRO sw_noise_z(margin, a, b) AS
    CASE WHEN sw_combined_stderr(a, b) > 0 THEN margin / sw_combined_stderr(a, b) END;

-- The results visible at an instant, as in migration 009, with each one's standard error and evaluators, and the
-- evaluator filter.
CREATE OR REPLACE MACRO sw_results(known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false, with_code := false, sources := NULL, evaluator := NULL) AS TABLE
    SELECT
        b.task, b.dataset, b.metric, b.direction, b.unit,
        c.consolidated_id, c.result_id, c.benchmark_id, c.model, c.value, c.published_on, c.published_precision,
        c.paper_title, c.paper_url, c.arxiv_id, c.source, c.sources, c.uses_additional_data, c.is_estimate,
        c.first_seen_at, c.seen_from, c.removed_at, c.value_conflict, c.extra_data_conflict,
        coalesce(c.published_on, CAST(c.claim_first_seen_at AS DATE)) AS effective_on,
        CASE WHEN b.direction = 'lower' THEN -c.value ELSE c.value END AS better_key,
        c.is_suspect, c.has_code, c.stderr, c.evaluators, c.setting,
        c.interval_low, c.interval_high
    FROM consolidated_results AS c
    JOIN benchmarks AS b ON b.benchmark_id = c.benchmark_id
    WHERE sources IS NULL
      AND b.direction IN ('higher', 'lower')
      AND CASE
              WHEN known_at IS NULL THEN c.removed_at IS NULL
              ELSE c.seen_from <= sw_known_instant(known_at)
                   AND (c.removed_at IS NULL OR c.removed_at > sw_known_instant(known_at))
          END
      AND (extra_data IS NULL OR extra_data OR c.uses_additional_data IS DISTINCT FROM true)
      AND (estimates OR NOT c.is_estimate)
      AND (all_settings OR sw_comparable(c.setting))
      AND (suspects OR NOT c.is_suspect)
      AND (NOT with_code OR c.has_code IS true)
      AND (evaluator IS NULL OR list_contains(c.evaluators, evaluator))
    UNION ALL
    SELECT
        b.task, b.dataset, b.metric, b.direction, b.unit,
        CAST(NULL AS BIGINT) AS consolidated_id, r.result_id, r.benchmark_id, r.model, r.value, r.published_on,
        r.published_precision, r.paper_title, r.paper_url, r.arxiv_id, r.source, [r.source] AS sources,
        r.uses_additional_data, r.is_estimate, r.first_seen_at, r.first_seen_at AS seen_from, r.removed_at,
        false AS value_conflict, false AS extra_data_conflict,
        coalesce(r.published_on, CAST(r.claim_first_seen_at AS DATE)) AS effective_on,
        CASE WHEN b.direction = 'lower' THEN -r.value ELSE r.value END AS better_key,
        r.is_suspect, r.has_code, r.stderr,
        CASE WHEN r.evaluator IS NULL THEN CAST([] AS VARCHAR[]) ELSE [r.evaluator] END AS evaluators, r.setting,
        r.interval_low, r.interval_high
    FROM results AS r
    JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
    WHERE sources IS NOT NULL AND list_contains(sources, r.source)
      AND b.direction IN ('higher', 'lower')
      AND CASE
              WHEN known_at IS NULL THEN r.removed_at IS NULL
              ELSE r.first_seen_at <= sw_known_instant(known_at)
                   AND (r.removed_at IS NULL OR r.removed_at > sw_known_instant(known_at))
          END
      AND (extra_data IS NULL OR extra_data OR r.uses_additional_data IS DISTINCT FROM true)
      AND (estimates OR NOT r.is_estimate)
      AND (all_settings OR sw_comparable(r.setting))
      AND (suspects OR NOT r.is_suspect)
      AND (NOT with_code OR r.has_code IS true)
      AND (evaluator IS NULL OR r.evaluator = evaluator);

-- One row per benchmark: the best result counting from on or before d. Latest knowledge reads the frontier (which
-- holds no suspect and knows neither `with_code` nor `sources`); an instant in the past, every setting counted,
-- suspects counted or only results with code read the consolidated versions; `sources` reads those lineages' own
-- claim versions. Only one of the three branches reads anything: their conditions are constants once the macro's
-- arguments are bound. Ties go to the result that got there first (earlier date, then earlier sighting), then to the
-- model name and paper in alphabetical order (so a rebuild, which numbers results anew, names the same one), as in the frontier.
CREATE OR REPLACE MACRO sota_as_of(d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false, with_code := false, sources := NULL, evaluator := NULL) AS TABLE
    WITH from_frontier AS (
        SELECT
            b.task, b.dataset, b.metric, f.model, f.value, f.published_on, f.published_precision, f.paper_title,
            f.paper_url, f.arxiv_id, f.source, f.uses_additional_data, f.is_estimate, f.first_seen_at,
            b.direction, b.unit, f.result_id, f.sources, f.consolidated_id, false AS is_suspect, f.has_code,
            f.stderr, f.setting, f.interval_low, f.interval_high
        FROM sota_frontier AS f
        JOIN benchmarks AS b ON b.benchmark_id = f.benchmark_id
        WHERE known_at IS NULL AND NOT all_settings AND NOT suspects AND NOT with_code AND sources IS NULL
          AND evaluator IS NULL
          AND f.extra_data_allowed = coalesce(extra_data, true)
          AND f.estimates_allowed = coalesce(estimates, false)
          AND f.from_date <= CAST(d AS DATE)
          AND (f.until_date IS NULL OR f.until_date > CAST(d AS DATE))
    ),
    from_versions AS (
        -- written out rather than through sw_results, whose binding would cost every call a few milliseconds
        SELECT
            b.task, b.dataset, b.metric, b.direction, b.unit,
            arg_min(
                struct_pack(
                    result_id := c.result_id, model := c.model, value := c.value, published_on := c.published_on,
                    published_precision := c.published_precision, paper_title := c.paper_title,
                    paper_url := c.paper_url, arxiv_id := c.arxiv_id, source := c.source,
                    uses_additional_data := c.uses_additional_data, is_estimate := c.is_estimate,
                    first_seen_at := c.first_seen_at, sources := c.sources, consolidated_id := c.consolidated_id,
                    is_suspect := c.is_suspect, has_code := c.has_code, stderr := c.stderr,
                    setting := c.setting, interval_low := c.interval_low, interval_high := c.interval_high
                ),
                struct_pack(
                    k := CASE WHEN b.direction = 'lower' THEN c.value ELSE -c.value END,
                    e := epoch(coalesce(c.published_on, CAST(c.claim_first_seen_at AS DATE))),
                    f := epoch(c.first_seen_at), m := c.model,
                    p := coalesce(c.paper_title, ''), u := coalesce(c.paper_url, ''), i := c.result_id
                )
            ) AS w
        FROM consolidated_results AS c
        JOIN benchmarks AS b ON b.benchmark_id = c.benchmark_id
        WHERE (known_at IS NOT NULL OR all_settings OR suspects OR with_code OR evaluator IS NOT NULL)
          AND sources IS NULL
          AND b.direction IN ('higher', 'lower')
          AND (known_at IS NULL OR c.seen_from <= sw_known_instant(known_at))
          AND CASE WHEN known_at IS NULL THEN c.removed_at IS NULL
                   ELSE c.removed_at IS NULL OR c.removed_at > sw_known_instant(known_at) END
          AND (all_settings OR sw_comparable(c.setting))
          AND (extra_data IS NULL OR extra_data OR c.uses_additional_data IS DISTINCT FROM true)
          AND (estimates OR NOT c.is_estimate)
          AND (suspects OR NOT c.is_suspect)
          AND (NOT with_code OR c.has_code IS true)
          AND (evaluator IS NULL OR list_contains(c.evaluators, evaluator))
          AND coalesce(c.published_on, CAST(c.claim_first_seen_at AS DATE)) <= CAST(d AS DATE)
        GROUP BY b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit
    ),
    from_claims AS (
        -- the same over the lineages' own claim versions, each its own result (no consolidated id)
        SELECT
            b.task, b.dataset, b.metric, b.direction, b.unit,
            arg_min(
                struct_pack(
                    result_id := r.result_id, model := r.model, value := r.value, published_on := r.published_on,
                    published_precision := r.published_precision, paper_title := r.paper_title,
                    paper_url := r.paper_url, arxiv_id := r.arxiv_id, source := r.source,
                    uses_additional_data := r.uses_additional_data, is_estimate := r.is_estimate,
                    first_seen_at := r.first_seen_at, sources := [r.source],
                    consolidated_id := CAST(NULL AS BIGINT), is_suspect := r.is_suspect, has_code := r.has_code,
                    stderr := r.stderr, setting := r.setting, interval_low := r.interval_low,
                    interval_high := r.interval_high
                ),
                struct_pack(
                    k := CASE WHEN b.direction = 'lower' THEN r.value ELSE -r.value END,
                    e := epoch(coalesce(r.published_on, CAST(r.claim_first_seen_at AS DATE))),
                    f := epoch(r.first_seen_at), m := r.model,
                    p := coalesce(r.paper_title, ''), u := coalesce(r.paper_url, ''), i := r.result_id
                )
            ) AS w
        FROM results AS r
        JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
        WHERE sources IS NOT NULL AND list_contains(sources, r.source)
          AND b.direction IN ('higher', 'lower')
          AND (known_at IS NULL OR r.first_seen_at <= sw_known_instant(known_at))
          AND CASE WHEN known_at IS NULL THEN r.removed_at IS NULL
                   ELSE r.removed_at IS NULL OR r.removed_at > sw_known_instant(known_at) END
          AND (all_settings OR sw_comparable(r.setting))
          AND (extra_data IS NULL OR extra_data OR r.uses_additional_data IS DISTINCT FROM true)
          AND (estimates OR NOT r.is_estimate)
          AND (suspects OR NOT r.is_suspect)
          AND (NOT with_code OR r.has_code IS true)
          AND (evaluator IS NULL OR r.evaluator = evaluator)
          AND coalesce(r.published_on, CAST(r.claim_first_seen_at AS DATE)) <= CAST(d AS DATE)
        GROUP BY b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit
    ),
    scanned AS (
        SELECT * FROM from_versions
        UNION ALL
        SELECT * FROM from_claims
    ),
    leaders AS (
        SELECT * FROM from_frontier
        UNION ALL
        SELECT
            v.task, v.dataset, v.metric, v.w.model, v.w.value, v.w.published_on, v.w.published_precision,
            v.w.paper_title, v.w.paper_url, v.w.arxiv_id, v.w.source, v.w.uses_additional_data, v.w.is_estimate,
            v.w.first_seen_at, v.direction, v.unit, v.w.result_id, v.w.sources, v.w.consolidated_id, v.w.is_suspect,
            v.w.has_code, v.w.stderr, v.w.setting, v.w.interval_low, v.w.interval_high
        FROM scanned AS v
    )
    SELECT l.* FROM leaders AS l
    ORDER BY task, dataset, metric;

-- Each benchmark's leader as sota_as_of gives it (`co_leader` false), then every other result of its board, under the
-- same filters and counting from on or before d, whose margin to the leader lies within the noise (sw_noise_tie;
-- `co_leader` true, `z` the margin in combined standard errors). A macro of its own rather than an option of
-- sota_as_of: binding this branch costs every call of sota_as_of about 4 ms, and a one-benchmark answer there is timed
-- against 10 ms (bench/RESULTS.md).
CREATE OR REPLACE MACRO sota_within_noise(d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false, with_code := false, sources := NULL, evaluator := NULL) AS TABLE
    WITH leaders AS (
        SELECT * FROM sota_as_of(d, known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings, suspects := suspects, with_code := with_code, sources := sources, evaluator := evaluator)
    ),
    co_leaders AS (
        SELECT
            c.task, c.dataset, c.metric, c.model, c.value, c.published_on, c.published_precision, c.paper_title,
            c.paper_url, c.arxiv_id, c.source, c.uses_additional_data, c.is_estimate, c.first_seen_at, c.direction,
            c.unit, c.result_id, c.sources, c.consolidated_id, c.is_suspect, c.has_code, c.stderr, c.setting,
            c.interval_low, c.interval_high,
            true AS co_leader,
            round(sw_noise_z(abs(l.value - c.value), l.stderr, c.stderr), 2) AS z
        FROM leaders AS l
        JOIN sw_results(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings, suspects := suspects, with_code := with_code, sources := sources, evaluator := evaluator) AS c
          ON c.task = l.task AND c.dataset = l.dataset AND c.metric = l.metric
        WHERE c.effective_on <= CAST(d AS DATE)
          AND c.result_id <> l.result_id
          AND sw_noise_tie(abs(l.value - c.value), l.stderr, c.stderr, l.interval_low, l.interval_high,
                           c.interval_low, c.interval_high)
    )
    SELECT * FROM (
        SELECT l.*, false AS co_leader, CAST(NULL AS DOUBLE) AS z FROM leaders AS l
        UNION ALL
        SELECT * FROM co_leaders
    ) AS answer  -- ordered outside the union: duckdb 1.5 orders a union by its columns only
    ORDER BY task, dataset, metric, co_leader, CASE WHEN direction = 'lower' THEN value ELSE -value END, model, setting;

-- The ranked board of one benchmark as of d, one row per consolidated result (per claim, given `sources`); equal
-- values share a rank. `source` names every witness as text, `sources` as a list.
CREATE OR REPLACE MACRO leaderboard_as_of(task, dataset, metric, d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false, with_code := false, sources := NULL, evaluator := NULL) AS TABLE
    SELECT
        rank() OVER (ORDER BY c.better_key DESC) AS rank,
        c.task, c.dataset, c.metric, c.model, c.value, c.published_on, c.published_precision,
        c.paper_title, c.paper_url, c.arxiv_id, c.source, c.uses_additional_data, c.is_estimate,
        c.first_seen_at, c.direction, c.unit, c.result_id, c.sources, c.consolidated_id, c.is_suspect, c.has_code,
        c.stderr, c.evaluators, c.setting, c.interval_low, c.interval_high
    FROM sw_results(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings, suspects := suspects, with_code := with_code, sources := sources, evaluator := evaluator) AS c
    WHERE c.task = task AND c.dataset = dataset AND c.metric = metric
      AND c.effective_on <= CAST(d AS DATE)
    ORDER BY c.better_key DESC, c.effective_on, c.first_seen_at, c.model, c.paper_title, c.paper_url, c.result_id;

-- The SOTA steps of one benchmark in publication order: each result that beat every result counting from a strictly
-- earlier date, with the best value before it and the margin (always positive: how much better).
CREATE OR REPLACE MACRO sota_history(task, dataset, metric, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false, with_code := false, sources := NULL, evaluator := NULL) AS TABLE
    WITH board AS (
        SELECT
            c.*,
            max(c.better_key) OVER (
                ORDER BY c.effective_on RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
            ) AS best_before,
            arg_max(struct_pack(se := c.stderr, low := c.interval_low, high := c.interval_high), c.better_key) OVER (
                ORDER BY c.effective_on RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
            ) AS previous
        FROM sw_results(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings, suspects := suspects, with_code := with_code, sources := sources, evaluator := evaluator) AS c
        WHERE c.task = task AND c.dataset = dataset AND c.metric = metric
    )
    SELECT
        s.task, s.dataset, s.metric, s.model, s.value, s.published_on, s.published_precision,
        s.paper_title, s.paper_url, s.arxiv_id, s.source, s.uses_additional_data, s.is_estimate, s.first_seen_at,
        CASE WHEN s.direction = 'lower' THEN -s.best_before ELSE s.best_before END AS previous_value,
        s.better_key - s.best_before AS margin,
        s.effective_on, s.direction, s.unit, s.result_id, s.sources, s.consolidated_id, s.is_suspect, s.has_code,
        s.stderr, s.evaluators, s.setting, s.interval_low, s.interval_high, s.previous.se AS previous_stderr,
        round(sw_noise_z(s.better_key - s.best_before, s.stderr, s.previous.se), 2) AS z,
        CASE WHEN s.best_before IS NOT NULL
             THEN sw_noise_tie(s.better_key - s.best_before, s.stderr, s.previous.se, s.interval_low, s.interval_high,
                               s.previous.low, s.previous.high) END AS within_noise
    FROM board AS s
    WHERE s.best_before IS NULL OR s.better_key > s.best_before
    ORDER BY s.effective_on, s.better_key, s.first_seen_at, s.model, s.paper_title, s.paper_url, s.result_id;
