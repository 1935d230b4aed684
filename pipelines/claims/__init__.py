"""Benchmark-result claims in arXiv abstracts: the extractor, its vocabulary, and its score against labelled abstracts.

`extract_claims(title, abstract, arxiv_id)` reads an abstract (see `pipelines.claims.extract`); `parse_gold` and
`score_claims` measure it against a labelled gold file (`pipelines.claims.score`); `registry_dataset_name` and
`registry_metric_name` give a claim's dataset and metric their names on the board, through the alias registry.
"""
from pipelines.claims.extract import Claim, extract_claims
from pipelines.claims.score import (
    SCOPE_ALL,
    SCOPE_IMAGENET,
    FalseHit,
    GoldClaim,
    GoldFileError,
    GoldPaper,
    Miss,
    Score,
    ScoreReport,
    claim_key,
    format_report,
    json_objects,
    parse_gold,
    score_claims,
)
from pipelines.claims.vocabulary import registry_dataset_name, registry_metric_name

__all__ = [
    "SCOPE_ALL", "SCOPE_IMAGENET", "Claim", "FalseHit", "GoldClaim", "GoldFileError", "GoldPaper", "Miss", "Score",
    "ScoreReport", "claim_key", "extract_claims", "format_report", "json_objects", "parse_gold",
    "registry_dataset_name", "registry_metric_name", "score_claims",
]
