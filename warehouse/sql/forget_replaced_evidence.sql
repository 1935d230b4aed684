-- A lineage's direction evidence of a benchmark is what its newest payload gave: what it gave before for the
-- benchmarks this payload gives evidence of is replaced (an order seen reversed since does not linger).
DELETE FROM direction_evidence AS e
WHERE e.source = $source
  AND e.benchmark_id IN (
      SELECT b.benchmark_id FROM incoming_evidence AS i JOIN benchmarks AS b ON b.benchmark_key = i.benchmark_key
  )
