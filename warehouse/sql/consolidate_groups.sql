-- The consolidated result of each claim of a shared partition. A component is one result only when it holds one node
-- per source and every two of its nodes could be one (settings and papers that agree pairwise); a component that
-- would put two claims of one source together, or join papers that contradict through a third claim, is not guessed
-- at: each of its nodes stays a result of its own. The id is the component's smallest claim_id, so it stays when a later claim joins.
CREATE OR REPLACE TEMP TABLE cc_groups AS
WITH components AS (
    SELECT n.label, count(*) AS nodes, count(DISTINCT n.source) AS sources
    FROM cc_nodes AS n
    GROUP BY n.label
),
agreeing AS (
    SELECT a.label, count(*) AS pairs
    FROM cc_pairs AS p
    JOIN cc_nodes AS a ON a.node_id = p.a_id
    JOIN cc_nodes AS b ON b.node_id = p.b_id AND b.label = a.label
    GROUP BY a.label
),
node_result AS (
    SELECT
        n.node_id,
        CASE WHEN c.nodes = c.sources AND coalesce(g.pairs, 0) = c.nodes * (c.nodes - 1) THEN n.label
             ELSE n.node_id END AS consolidated_id
    FROM cc_nodes AS n
    JOIN components AS c ON c.label = n.label
    LEFT JOIN agreeing AS g ON g.label = n.label
)
SELECT l.claim_id, r.consolidated_id, count(*) OVER (PARTITION BY r.consolidated_id) AS claims
FROM cc_chains AS l
JOIN node_result AS r ON r.node_id = l.chain_id
