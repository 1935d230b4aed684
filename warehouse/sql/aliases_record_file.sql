-- Which alias file the table now holds (one row).
INSERT INTO model_alias_file (sha256, loaded_at) VALUES ($sha256, $now)
