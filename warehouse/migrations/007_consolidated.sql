-- One trustworthy answer per benchmark (issue 12): the claims of several sources about one result become one
-- consolidated result, and the questions (`sota_as_of`, `leaderboard_as_of`, `sota_history`, `conflicts`) answer from
-- it. `results` stays as it is, the raw layer: one versioned claim per source.
--
-- The consolidated layer is derived data, like the frontier: `warehouse/frontier.py` recomputes it for the benchmarks
-- a load touched, inside the load's transaction (SQL in warehouse/sql/consolidate_*.sql), and whole after this
-- migration. How claims are found to be one result is said there; what a consolidated result shows is said below.
-- Macro parameters shadow column names, so every column is qualified by its table alias.

-- Names of one model that fold differently (timm's 2023 renames), read from warehouse/model_aliases.csv at load time:
-- the file is the registry, this table its copy inside the warehouse file so that SQL can join it.
CREATE TABLE model_aliases (
    alias         VARCHAR NOT NULL,
    canonical     VARCHAR NOT NULL,
    alias_key     VARCHAR PRIMARY KEY,  -- sw_model_key(alias)
    canonical_key VARCHAR NOT NULL      -- sw_model_key(canonical)
);

-- The sha256 of the alias file the table was loaded from: a load that finds another file reloads it and recomputes
-- every benchmark, since any identity may have changed.
CREATE TABLE model_alias_file (
    sha256    VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

-- Values far outside their board's spread (issue 12): a result version may be suspect (pipelines/suspects.py says
-- when, and its `attributes` say why, under "suspect"). It is kept and shown where asked for, but no answer counts it
-- unless `suspects := true`: not `sota_as_of`, not the frontier, not alerts. A change of the flag is a new version of
-- the claim. Versions loaded before this migration were never judged: they stay sound.
-- (added here, made NOT NULL by 012: duckdb 1.5, which the lake extra pins, can neither add a column with a constraint
-- nor, in the transaction that added it, constrain a column of a table with a key)
ALTER TABLE results ADD COLUMN is_suspect BOOLEAN DEFAULT false;

-- One row per version of a consolidated result: [seen_from, removed_at) is the transaction time during which the
-- same witness versions showed it (a witness appearing, changing or leaving starts a new version). So a consolidated
-- result is known at K exactly when some witness showed it at K, and "as known at K" reads this table the way the raw
-- layer's questions read `results`.
CREATE TABLE consolidated_results (
    consolidated_id      BIGINT NOT NULL,    -- the identity: the first result_id of the result's earliest claim
    benchmark_id         BIGINT NOT NULL,
    result_id            BIGINT NOT NULL,    -- the witness version whose value and name are shown: the most precise
                                             -- where the witnesses agree, else the most recent observation
    model                VARCHAR NOT NULL,
    value                DOUBLE NOT NULL,
    is_estimate          BOOLEAN NOT NULL,   -- every witness gives an estimate (an exact value is preferred to one)
    paper_title          VARCHAR,
    paper_url            VARCHAR,
    arxiv_id             VARCHAR,
    published_on         DATE,               -- the earliest publication date of the witnesses ...
    published_precision  VARCHAR NOT NULL,   -- ... with its precision
    uses_additional_data BOOLEAN,            -- stated by any witness; true when witnesses disagree (a conflict)
    setting              VARCHAR,
    claim_first_seen_at  TIMESTAMP NOT NULL, -- first sighting of any of its claims: stands in for an unknown date
    first_seen_at        TIMESTAMP NOT NULL, -- first sighting of the witness versions showing it now
    seen_from            TIMESTAMP NOT NULL,
    removed_at           TIMESTAMP,
    source               VARCHAR NOT NULL,   -- the witnesses' sources as plain text: 'csv, pwc-dump'
    sources              VARCHAR[] NOT NULL,
    witness_ids          BIGINT[] NOT NULL,  -- the result versions (of table `results`) that show it
    lowest               DOUBLE NOT NULL,
    highest              DOUBLE NOT NULL,
    value_conflict       BOOLEAN NOT NULL,   -- two witnesses disagree beyond rounding
    extra_data_conflict  BOOLEAN NOT NULL,   -- one witness says extra training data was used, another says not
    is_suspect           BOOLEAN NOT NULL DEFAULT false  -- every witness is suspect: one sound witness vouches for it
);

-- The frontier now holds consolidated results: which ones (for alerts) and every source that shows them.
ALTER TABLE sota_frontier ADD COLUMN sources VARCHAR[];
ALTER TABLE sota_frontier ADD COLUMN consolidated_id BIGINT;

-- How many decimals a value shows: its shortest decimal form, read back from the double (values were parsed from
-- decimal text, "72.10" and "72.1" alike). Ten at most: a value computed from a fraction shows them all.
CREATE OR REPLACE MACRO sw_decimals(v) AS
    coalesce(list_position(list_transform(range(0, 11), lambda n: round(v, n::INTEGER) = v), true) - 1, 10);

-- Two values agree at the precision shown when they differ by at most half a unit of the last decimal of the less
-- precise one: 72.1 and 72.14 agree (72.1 stands for 72.05 .. 72.15), 87.4 and 88.4 do not. The difference is
-- scaled and rounded so that 72.15 - 72.1, 0.05000000000000426 in doubles, counts as the 0.05 it is.
CREATE OR REPLACE MACRO sw_values_agree(a, b) AS
    round(abs(a - b) * pow(10, least(sw_decimals(a), sw_decimals(b))), 9) <= 0.5;

-- Two claims' papers do not contradict each other: the same arXiv id (two different ids always contradict), else the
-- same folded title, else one side has no paper at all. Titles are given folded (sw_model_key).
CREATE OR REPLACE MACRO sw_papers_agree(a_arxiv, a_title, b_arxiv, b_title) AS
    CASE
        WHEN a_arxiv IS NOT NULL AND b_arxiv IS NOT NULL THEN a_arxiv = b_arxiv
        WHEN a_title IS NOT NULL AND b_title IS NOT NULL AND a_title = b_title THEN true
        WHEN (a_arxiv IS NULL AND a_title IS NULL) OR (b_arxiv IS NULL AND b_title IS NULL) THEN true
        ELSE false
    END;

-- Two claims' settings do not contradict each other: the same setting, or one side says none (a model card's number
-- and timm's evaluation at its image size) while the other is comparable with fine-tuned results (never zero-shot).
CREATE OR REPLACE MACRO sw_settings_agree(a, b) AS
    a IS NOT DISTINCT FROM b OR (a IS NULL AND sw_comparable(b)) OR (b IS NULL AND sw_comparable(a));

-- The consolidated results visible at an instant (NULL: latest knowledge), on ranked benchmarks, with the date each
-- counts from (publication, or first sighting when unknown) and a key where larger is better whatever the direction.
-- `extra_data := false` leaves out results any witness says used extra training data (unknown stays in); suspects are
-- left out unless `suspects := true`.
CREATE OR REPLACE MACRO sw_results(known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false) AS TABLE
    SELECT
        b.task, b.dataset, b.metric, b.direction, b.unit,
        c.consolidated_id, c.result_id, c.benchmark_id, c.model, c.value, c.published_on, c.published_precision,
        c.paper_title, c.paper_url, c.arxiv_id, c.source, c.sources, c.uses_additional_data, c.is_estimate,
        c.first_seen_at, c.seen_from, c.removed_at, c.value_conflict, c.extra_data_conflict,
        coalesce(c.published_on, CAST(c.claim_first_seen_at AS DATE)) AS effective_on,
        CASE WHEN b.direction = 'lower' THEN -c.value ELSE c.value END AS better_key,
        c.is_suspect
    FROM consolidated_results AS c
    JOIN benchmarks AS b ON b.benchmark_id = c.benchmark_id
    WHERE b.direction IN ('higher', 'lower')
      AND CASE
              WHEN known_at IS NULL THEN c.removed_at IS NULL
              ELSE c.seen_from <= sw_known_instant(known_at)
                   AND (c.removed_at IS NULL OR c.removed_at > sw_known_instant(known_at))
          END
      AND (extra_data IS NULL OR extra_data OR c.uses_additional_data IS DISTINCT FROM true)
      AND (estimates OR NOT c.is_estimate)
      AND (all_settings OR sw_comparable(c.setting))
      AND (suspects OR NOT c.is_suspect);

-- One row per benchmark: the best consolidated result counting from on or before d. Latest knowledge reads the
-- frontier (which holds no suspect); an instant in the past, every setting counted or suspects counted read the
-- consolidated versions. Only one of the two branches reads anything: their conditions are constants once the macro's
-- arguments are bound. Ties go to the result that got there first (earlier date, then earlier sighting, then the lower
-- id), as in the frontier.
CREATE OR REPLACE MACRO sota_as_of(d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false) AS TABLE
    WITH from_frontier AS (
        SELECT
            b.task, b.dataset, b.metric, f.model, f.value, f.published_on, f.published_precision, f.paper_title,
            f.paper_url, f.arxiv_id, f.source, f.uses_additional_data, f.is_estimate, f.first_seen_at,
            b.direction, b.unit, f.result_id, f.sources, f.consolidated_id, false AS is_suspect
        FROM sota_frontier AS f
        JOIN benchmarks AS b ON b.benchmark_id = f.benchmark_id
        WHERE known_at IS NULL AND NOT all_settings AND NOT suspects
          AND f.extra_data_allowed = coalesce(extra_data, true)
          AND f.estimates_allowed = coalesce(estimates, false)
          AND f.from_date <= CAST(d AS DATE)
          AND (f.until_date IS NULL OR f.until_date > CAST(d AS DATE))
    ),
    from_versions AS (
        -- written out rather than through sw_results, whose binding would cost every call a few milliseconds
        SELECT
            b.task, b.dataset, b.metric, b.direction, b.unit,
            arg_max(
                struct_pack(
                    result_id := c.result_id, model := c.model, value := c.value, published_on := c.published_on,
                    published_precision := c.published_precision, paper_title := c.paper_title,
                    paper_url := c.paper_url, arxiv_id := c.arxiv_id, source := c.source,
                    uses_additional_data := c.uses_additional_data, is_estimate := c.is_estimate,
                    first_seen_at := c.first_seen_at, sources := c.sources, consolidated_id := c.consolidated_id,
                    is_suspect := c.is_suspect
                ),
                struct_pack(
                    k := CASE WHEN b.direction = 'lower' THEN -c.value ELSE c.value END,
                    e := -epoch(coalesce(c.published_on, CAST(c.claim_first_seen_at AS DATE))),
                    f := -epoch(c.first_seen_at), i := -c.result_id
                )
            ) AS w
        FROM consolidated_results AS c
        JOIN benchmarks AS b ON b.benchmark_id = c.benchmark_id
        WHERE (known_at IS NOT NULL OR all_settings OR suspects)
          AND b.direction IN ('higher', 'lower')
          AND (known_at IS NULL OR c.seen_from <= sw_known_instant(known_at))
          AND CASE WHEN known_at IS NULL THEN c.removed_at IS NULL
                   ELSE c.removed_at IS NULL OR c.removed_at > sw_known_instant(known_at) END
          AND (all_settings OR sw_comparable(c.setting))
          AND (extra_data IS NULL OR extra_data OR c.uses_additional_data IS DISTINCT FROM true)
          AND (estimates OR NOT c.is_estimate)
          AND (suspects OR NOT c.is_suspect)
          AND coalesce(c.published_on, CAST(c.claim_first_seen_at AS DATE)) <= CAST(d AS DATE)
        GROUP BY b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit
    )
    SELECT * FROM from_frontier
    UNION ALL
    SELECT
        v.task, v.dataset, v.metric, v.w.model, v.w.value, v.w.published_on, v.w.published_precision,
        v.w.paper_title, v.w.paper_url, v.w.arxiv_id, v.w.source, v.w.uses_additional_data, v.w.is_estimate,
        v.w.first_seen_at, v.direction, v.unit, v.w.result_id, v.w.sources, v.w.consolidated_id, v.w.is_suspect
    FROM from_versions AS v
    ORDER BY task, dataset, metric;

-- The ranked board of one benchmark as of d, one row per consolidated result; equal values share a rank. `source`
-- names every witness as text, `sources` as a list.
CREATE OR REPLACE MACRO leaderboard_as_of(task, dataset, metric, d, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false) AS TABLE
    SELECT
        rank() OVER (ORDER BY c.better_key DESC) AS rank,
        c.task, c.dataset, c.metric, c.model, c.value, c.published_on, c.published_precision,
        c.paper_title, c.paper_url, c.arxiv_id, c.source, c.uses_additional_data, c.is_estimate,
        c.first_seen_at, c.direction, c.unit, c.result_id, c.sources, c.consolidated_id, c.is_suspect
    FROM sw_results(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings, suspects := suspects) AS c
    WHERE c.task = task AND c.dataset = dataset AND c.metric = metric
      AND c.effective_on <= CAST(d AS DATE)
    ORDER BY c.better_key DESC, c.effective_on, c.first_seen_at, c.result_id;

-- The SOTA steps of one benchmark in publication order: each consolidated result that beat every result counting
-- from a strictly earlier date, with the best value before it and the margin (always positive: how much better).
CREATE OR REPLACE MACRO sota_history(task, dataset, metric, known_at := NULL, extra_data := NULL, estimates := false, all_settings := false, suspects := false) AS TABLE
    WITH board AS (
        SELECT
            c.*,
            max(c.better_key) OVER (
                ORDER BY c.effective_on RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
            ) AS best_before
        FROM sw_results(known_at := known_at, extra_data := extra_data, estimates := estimates, all_settings := all_settings, suspects := suspects) AS c
        WHERE c.task = task AND c.dataset = dataset AND c.metric = metric
    )
    SELECT
        s.task, s.dataset, s.metric, s.model, s.value, s.published_on, s.published_precision,
        s.paper_title, s.paper_url, s.arxiv_id, s.source, s.uses_additional_data, s.is_estimate, s.first_seen_at,
        CASE WHEN s.direction = 'lower' THEN -s.best_before ELSE s.best_before END AS previous_value,
        s.better_key - s.best_before AS margin,
        s.effective_on, s.direction, s.unit, s.result_id, s.sources, s.consolidated_id, s.is_suspect
    FROM board AS s
    WHERE s.best_before IS NULL OR s.better_key > s.best_before
    ORDER BY s.effective_on, s.better_key, s.first_seen_at, s.result_id;

-- Where the witnesses of one consolidated result disagree, by latest knowledge: values beyond rounding (72.1 and
-- 72.14 agree and are not listed), or extra-data flags (one says used, another says not). One row per consolidated
-- result, with every witness's version side by side; `sources` is plain text ('csv, pwc-dump').
CREATE OR REPLACE VIEW conflicts AS
WITH disputed AS (
    SELECT c.*
    FROM consolidated_results AS c
    WHERE c.removed_at IS NULL AND (c.value_conflict OR c.extra_data_conflict)
),
witnessed AS (
    SELECT
        d.consolidated_id,
        list(struct_pack(source := r.source, model := r.model, value := r.value, paper_title := r.paper_title,
                         published_on := r.published_on, first_seen_at := r.first_seen_at,
                         uses_additional_data := r.uses_additional_data) ORDER BY r.source, r.value) AS versions
    FROM disputed AS d, unnest(d.witness_ids) AS w(result_id)
    JOIN results AS r ON r.result_id = w.result_id
    GROUP BY d.consolidated_id
)
SELECT
    b.task, b.dataset, b.metric, d.model, d.source AS sources,
    d.lowest, d.highest, d.highest - d.lowest AS spread,
    w.versions,
    concat_ws(', ', CASE WHEN d.value_conflict THEN 'value' END,
                    CASE WHEN d.extra_data_conflict THEN 'extra data' END) AS disagreement
FROM disputed AS d
JOIN benchmarks AS b ON b.benchmark_id = d.benchmark_id
JOIN witnessed AS w ON w.consolidated_id = d.consolidated_id
WHERE b.direction IN ('higher', 'lower');
