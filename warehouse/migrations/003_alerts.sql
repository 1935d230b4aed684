-- New-SOTA records and their alert outbox.
--
-- A record is written in the same transaction as the load that moved the SOTA, so a record exists exactly when its
-- snapshot does. Each record that should page someone gets one outbox row per channel in that same transaction;
-- delivery happens after the commit and only moves an outbox row from pending to delivered (or failed), so a crash
-- between the load and the delivery loses nothing, and a delivered row is never picked up again.

CREATE SEQUENCE sota_record_ids START 1;
CREATE SEQUENCE alert_outbox_ids START 1;

CREATE TABLE sota_records (
    record_id           BIGINT PRIMARY KEY DEFAULT nextval('sota_record_ids'),
    -- Stable across retries and channels: receivers (and Prefect, as the event id) use it to drop a repeat that a
    -- crash between sending and marking delivered can cause.
    alert_id            UUID NOT NULL UNIQUE,
    snapshot_id         BIGINT NOT NULL,
    benchmark_id        BIGINT NOT NULL,
    task                VARCHAR NOT NULL,
    dataset             VARCHAR NOT NULL,
    metric              VARCHAR NOT NULL,
    result_id           BIGINT NOT NULL,   -- the new best (the result version shown after the load)
    model               VARCHAR NOT NULL,
    value               DOUBLE NOT NULL,
    paper_title         VARCHAR,
    paper_url           VARCHAR,
    published_on        DATE,
    previous_result_id  BIGINT NOT NULL,   -- the best before the load (a first sighting makes no record)
    previous_model      VARCHAR NOT NULL,
    previous_value      DOUBLE NOT NULL,
    margin              DOUBLE NOT NULL CHECK (margin > 0),  -- how much better, in the metric's unit, whatever its direction
    detected_at         TIMESTAMP NOT NULL,
    is_backfill         BOOLEAN NOT NULL,  -- history being loaded: the step is kept but nobody is alerted
    -- One load moves a benchmark's SOTA at most once.
    UNIQUE (snapshot_id, benchmark_id)
);

CREATE TABLE alert_outbox (
    outbox_id    BIGINT PRIMARY KEY DEFAULT nextval('alert_outbox_ids'),
    record_id    BIGINT NOT NULL REFERENCES sota_records (record_id),
    channel      VARCHAR NOT NULL,  -- the configured channel's name, not its kind: two webhooks are two channels
    status       VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   VARCHAR,           -- one line, secrets masked
    created_at   TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (record_id, channel)
);
