-- Standard errors (issue 15): a result keeps the standard error its source gives with the score (Epoch's runs:
-- "choice:0.85±0.02"; Every Eval Ever's `uncertainty.standard_error`), in the result's own unit, NULL where the
-- source gives none. It is carried as a result's other facts are: a change of it is a new version of the claim.
-- Versions written before this migration were never told: NULL.

ALTER TABLE results ADD COLUMN stderr DOUBLE;
