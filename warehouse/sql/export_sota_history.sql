-- `sota export`: the SOTA steps of every ranked benchmark, as known at the end of $as_of (NULL: latest knowledge).
SELECT h.*
FROM benchmarks AS b,
     LATERAL (FROM sota_history(b.task, b.dataset, b.metric, known_at := $as_of)) AS h
WHERE b.direction IN ('higher', 'lower')
ORDER BY h.task, h.dataset, h.metric, h.effective_on, h.result_id
