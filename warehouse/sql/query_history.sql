-- `sota history`: the SOTA steps of one benchmark.
SELECT *
FROM sota_history($task, $dataset, $metric, known_at := $known_at, extra_data := $extra_data, estimates := $estimates, all_settings := $all_settings,
                  suspects := $suspects, with_code := $with_code, sources := $sources,
                evaluator := $evaluator)
