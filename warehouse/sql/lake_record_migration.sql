-- Inside a migration's transaction on a lake: that it was applied.
INSERT INTO schema_migrations VALUES ($version, $name, now()::TIMESTAMP)
