-- Claims of one source in one partition and one setting that were never shown at the same time, and whose papers do
-- not contradict, are one chain: one result under successive keys (timm renamed its checkpoints in 2023; a board may
-- re-key a row). Two claims of one source shown at the same time are never one result (ResNet-50 of two papers on one
-- board): there, every claim of that source stays a chain of its own. chain_id is the chain's first claim_id.
CREATE OR REPLACE TEMP TABLE cc_chains AS
WITH clash AS (
    SELECT DISTINCT a.benchmark_id, a.setting_key, a.model_key, a.source
    FROM cc_claims AS a
    JOIN cc_claims AS b
      ON b.benchmark_id = a.benchmark_id AND b.setting_key = a.setting_key AND b.model_key = a.model_key
     AND b.source = a.source AND b.claim_id > a.claim_id
    WHERE NOT sw_papers_agree(a.arxiv_id, a.title_key, b.arxiv_id, b.title_key)
       OR NOT (coalesce(a.shown_until, 'infinity'::TIMESTAMP) <= b.shown_from
               OR coalesce(b.shown_until, 'infinity'::TIMESTAMP) <= a.shown_from)
)
SELECT
    c.*,
    CASE
        WHEN x.source IS NULL
            THEN min(c.claim_id) OVER (PARTITION BY c.benchmark_id, c.setting_key, c.model_key, c.source)
        ELSE c.claim_id
    END AS chain_id
FROM cc_claims AS c
LEFT JOIN clash AS x
  ON x.benchmark_id = c.benchmark_id AND x.setting_key = c.setting_key AND x.model_key = c.model_key
 AND x.source = c.source
