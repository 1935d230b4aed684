-- The alias registry's rows (warehouse/model_aliases.csv), folded as model names are (sw_model_key).
INSERT INTO model_aliases (alias, canonical, alias_key, canonical_key)
SELECT t.alias, t.canonical, sw_model_key(t.alias), sw_model_key(t.canonical)
FROM (SELECT unnest(CAST($aliases AS VARCHAR[])) AS alias, unnest(CAST($canonicals AS VARCHAR[])) AS canonical) AS t
