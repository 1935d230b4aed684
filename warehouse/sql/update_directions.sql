-- The directions this load decided (incoming_directions), with the line that says why.
UPDATE benchmarks AS b
SET direction = d.direction, direction_why = d.why
FROM incoming_directions AS d
WHERE d.benchmark_key = b.benchmark_key
  AND (b.direction IS DISTINCT FROM d.direction OR b.direction_why IS DISTINCT FROM d.why)
