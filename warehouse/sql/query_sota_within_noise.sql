-- `sota asof --within-noise`: each benchmark's leader as of a date, then the results within its noise, optionally
-- narrowed to a task, dataset or metric.
SELECT *
FROM sota_within_noise(CAST($d AS DATE), known_at := $known_at, extra_data := $extra_data, estimates := $estimates,
                       all_settings := $all_settings, suspects := $suspects, with_code := $with_code, sources := $sources,
                       evaluator := $evaluator)
WHERE ($task IS NULL OR task = $task)
  AND ($dataset IS NULL OR dataset = $dataset)
  AND ($metric IS NULL OR metric = $metric)
-- the leader first, then its co-leaders within noise, best first
ORDER BY task, dataset, metric, co_leader, CASE WHEN direction = 'lower' THEN value ELSE -value END, model, setting
