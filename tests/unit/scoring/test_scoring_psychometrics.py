"""Item analysis and reliability, checked against references computed another way."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

import pytest

from screening.scoring import (
    Answer,
    RubricRole,
    ScoringError,
    analyse_results,
    corrected_item_totals,
    cronbach_alpha,
    f_quantile,
    feldt_interval,
    score_submission,
    simulate_answers,
    standard_error_of_measurement,
)
from screening.scoring.psychometrics import f_cdf, regularized_incomplete_beta
from tests.unit.scoring.factories import (
    B01,
    F01,
    FREE_TEXT_ANSWER,
    M01,
    make_item,
    make_questionnaire,
    opt,
)

# Published example: 10 people, four 1..5 Likert items; the post prints alpha 0.674
# and shows R (psych::alpha) agreeing. thinkdeeply.cc/posts/survey-reliability (CC BY 4.0).
PUBLISHED = [
    [3, 3, 3, 3],
    [3, 3, 4, 3],
    [3, 3, 3, 1],
    [5, 4, 4, 5],
    [2, 1, 4, 4],
    [4, 4, 4, 5],
    [3, 2, 3, 3],
    [3, 4, 3, 3],
    [4, 2, 2, 3],
    [3, 3, 2, 3],
]

# Hand-worked: 4 applicants × 3 items.
#   item variances (n − 1): 5/3, 2/3, 5/3 → Σ = 4; totals 2, 5, 7, 10 → variance 34/3
#   alpha = 3/2 · (1 − 4 / (34/3)) = 33/34 = 0.97059
#   item 1 against the rest (1, 3, 4, 6): Sxy = 8, Sxx = 5, Syy = 13 → r = 8/√65 = 0.99228
HAND = [[0, 1, 1], [1, 2, 2], [2, 2, 3], [3, 3, 4]]


def covariance_alpha(matrix: list[list[float]]) -> float:
    """Reference: alpha from the covariance matrix, k/(k−1)·(1 − trace(C)/sum(C))."""
    n, k = len(matrix), len(matrix[0])
    means = [sum(row[j] for row in matrix) / n for j in range(k)]
    cov = [
        [
            sum((row[a] - means[a]) * (row[b] - means[b]) for row in matrix) / (n - 1)
            for b in range(k)
        ]
        for a in range(k)
    ]
    trace = sum(cov[j][j] for j in range(k))
    total = sum(sum(row) for row in cov)
    return k / (k - 1) * (1 - trace / total)


def mean_split_half(matrix: list[list[float]]) -> float:
    """Reference: Cronbach (1951): alpha is the mean of all Flanagan split-half coefficients
    4·cov(A, B)/var(A + B) over the splits of an even number of items into equal halves."""
    n, k = len(matrix), len(matrix[0])
    totals = [sum(row) for row in matrix]
    mt = sum(totals) / n
    var_total = sum((t - mt) ** 2 for t in totals) / (n - 1)
    coefficients = []
    for half in itertools.combinations(range(k), k // 2):
        if 0 not in half:  # each split once
            continue
        a = [sum(row[j] for j in half) for row in matrix]
        b = [t - x for t, x in zip(totals, a, strict=True)]
        ma, mb = sum(a) / n, sum(b) / n
        cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True)) / (n - 1)
        coefficients.append(4 * cov / var_total)
    return sum(coefficients) / len(coefficients)


def correction_formula(matrix: list[list[float]], j: int) -> float:
    """Reference: r(item, total − item) from r(item, total) by the classic correction
    (r·s_X − s_i) / √(s_X² + s_i² − 2·r·s_i·s_X)."""
    item = [row[j] for row in matrix]
    total = [sum(row) for row in matrix]
    n = len(matrix)

    def sd(values: list[float]) -> float:
        m = sum(values) / n
        return math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))

    mi, mt = sum(item) / n, sum(total) / n
    r = sum((x - mi) * (y - mt) for x, y in zip(item, total, strict=True)) / (
        (n - 1) * sd(item) * sd(total)
    )
    si, sx = sd(item), sd(total)
    return (r * sx - si) / math.sqrt(sx**2 + si**2 - 2 * r * si * sx)


def random_matrix(seed: int, n: int = 40, k: int = 6) -> list[list[float]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        level = rng.gauss(0, 1)
        rows.append([float(min(4, max(0, round(2 + level + rng.gauss(0, 1))))) for _ in range(k)])
    return rows


def test_alpha_of_the_published_example() -> None:
    assert cronbach_alpha(PUBLISHED) == pytest.approx(0.674, abs=5e-4)


def test_alpha_and_item_total_worked_by_hand() -> None:
    assert cronbach_alpha(HAND) == pytest.approx(33 / 34, abs=5e-4)
    assert round(cronbach_alpha(HAND), 3) == 0.971
    assert corrected_item_totals(HAND)[0] == pytest.approx(8 / math.sqrt(65), abs=5e-4)


@pytest.mark.parametrize("seed", range(5))
def test_alpha_agrees_with_the_covariance_matrix_formula(seed: int) -> None:
    matrix = random_matrix(seed)
    assert cronbach_alpha(matrix) == pytest.approx(covariance_alpha(matrix), abs=5e-4)
    assert cronbach_alpha(matrix) == pytest.approx(mean_split_half(matrix), abs=5e-4)


def test_published_example_by_every_reference() -> None:
    published = [[float(v) for v in row] for row in PUBLISHED]
    assert covariance_alpha(published) == pytest.approx(0.674, abs=5e-4)
    assert mean_split_half(published) == pytest.approx(0.674, abs=5e-4)


@pytest.mark.parametrize("seed", range(5))
def test_item_total_agrees_with_the_correction_formula(seed: int) -> None:
    matrix = random_matrix(seed)
    for j, r in enumerate(corrected_item_totals(matrix)):
        assert r == pytest.approx(correction_formula(matrix, j), abs=5e-4)


def test_undefined_statistics_are_none() -> None:
    assert cronbach_alpha([[1, 2], [1, 2], [1, 2]]) is None  # the total never varies
    assert cronbach_alpha([[1], [2]]) is None  # one item
    assert cronbach_alpha([[1, 2]]) is None  # one submission
    assert corrected_item_totals([[1, 2], [1, 3], [1, 4]])[0] is None  # item 1 never varies


@pytest.mark.parametrize(
    ("probability", "df1", "df2", "table"),
    [
        (0.95, 5, 10, 3.326),
        (0.975, 10, 20, 2.774),
        (0.95, 1, 30, 4.171),
        (0.99, 3, 12, 5.953),
        (0.95, 2, 2, 19.000),
        (0.99, 10, 10, 4.849),
    ],
)
def test_f_quantile_matches_printed_tables(probability, df1, df2, table) -> None:
    assert f_quantile(probability, df1, df2) == pytest.approx(table, abs=5e-4)


def test_incomplete_beta_against_closed_forms() -> None:
    # I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(2, 3) by the binomial sum Σ_{j=2..4} C(4,j)x^j(1−x)^(4−j)
    assert regularized_incomplete_beta(1, 1, 0.3) == pytest.approx(0.3, abs=1e-12)
    assert regularized_incomplete_beta(3.5, 1, 0.7) == pytest.approx(0.7**3.5, abs=1e-12)
    x = 0.4
    binomial = sum(math.comb(4, j) * x**j * (1 - x) ** (4 - j) for j in range(2, 5))
    assert regularized_incomplete_beta(2, 3, x) == pytest.approx(binomial, abs=1e-12)
    # F(1, 1) has CDF (2/π)·atan(√x); F(2, d) has CDF 1 − (1 + 2x/d)^(−d/2)
    assert f_cdf(2.0, 1, 1) == pytest.approx(2 / math.pi * math.atan(math.sqrt(2.0)), abs=1e-12)
    assert f_cdf(1.5, 2, 7) == pytest.approx(1 - (1 + 3 / 7) ** -3.5, abs=1e-12)


def test_feldt_interval_from_table_values() -> None:
    # n = 11, k = 3 → df (10, 20): F.975 = 2.774, F.025 = 1/F.975(20, 10) = 1/3.419 = 0.2925
    low, high = feldt_interval(0.8, 11, 3)
    assert low == pytest.approx(1 - 0.2 * 2.774, abs=5e-4)
    assert high == pytest.approx(1 - 0.2 * 0.2925, abs=5e-4)
    low, high = feldt_interval(0.8, 10_000, 10)  # large df stay numerically sound
    assert low < 0.8 < high
    assert high - low < 0.02


def test_sem() -> None:
    assert standard_error_of_measurement(10.0, 0.84) == pytest.approx(4.0)


# -- the report from scored submissions ----------------------------------------------

WARMTH_ITEMS = [
    make_item(
        f"W{i:02d}-item",
        B01.format,
        ["warmth"],
        [opt(oid, points={"warmth": p}) for oid, p in zip("abcde", [4, 3, 2, 1, 0], strict=True)],
    )
    for i in range(1, 4)
]
POINTS_TO_OPTION = {4: "a", 3: "b", 2: "c", 1: "d", 0: "e"}


def results_for(matrix: list[list[int]], questionnaire=None):
    questionnaire = questionnaire or make_questionnaire(WARMTH_ITEMS)
    results = []
    for row in matrix:
        answers = {
            item.id: Answer(item.id, choice=POINTS_TO_OPTION[points])
            for item, points in zip(WARMTH_ITEMS, row, strict=True)
        }
        results.append(score_submission(questionnaire, answers))
    return questionnaire, results


def test_report_reads_item_scores_from_the_trace() -> None:
    questionnaire, results = results_for(HAND)
    report = analyse_results(questionnaire, results)
    (warmth,) = report.dimensions
    assert warmth.dimension == "warmth"
    assert (warmth.items, warmth.submissions) == (3, 4)
    assert warmth.alpha == pytest.approx(33 / 34, abs=5e-4)
    assert warmth.alpha_low < warmth.alpha < warmth.alpha_high
    assert warmth.total_mean == pytest.approx(6.0)  # totals 2, 5, 7, 10
    assert warmth.total_sd == pytest.approx(math.sqrt(34 / 3))
    assert warmth.sem == pytest.approx(math.sqrt(34 / 3) * math.sqrt(1 / 34))
    first = report.items[0]
    assert first.item_total["warmth"] == pytest.approx(8 / math.sqrt(65), abs=5e-4)
    assert first.mean_points == {"warmth": 1.5}
    assert first.maximum == {"warmth": 4}
    assert first.answered == 4
    counts = {c.option_id: c.count for c in first.option_counts}
    assert counts == {"a": 0, "b": 1, "c": 1, "d": 1, "e": 1}  # points 0, 1, 2, 3
    assert report.warnings[0].startswith("Too few submissions for stable figures")


def test_weak_item_and_low_reliability_are_warned() -> None:
    # item 3 runs against items 1 and 2
    questionnaire, results = results_for([[0, 0, 4], [1, 1, 3], [2, 2, 2], [3, 3, 1], [4, 4, 0]])
    report = analyse_results(questionnaire, results)
    assert report.items[2].item_total["warmth"] == pytest.approx(-1.0)
    assert report.items[2].warnings[0].startswith("Weak item")
    assert report.items[0].warnings == ()
    assert report.dimensions[0].warnings[0].startswith("Low reliability")
    assert [item.item_id for item in report.items_to_review] == [report.items[2].item_id]


def test_option_counts_mark_the_keyed_and_red_flag_options() -> None:
    # By the factories' keys: M01 best a (respect 4 + warmth 3), worst d (0 + 0, red flag);
    # B01 best a (4 + 3), red flag c.
    questionnaire = make_questionnaire([M01, B01])
    results = [score_submission(questionnaire, {
        M01.id: Answer(M01.id, most="a", least="d"), B01.id: Answer(B01.id, choice="c")})]
    most_least, best = analyse_results(questionnaire, results).items
    keyed = {(c.option_id, c.role) for c in most_least.option_counts if c.keyed}
    assert keyed == {("a", RubricRole.MOST_EFFECTIVE), ("d", RubricRole.LEAST_EFFECTIVE)}
    assert {c.option_id for c in most_least.option_counts if c.red_flag} == {"d"}
    assert [c.option_id for c in best.option_counts if c.keyed] == ["a"]
    assert [c.option_id for c in best.option_counts if c.red_flag] == ["c"]


def test_option_counts_for_most_least_count_both_roles() -> None:
    questionnaire = make_questionnaire([M01])
    results = [
        score_submission(questionnaire, {M01.id: Answer(M01.id, most=most, least=least)})
        for most, least in [("a", "d"), ("a", "c"), ("b", "d")]
    ]
    (stats,) = analyse_results(questionnaire, results).items
    counts = {(c.option_id, c.role): c.count for c in stats.option_counts if c.count}
    assert counts == {
        ("a", RubricRole.MOST_EFFECTIVE): 2,
        ("b", RubricRole.MOST_EFFECTIVE): 1,
        ("c", RubricRole.LEAST_EFFECTIVE): 1,
        ("d", RubricRole.LEAST_EFFECTIVE): 2,
    }
    share = next(c.percent for c in stats.option_counts
                 if (c.option_id, c.role) == ("a", RubricRole.MOST_EFFECTIVE))
    assert share == pytest.approx(200 / 3)


def test_pending_free_text_is_left_out_of_its_dimensions() -> None:
    questionnaire = make_questionnaire([*WARMTH_ITEMS, F01])
    results = []
    for i, row in enumerate(HAND):
        answers = {
            item.id: Answer(item.id, choice=POINTS_TO_OPTION[p])
            for item, p in zip(WARMTH_ITEMS, row, strict=True)
        }
        answers[F01.id] = Answer(F01.id, text=FREE_TEXT_ANSWER)
        ratings = {F01.id: 2 + i} if i < 3 else {}
        results.append(score_submission(questionnaire, answers, ratings))
    report = analyse_results(questionnaire, results)
    warmth = next(d for d in report.dimensions if d.dimension == "warmth")
    assert (warmth.items, warmth.submissions) == (4, 3)
    assert report.items[3].mean_points == {"warmth": 2.0, "respect": 2.0}  # ratings 2, 3, 4


def test_mixing_questionnaire_versions_is_refused() -> None:
    questionnaire, results = results_for(HAND)
    newer = replace(questionnaire, content_hash="f" * 64)
    with pytest.raises(ScoringError, match="mixes questionnaire versions"):
        analyse_results(newer, results)


def test_simulated_cohort_is_internally_consistent(questionnaire) -> None:
    applicants = simulate_answers(questionnaire, 200, seed=11)
    results = [score_submission(questionnaire, a.answers, a.free_text_ratings) for a in applicants]
    report = analyse_results(questionnaire, results)
    assert report.submissions == 200
    assert report.warnings == ()
    for dimension in report.dimensions:
        assert dimension.alpha is not None
        assert dimension.alpha_low < dimension.alpha < dimension.alpha_high
        assert dimension.sem > 0


def test_no_submissions_yet_gives_warnings_not_errors() -> None:
    questionnaire = make_questionnaire([*WARMTH_ITEMS, F01])
    report = analyse_results(questionnaire, [])
    assert report.submissions == 0
    assert report.warnings[0].startswith("Too few submissions")
    warmth = next(d for d in report.dimensions if d.dimension == "warmth")
    assert warmth.alpha is None and warmth.sem is None
    assert "fewer than two submissions" in warmth.warnings[0]
    assert report.items[0].item_total == {"warmth": None}
    respect = next(d for d in report.dimensions if d.dimension == "respect")
    assert "only one item" in respect.warnings[0]
