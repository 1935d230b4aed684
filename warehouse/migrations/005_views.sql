-- Views for people reading the record: where sources disagree, and accuracies derived from error rates.

-- A model's spelling-blind key: "Noisy Student (EfficientNet-L2)" and "NoisyStudent (EfficientNet-L2)" are one.
CREATE OR REPLACE MACRO sw_model_key(m) AS regexp_replace(lower(m), '[^a-z0-9]+', '', 'g');

-- The same model (or paper) on the same benchmark with different values from different sources, by latest
-- knowledge: one row per disagreement, with every source's version side by side.
CREATE OR REPLACE VIEW conflicts AS
SELECT
    b.task, b.dataset, b.metric,
    any_value(r.model ORDER BY r.source) AS model,
    list(DISTINCT r.source ORDER BY r.source) AS sources,
    min(r.value) AS lowest, max(r.value) AS highest, max(r.value) - min(r.value) AS spread,
    list(struct_pack(source := r.source, model := r.model, value := r.value, paper_title := r.paper_title,
                     published_on := r.published_on, first_seen_at := r.first_seen_at) ORDER BY r.source, r.value)
        AS versions
FROM results AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
WHERE r.removed_at IS NULL AND b.direction <> 'none'
GROUP BY b.benchmark_id, b.task, b.dataset, b.metric, sw_model_key(r.model)
HAVING count(DISTINCT r.source) > 1 AND count(DISTINCT r.value) > 1;

-- Error rates read as accuracies (100 - error), derived and labelled so, never merged into the accuracy boards:
-- ILSVRC's test-set top-5 error and ImageNet's validation top-1 accuracy stay different benchmarks.
CREATE OR REPLACE VIEW accuracy_from_error AS
SELECT
    b.task, b.dataset, replace(b.metric, 'Error', 'Accuracy') AS metric, 100 - r.value AS value,
    b.metric AS derived_from, r.value AS error_value, r.model, r.published_on, r.published_precision,
    r.paper_title, r.paper_url, r.source, r.uses_additional_data, r.result_id
FROM results AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
WHERE r.removed_at IS NULL AND b.unit = 'percent' AND b.metric IN ('Top 1 Error', 'Top 5 Error');
