-- One node per chain of claims, with what matching compares: the value of its latest claim and its paper. `label`
-- starts as the node's own id; propagation lowers it to the smallest id of the node's connected component.
CREATE OR REPLACE TEMP TABLE cc_nodes AS
SELECT
    l.benchmark_id, l.model_key, l.source, l.chain_id AS node_id, any_value(l.setting) AS setting,
    arg_max(l.value, l.shown_from) AS value,
    max(l.arxiv_id) AS arxiv_id,
    arg_max(l.title_key, l.shown_from) AS title_key,
    l.chain_id AS label
FROM cc_chains AS l
GROUP BY l.benchmark_id, l.model_key, l.source, l.chain_id
