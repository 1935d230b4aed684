-- Directions decided from evidence: a benchmark's direction may be 'unknown' (its evidence is absent or conflicts:
-- never ranked nor alerted on, never guessed as 'higher'), and it keeps the line that says why.
-- DuckDB cannot alter a CHECK constraint, so the table is rebuilt with its ids, keys and sequence as they were.
CREATE TABLE benchmarks_with_evidence (
    benchmark_id  BIGINT PRIMARY KEY DEFAULT nextval('benchmark_ids'),
    task          VARCHAR NOT NULL,
    dataset       VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    direction     VARCHAR NOT NULL CHECK (direction IN ('higher', 'lower', 'none', 'unknown')),
    unit          VARCHAR,
    benchmark_key VARCHAR NOT NULL UNIQUE,
    board_key     VARCHAR NOT NULL,
    -- one line: the decision and the evidence behind it (`sota benchmarks --why`); NULL for a direction decided by
    -- an earlier version's name rules, decided again from evidence at the next load
    direction_why VARCHAR,
    UNIQUE (task, dataset, metric)
);
INSERT INTO benchmarks_with_evidence
SELECT benchmark_id, task, dataset, metric, direction, unit, benchmark_key, board_key, NULL FROM benchmarks;
DROP TABLE benchmarks;
ALTER TABLE benchmarks_with_evidence RENAME TO benchmarks;

-- The evidence payloads gave (column-header flags, the order of ranked listings), one row per benchmark, kind,
-- direction and source, replaced by that source's latest payload that gives it. What a metric's name says and what
-- people settled are read at each decision, so a better lexicon or a new settlement needs no reload.
CREATE TABLE direction_evidence (
    benchmark_id BIGINT NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('flag', 'order')),
    direction    VARCHAR NOT NULL CHECK (direction IN ('higher', 'lower', 'none')),
    detail       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    snapshot_id  BIGINT NOT NULL,
    PRIMARY KEY (benchmark_id, kind, direction, source)
);
