-- `sota report`: the whole ranked board of each of the benchmarks $benchmark_ids as of $d by latest knowledge, one row
-- per consolidated result, with its lineages, whether it has code, and an http(s) code URL from any of the result
-- versions behind it (OpenCodePapers keeps one as attributes->>'code_url'): every page's in one query.
WITH board AS (
    SELECT b.benchmark_id, l.*
    FROM benchmarks AS b,
         LATERAL (FROM leaderboard_as_of(b.task, b.dataset, b.metric, CAST($d AS DATE))) AS l
    WHERE list_contains($benchmark_ids, b.benchmark_id)
),
code AS (
    SELECT
        c.consolidated_id,
        min(r.attributes ->> 'code_url')
            FILTER (WHERE regexp_matches(r.attributes ->> 'code_url', '^https?://\S+$', 'i')) AS code_url
    FROM consolidated_results AS c, unnest(c.witness_ids) AS w(result_id)
    JOIN results AS r ON r.result_id = w.result_id
    WHERE c.removed_at IS NULL AND list_contains($benchmark_ids, c.benchmark_id)
    GROUP BY c.consolidated_id
)
SELECT
    l.benchmark_id, l.rank, l.model, l.value, l.published_on, l.published_precision, l.paper_title, l.paper_url,
    l.arxiv_id, l.source, l.sources, l.uses_additional_data, l.is_estimate, l.has_code, l.consolidated_id,
    l.result_id, code.code_url, l.stderr, l.setting
FROM board AS l
LEFT JOIN code ON code.consolidated_id = l.consolidated_id
ORDER BY l.benchmark_id, l.rank, l.published_on NULLS LAST, l.first_seen_at, l.model, l.result_id
