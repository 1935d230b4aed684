-- What a new record knows of the noise (migration 011), written with the record inside the load's transaction.
INSERT INTO sota_record_noise (record_id, kind, stderr, previous_stderr, z, basis)
VALUES ($record_id, $kind, $stderr, $previous_stderr, $z, $basis)
