-- Whether any claim in scope needs matching.
SELECT count(*) FROM cc_versions AS v WHERE v.shared
