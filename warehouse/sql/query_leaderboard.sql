-- `sota leaderboard`: one benchmark's ranked board as of a date.
SELECT *
FROM leaderboard_as_of($task, $dataset, $metric, CAST($d AS DATE),
                       known_at := $known_at, extra_data := $extra_data, estimates := $estimates, all_settings := $all_settings,
                       suspects := $suspects, with_code := $with_code, sources := $sources,
                evaluator := $evaluator)
LIMIT $top
