-- One step of connected components: each linked node takes the smallest label among its neighbours; the count of
-- nodes changed (frontier.py repeats the step until it is zero).
UPDATE cc_nodes AS n
SET label = m.label
FROM (
    SELECT l.a_id, min(o.label) AS label
    FROM cc_links AS l
    JOIN cc_nodes AS o ON o.node_id = l.b_id
    GROUP BY l.a_id
) AS m
WHERE n.node_id = m.a_id AND m.label < n.label
