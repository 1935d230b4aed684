-- The sha256 of the alias file `model_aliases` was loaded from (none before the first load).
SELECT f.sha256 FROM model_alias_file AS f
