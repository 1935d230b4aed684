-- Each benchmark's direction and the line that says why (`sota benchmarks --why`).
SELECT b.task, b.dataset, b.metric, b.direction, b.direction_why FROM benchmarks AS b
