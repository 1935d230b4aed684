-- `sota asof`: the SOTA table as of a date, optionally narrowed to a task, dataset or metric.
SELECT *
FROM sota_as_of(CAST($d AS DATE), known_at := $known_at, extra_data := $extra_data, estimates := $estimates, all_settings := $all_settings,
                suspects := $suspects, with_code := $with_code, sources := $sources,
                evaluator := $evaluator)
WHERE ($task IS NULL OR task = $task)
  AND ($dataset IS NULL OR dataset = $dataset)
  AND ($metric IS NULL OR metric = $metric)
ORDER BY task, dataset, metric
