-- Every pair of nodes of different sources that could be one result (same partition, settings and papers that do not
-- contradict), in both directions, with whether their values agree at the precision shown.
CREATE OR REPLACE TEMP TABLE cc_pairs AS
SELECT a.node_id AS a_id, b.node_id AS b_id, b.source AS b_source, sw_values_agree(a.value, b.value) AS agree
FROM cc_nodes AS a
JOIN cc_nodes AS b
  ON b.benchmark_id = a.benchmark_id AND b.model_key = a.model_key AND b.source <> a.source
WHERE sw_settings_agree(a.setting, b.setting)
  AND sw_papers_agree(a.arxiv_id, a.title_key, b.arxiv_id, b.title_key)
