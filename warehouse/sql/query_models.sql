-- `sota models`: one row per model the warehouse holds by latest knowledge (its names folded as sw_model_key does,
-- then through the alias registry, as consolidation does), with every name the sources gave it, the registry's
-- aliases of it, its settings, the sources that report it and how many results they show. `$search` is a folded model
-- name (no setting): a model is listed when it occurs in its key or in the key of any of its names.
WITH named AS (
    SELECT r.model, r.setting, r.source, coalesce(a.canonical_key, sw_model_key(r.model)) AS model_key,
           a.canonical
    FROM results AS r
    LEFT JOIN model_aliases AS a ON a.alias_key = sw_model_key(r.model)
    WHERE r.removed_at IS NULL
),
models AS (
    SELECT
        n.model_key,
        coalesce(any_value(n.canonical), min(n.model)) AS model,
        list_sort(list_distinct(list(n.model))) AS names,
        list_sort(list_distinct(list(n.setting) FILTER (WHERE n.setting IS NOT NULL))) AS settings,
        list_sort(list_distinct(list(n.source))) AS sources,
        count(*) AS results
    FROM named AS n
    GROUP BY n.model_key
),
registry AS (
    SELECT a.canonical_key AS model_key, list_sort(list_distinct(list(a.alias) || list(a.canonical))) AS aliases
    FROM model_aliases AS a
    GROUP BY a.canonical_key
)
SELECT
    m.model, list_sort(list_distinct(m.names || coalesce(g.aliases, []))) AS names, m.settings, m.sources, m.results
FROM models AS m
LEFT JOIN registry AS g ON g.model_key = m.model_key
WHERE $search IS NULL
   OR contains(m.model_key, $search)
   OR list_bool_or(list_transform(m.names || coalesce(g.aliases, []), lambda x: contains(sw_model_key(x), $search)))
ORDER BY m.model_key
