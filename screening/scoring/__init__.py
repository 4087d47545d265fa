"""Pure scoring of situational-judgement answers: rubric points, bands, flags, norms.

No Flask or SQLAlchemy here: plain dataclasses in, plain dataclasses out.
``score_submission`` is the one way to score; everything it returns can be
traced back to rubric lines a hiring manager can read.
"""

from .answers import FREE_TEXT_MAX, FREE_TEXT_MIN, Answer, answer_problems
from .bands import INCOMPLETE_SHARE, UNRELIABLE_SHARE
from .engine import AnswerError, score_submission
from .norms import (
    NORM_MIN_GROUP,
    NOT_ENOUGH_DATA,
    OVERALL,
    NormGroup,
    NormGroupBuilder,
    percentile_rank,
)
from .profile import clear_weakest_dimension
from .psychometrics import (
    DimensionReliability,
    ItemStatistics,
    OptionCount,
    PsychometricReport,
    analyse_results,
    corrected_item_totals,
    cronbach_alpha,
    f_quantile,
    feldt_interval,
    standard_error_of_measurement,
)
from .quality import MIN_SECONDS, quality_flags, too_fast_threshold
from .result import (
    BandCap,
    BandResult,
    DimensionScore,
    QualityFlag,
    RedFlag,
    ResultStatus,
    RubricLine,
    RubricRole,
    SubmissionResult,
    TraceLine,
)
from .rules import (
    RuleScore,
    ScoringError,
    item_maximum,
    score_best_choice,
    score_free_text,
    score_most_least,
    score_rank,
    score_rate_each,
    score_unanswered,
)
from .simulate import SimulatedApplicant, simulate_answers

__all__ = [
    "FREE_TEXT_MAX",
    "FREE_TEXT_MIN",
    "INCOMPLETE_SHARE",
    "MIN_SECONDS",
    "NORM_MIN_GROUP",
    "NOT_ENOUGH_DATA",
    "OVERALL",
    "UNRELIABLE_SHARE",
    "Answer",
    "AnswerError",
    "BandCap",
    "BandResult",
    "DimensionReliability",
    "DimensionScore",
    "ItemStatistics",
    "NormGroup",
    "NormGroupBuilder",
    "OptionCount",
    "PsychometricReport",
    "QualityFlag",
    "RedFlag",
    "ResultStatus",
    "RubricLine",
    "RubricRole",
    "RuleScore",
    "ScoringError",
    "SimulatedApplicant",
    "SubmissionResult",
    "TraceLine",
    "analyse_results",
    "answer_problems",
    "clear_weakest_dimension",
    "corrected_item_totals",
    "cronbach_alpha",
    "f_quantile",
    "feldt_interval",
    "item_maximum",
    "percentile_rank",
    "quality_flags",
    "score_best_choice",
    "score_free_text",
    "score_most_least",
    "score_rank",
    "score_rate_each",
    "score_submission",
    "score_unanswered",
    "simulate_answers",
    "standard_error_of_measurement",
    "too_fast_threshold",
]
