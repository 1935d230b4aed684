-- How a move of a benchmark's best stands to the noise, by the migration's own rule (011: sw_noise_z,
-- sw_within_noise, sw_noise_tie), so that detection and the questions never judge it two ways: the margin in
-- combined standard errors, whether the standard errors decide (NULL: one unknown, or both 0), and whether it is a
-- tie within noise (by the errors, else by overlapping intervals; NULL: unknown).
SELECT
    sw_noise_z($margin, $stderr, $previous_stderr) AS z,
    sw_within_noise($margin, $stderr, $previous_stderr) IS NOT NULL AS by_errors,
    sw_noise_tie($margin, $stderr, $previous_stderr, $low, $high, $previous_low, $previous_high) AS tie
