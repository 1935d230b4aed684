-- Inside a migration's transaction on a lake: a sequence the migration would make, as a row writers claim ids from.
INSERT INTO id_blocks VALUES ($name, 1)
