-- The core record: sources, payloads (kept by hash), snapshots, benchmarks, versioned result claims, rejects.
-- Times are TIMESTAMP in UTC. A result row is one version of a claim: [first_seen_at, removed_at) is the interval of
-- transaction time during which our snapshots showed it; removed_at is NULL while it is still shown.

CREATE SEQUENCE snapshot_ids START 1;
CREATE SEQUENCE benchmark_ids START 1;
CREATE SEQUENCE result_ids START 1;
CREATE SEQUENCE reject_ids START 1;

CREATE TABLE sources (
    name          VARCHAR PRIMARY KEY,
    description   VARCHAR,
    full_listing  BOOLEAN NOT NULL,   -- a payload lists whole boards, so a missing result counts as removed
    registered_at TIMESTAMP NOT NULL
);

CREATE TABLE payloads (
    sha256     VARCHAR PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    content    BLOB NOT NULL,
    stored_at  TIMESTAMP NOT NULL
);

CREATE TABLE snapshots (
    snapshot_id       BIGINT PRIMARY KEY DEFAULT nextval('snapshot_ids'),
    source            VARCHAR NOT NULL,
    location          VARCHAR NOT NULL,
    options           JSON,
    observed_at       TIMESTAMP NOT NULL,  -- when the payload was current: now for a live fetch, the given date for history
    loaded_at         TIMESTAMP NOT NULL,
    sha256            VARCHAR NOT NULL,
    status            VARCHAR NOT NULL CHECK (status IN ('loaded', 'unchanged', 'failed')),
    error             VARCHAR,
    rows_parsed       INTEGER NOT NULL DEFAULT 0,
    rows_loaded       INTEGER NOT NULL DEFAULT 0,
    rows_rejected     INTEGER NOT NULL DEFAULT 0,
    rows_duplicate    INTEGER NOT NULL DEFAULT 0,
    results_new       INTEGER NOT NULL DEFAULT 0,
    results_changed   INTEGER NOT NULL DEFAULT 0,
    results_unchanged INTEGER NOT NULL DEFAULT 0,
    results_removed   INTEGER NOT NULL DEFAULT 0
);

-- The boards (task, dataset) a snapshot listed in full: the scope in which a missing result counts as removed.
-- board_key is the spelling-blind (task, dataset), so a source that changes a name's case or spacing between
-- snapshots still lists the same board.
CREATE TABLE snapshot_boards (
    snapshot_id BIGINT NOT NULL,
    task        VARCHAR NOT NULL,
    dataset     VARCHAR NOT NULL,
    board_key   VARCHAR NOT NULL
);

CREATE TABLE benchmarks (
    benchmark_id BIGINT PRIMARY KEY DEFAULT nextval('benchmark_ids'),
    task         VARCHAR NOT NULL,
    dataset      VARCHAR NOT NULL,
    metric       VARCHAR NOT NULL,
    direction    VARCHAR NOT NULL CHECK (direction IN ('higher', 'lower', 'none')),
    unit         VARCHAR,
    -- spelling-blind keys (case, white space, dashes folded): the first spelling a load brings is the one shown
    benchmark_key VARCHAR NOT NULL UNIQUE,
    board_key     VARCHAR NOT NULL,
    UNIQUE (task, dataset, metric)
);

CREATE TABLE results (
    result_id              BIGINT NOT NULL,
    claim_key              VARCHAR NOT NULL,  -- the same across versions: benchmark, model and paper
    source                 VARCHAR NOT NULL,
    benchmark_id           BIGINT NOT NULL,
    model                  VARCHAR NOT NULL,
    value                  DOUBLE NOT NULL,
    is_estimate            BOOLEAN NOT NULL DEFAULT false,
    paper_title            VARCHAR,
    paper_url              VARCHAR,
    arxiv_id               VARCHAR,
    published_on           DATE,              -- valid time; month/year precision stored as the period's first day
    published_precision    VARCHAR NOT NULL CHECK (published_precision IN ('day', 'month', 'year', 'unknown')),
    uses_additional_data   BOOLEAN,           -- NULL: the source does not say
    attributes             JSON,
    claim_first_seen_at    TIMESTAMP NOT NULL, -- first sighting of the claim (any version): stands in for an unknown date
    first_seen_at          TIMESTAMP NOT NULL,
    last_seen_at           TIMESTAMP NOT NULL,
    removed_at             TIMESTAMP,
    first_snapshot_id      BIGINT NOT NULL,
    last_snapshot_id       BIGINT NOT NULL,
    removed_by_snapshot_id BIGINT,
    setting                VARCHAR             -- how the claim was obtained (zero-shot, linear-probe, an image size...)
);

CREATE TABLE rejects (
    reject_id   BIGINT PRIMARY KEY DEFAULT nextval('reject_ids'),
    snapshot_id BIGINT NOT NULL,
    source      VARCHAR NOT NULL,
    row_ref     VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    raw         JSON
);

-- Incremental state of a source (a harvest cursor, HTTP validators), written in the same transaction as its rows.
CREATE TABLE source_state (
    source     VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,
    value      JSON,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, key)
);
