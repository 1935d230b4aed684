-- Every benchmark's names as shown, for resolving what a user typed (spelling-blind, through the alias registry).
SELECT b.task, b.dataset, b.metric FROM benchmarks AS b ORDER BY b.task, b.dataset, b.metric
