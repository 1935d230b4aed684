-- Which node of another source each node joins: its only candidate there, or, among several, the only one whose value
-- agrees at the precision shown (the hand copy's "EfficientNet-B7" 84.4 against the dump's two EfficientNet-B7 rows,
-- 84.4 and 85.0, of two papers). Otherwise it could join several: no guess, no link. A link holds only when both
-- sides choose each other.
CREATE OR REPLACE TEMP TABLE cc_links AS
WITH picks AS (
    SELECT
        p.a_id, p.b_source,
        CASE
            WHEN count(*) = 1 THEN min(p.b_id)
            WHEN count(*) FILTER (WHERE p.agree) = 1 THEN min(p.b_id) FILTER (WHERE p.agree)
        END AS pick
    FROM cc_pairs AS p
    GROUP BY p.a_id, p.b_source
)
SELECT p.a_id, p.pick AS b_id
FROM picks AS p
JOIN picks AS q ON q.a_id = p.pick AND q.pick = p.a_id
