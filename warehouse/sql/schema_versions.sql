-- The migrations a warehouse (a file or a lake) has had: what connecting applies next, what a reader and
-- `sota lake migrate` require.
SELECT version FROM schema_migrations
