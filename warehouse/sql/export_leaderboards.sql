-- `sota export`: every consolidated result (one row per model, paper and setting, whichever lineages show it) with its
-- benchmark's names, as known at the end of $as_of (NULL: latest knowledge); estimates, every setting and suspects
-- (values far outside their board's spread) included, flagged. Boards of unknown direction are left out, as
-- everywhere a SOTA is read.
SELECT
    c.task, c.dataset, c.metric, c.direction, c.unit, c.consolidated_id, c.model, c.value, c.published_on,
    c.published_precision, c.paper_title, c.paper_url, c.arxiv_id, c.source AS witnesses, c.sources,
    c.uses_additional_data, c.has_code, c.is_estimate, c.value_conflict, c.extra_data_conflict, c.effective_on,
    c.result_id, c.is_suspect
FROM sw_results(known_at := $as_of, estimates := true, all_settings := true, suspects := true) AS c
ORDER BY c.task, c.dataset, c.metric, c.better_key DESC, c.effective_on, c.result_id
