-- `sota lake migrate`: the migrations a warehouse file has had (it must have every one this version knows).
SELECT version FROM schema_migrations
