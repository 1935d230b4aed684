DELETE FROM model_aliases
