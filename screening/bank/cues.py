"""Cues that give the key away by its form, and the time a questionnaire takes to read.

An applicant who answers every item by "choose the longest option" must not
pass the screen (issue #16). So the keyed option may not stand out by length,
across a questionnaire the longest option is often a wrong one, each dimension
rests on more than one item, and the wording leaves time to think. These rules
are measured here (for ``flask --app screening.app bank check --report``) and
checked like every other bank rule: each broken rule is a Problem naming the
file, item, field and line.

"Keyed option", per format: best_choice and most_least, the option with the
highest points total (most_least also has a keyed worst, the lowest total);
rank, the option ranked 1; rate_each, every option keyed with the highest
effectiveness. free_text items have no options and are exempt. Lengths are
characters of the option text, in English and separately in each translation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .documents import Document
from .errors import Problem, reading_order
from .fields import FileReport
from .model import (
    DIMENSION_LABELS,
    DIMENSIONS,
    SOURCE_LANGUAGE,
    Item,
    Option,
    Questionnaire,
    ResponseFormat,
)

# -- the thresholds, in one place -------------------------------------------------------

#: The keyed option's length stays within ±15% of the mean of the other options:
#: wider, and "choose the longest" (or the shortest) finds it; 15% is about one
#: short clause on a typical option.
KEYED_LENGTH_TOLERANCE = 0.15
#: At most 30% of a questionnaire's option items have the keyed option longest:
#: with 4-5 options, chance alone makes it the longest in 20-25%.
KEYED_LONGEST_MAX_SHARE = 0.30
#: At least 15% have it shortest, so "never choose the shortest" does not help either.
KEYED_SHORTEST_MIN_SHARE = 0.15
#: In at least a quarter, the longest option is a wrong one (see is_wrong): long,
#: thorough-sounding answers must sometimes be the ones to reject.
LONGEST_WRONG_MIN_SHARE = 0.25
#: In most_least items the keyed worst is the shortest (or the longest) option in at
#: most half of them, so "the shortest is the least effective" finds no key either.
KEYED_WORST_EXTREME_MAX_SHARE = 0.5
#: An option keyed at most this effective (rate_each) is a wrong one.
WRONG_EFFECTIVENESS_MAX = 2
#: An option earning at most this share of the keyed best's points is a wrong one.
WRONG_POINTS_SHARE_MAX = 0.5
#: A careful reader of plain text in a second language, or on a phone.
READING_WORDS_PER_MINUTE = 150
#: Reading the questionnaire takes at most 75% of its time limit: a quarter is left to think.
READING_TIME_MAX_SHARE = 0.75
#: Each dimension is the main dimension of at least 2 scored items, so no single
#: item decides a dimension's score.
MIN_ITEMS_PER_DIMENSION = 2

_POINTS_FORMATS = (ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST)


# -- what is keyed, and what is wrong ---------------------------------------------------


def _total(option: Option) -> int:
    return sum(option.points.values())


def keyed_options(item: Item) -> tuple[Option, ...]:
    """The option(s) the key rates best; empty for free_text."""
    options = item.options
    if not options:
        return ()
    if item.format in _POINTS_FORMATS:
        best = max(_total(option) for option in options)
        return tuple(option for option in options if _total(option) == best)
    if item.format is ResponseFormat.RANK:
        return tuple(option for option in options if option.rank == 1)
    if item.format is ResponseFormat.RATE_EACH:
        top = max(option.effectiveness or 0 for option in options)
        return tuple(option for option in options if option.effectiveness == top)
    return ()


def keyed_worst(item: Item) -> Option | None:
    """The keyed worst of a most_least item (lowest total); None for other formats."""
    if item.format is not ResponseFormat.MOST_LEAST or not item.options:
        return None
    return min(item.options, key=_total)


def is_wrong(item: Item, option: Option) -> bool:
    """Keyed in the bottom half: a response the key rejects, not merely a second best."""
    if item.format in _POINTS_FORMATS:
        best = max(_total(candidate) for candidate in item.options)
        return _total(option) <= WRONG_POINTS_SHARE_MAX * best
    if item.format is ResponseFormat.RATE_EACH:
        return (option.effectiveness or 0) <= WRONG_EFFECTIVENESS_MAX
    if item.format is ResponseFormat.RANK:
        return (option.rank or 0) > (len(item.options) + 1) / 2
    return False


def option_texts(item: Item, language: str = SOURCE_LANGUAGE) -> dict[str, str]:
    """Option id -> text in ``language``; empty if the item has no such translation."""
    if language == SOURCE_LANGUAGE:
        return {option.id: option.text for option in item.options}
    translation = item.translations.get(language)
    return dict(translation.options) if translation is not None else {}


def reading_words(item: Item, language: str = SOURCE_LANGUAGE) -> int:
    """Words an applicant reads: scenario, prompt and every option (English if untranslated)."""
    translation = item.translations.get(language) if language != SOURCE_LANGUAGE else None
    scenario = translation.scenario if translation else item.scenario
    prompt = translation.prompt if translation else item.prompt
    texts = option_texts(item, language) or option_texts(item)
    return len(scenario.split()) + len(prompt.split()) + sum(len(t.split()) for t in texts.values())


# -- per item ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LengthRatio:
    """A keyed option's length against the mean length of the options not keyed."""

    option_id: str
    length: int
    others_mean: float

    @property
    def ratio(self) -> float:
        return self.length / self.others_mean if self.others_mean else math.inf

    @property
    def within(self) -> bool:
        return abs(self.ratio - 1) <= KEYED_LENGTH_TOLERANCE + 1e-9

    @property
    def allowed(self) -> tuple[int, int]:
        """Lengths in characters the keyed option may have."""
        low = math.ceil(self.others_mean * (1 - KEYED_LENGTH_TOLERANCE) - 1e-9)
        high = math.floor(self.others_mean * (1 + KEYED_LENGTH_TOLERANCE) + 1e-9)
        return low, high


@dataclass(frozen=True)
class ItemCues:
    item: Item
    keyed: tuple[str, ...]
    #: language -> one ratio per keyed option; the source language first.
    ratios: Mapping[str, tuple[LengthRatio, ...]]
    longest: tuple[str, ...]  # ids of the longest option(s), English
    shortest: tuple[str, ...]
    worst: str | None  # most_least: the keyed worst

    @property
    def keyed_longest(self) -> bool:
        return any(option_id in self.keyed for option_id in self.longest)

    @property
    def keyed_shortest(self) -> bool:
        return any(option_id in self.keyed for option_id in self.shortest)

    @property
    def longest_wrong(self) -> bool:
        return all(is_wrong(self.item, self.item.option(oid)) for oid in self.longest)

    @property
    def worst_longest(self) -> bool:
        return self.worst is not None and self.worst in self.longest

    @property
    def worst_shortest(self) -> bool:
        return self.worst is not None and self.worst in self.shortest

    def farthest(self, language: str) -> LengthRatio | None:
        """The keyed option whose length ratio is farthest from 1, in ``language``."""
        ratios = self.ratios.get(language, ())
        return max(ratios, key=lambda r: abs(r.ratio - 1)) if ratios else None


def _ratios(item: Item, keyed: tuple[str, ...], language: str) -> tuple[LengthRatio, ...]:
    texts = option_texts(item, language)
    others = [len(text) for option_id, text in texts.items() if option_id not in keyed]
    if not texts or not others:
        return ()
    mean = sum(others) / len(others)
    return tuple(LengthRatio(option_id, len(texts[option_id]), mean) for option_id in keyed)


def item_cues(item: Item) -> ItemCues | None:
    """The length cues of an option item; None for free_text."""
    keyed = tuple(option.id for option in keyed_options(item))
    if not keyed:
        return None
    lengths = {option.id: len(option.text) for option in item.options}
    languages = (SOURCE_LANGUAGE, *sorted(item.translations))
    worst = keyed_worst(item)
    return ItemCues(
        item=item,
        keyed=keyed,
        ratios={language: _ratios(item, keyed, language) for language in languages},
        longest=tuple(oid for oid, n in lengths.items() if n == max(lengths.values())),
        shortest=tuple(oid for oid, n in lengths.items() if n == min(lengths.values())),
        worst=None if worst is None else worst.id,
    )


# -- per questionnaire ------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """How many of ``total`` items have a property, and which."""

    items: tuple[str, ...]
    total: int

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    def at_most(self, share: float) -> bool:
        return self.count <= math.floor(share * self.total + 1e-9)

    def at_least(self, share: float) -> bool:
        return self.count >= math.ceil(share * self.total - 1e-9)

    def __str__(self) -> str:
        return f"{self.count} of {self.total} ({100 * self.share:.0f}%)"


@dataclass(frozen=True)
class Reading:
    language: str
    words: int
    limit_minutes: int | None

    @property
    def minutes(self) -> float:
        return self.words / READING_WORDS_PER_MINUTE

    @property
    def share(self) -> float | None:
        return self.minutes / self.limit_minutes if self.limit_minutes else None

    @property
    def within(self) -> bool:
        return self.share is None or self.share <= READING_TIME_MAX_SHARE + 1e-9

    @property
    def allowed_words(self) -> int | None:
        if not self.limit_minutes:
            return None
        return math.floor(READING_TIME_MAX_SHARE * self.limit_minutes * READING_WORDS_PER_MINUTE)


@dataclass(frozen=True)
class QuestionnaireCues:
    questionnaire: Questionnaire
    items: tuple[ItemCues, ...]  # the scored option items, in questionnaire order
    keyed_longest: Count
    keyed_shortest: Count
    longest_wrong: Count
    worst_longest: Count  # over the most_least items
    worst_shortest: Count
    #: per offered language; the practice item counts, as it runs on the same clock.
    reading: tuple[Reading, ...]
    #: dimension -> the scored items it is the main dimension of.
    main_items: Mapping[str, tuple[str, ...]]
    #: dimension -> how many scored items give it points at all.
    scoring_items: Mapping[str, int]


def questionnaire_cues(questionnaire: Questionnaire) -> QuestionnaireCues:
    cues = tuple(c for c in map(item_cues, questionnaire.items) if c is not None)
    most_least = [c for c in cues if c.worst is not None]

    def count(pool: Sequence[ItemCues], has: Callable[[ItemCues], bool]) -> Count:
        return Count(tuple(c.item.id for c in pool if has(c)), len(pool))

    practice = questionnaire.practice_item
    read = [*questionnaire.items, *([practice] if practice else [])]
    return QuestionnaireCues(
        questionnaire=questionnaire,
        items=cues,
        keyed_longest=count(cues, lambda c: c.keyed_longest),
        keyed_shortest=count(cues, lambda c: c.keyed_shortest),
        longest_wrong=count(cues, lambda c: c.longest_wrong),
        worst_longest=count(most_least, lambda c: c.worst_longest),
        worst_shortest=count(most_least, lambda c: c.worst_shortest),
        reading=tuple(
            Reading(
                language,
                sum(reading_words(item, language) for item in read),
                questionnaire.time_limit_minutes,
            )
            for language in questionnaire.languages
        ),
        main_items={
            d: tuple(i.id for i in questionnaire.items if i.primary_dimension == d)
            for d in DIMENSIONS
        },
        scoring_items={
            d: sum(1 for i in questionnaire.items if d in i.dimensions) for d in DIMENSIONS
        },
    )


# -- the rules as problems --------------------------------------------------------------

#: (file as problems name it, parsed document) per item id and per questionnaire id.
Sources = Mapping[str, tuple[str, Document]]


def check_cues(
    items: Mapping[str, Item],
    questionnaires: Mapping[str, Questionnaire],
    item_sources: Sources,
    questionnaire_sources: Sources,
) -> list[Problem]:
    """Every cue rule broken by the items and questionnaires that loaded, in reading order."""
    problems: list[Problem] = []
    for item_id, item in items.items():
        file, document = item_sources[item_id]
        report = FileReport(file, "item", item_id, document)
        _check_item(report, item)
        problems.extend(report.problems)
    for questionnaire_id, questionnaire in questionnaires.items():
        file, document = questionnaire_sources[questionnaire_id]
        report = FileReport(file, "questionnaire", questionnaire_id, document)
        _check_questionnaire(report, questionnaire_cues(questionnaire))
        problems.extend(report.problems)
    return sorted(problems, key=reading_order)


def _check_item(report: FileReport, item: Item) -> None:
    cues = item_cues(item)
    if cues is None:
        return
    index = {option.id: position for position, option in enumerate(item.options)}
    for language, ratios in cues.ratios.items():
        for ratio in ratios:
            if ratio.within:
                continue
            low, high = ratio.allowed
            if language == SOURCE_LANGUAGE:
                field, where = f"options[{index[ratio.option_id]}].text", ""
            else:
                field = f"translations.{language}.options.{ratio.option_id}"
                where = f"in {language}, "
            report.add(
                field,
                f"{where}the keyed option {ratio.option_id} is {ratio.length} characters, "
                f"{ratio.ratio:.2f} times the mean of the other options ({ratio.others_mean:.0f});"
                f" keep it within ±{KEYED_LENGTH_TOLERANCE:.0%} ({low}-{high} characters) so "
                "its length does not point to the key",
            )


def _check_questionnaire(report: FileReport, cues: QuestionnaireCues) -> None:
    def listed(count: Count) -> str:
        return f" ({', '.join(count.items)})" if count.items else ""

    if cues.items:
        if not cues.keyed_longest.at_most(KEYED_LONGEST_MAX_SHARE):
            report.add(
                "items",
                f"the keyed option is the longest in {cues.keyed_longest} option items"
                f"{listed(cues.keyed_longest)}; at most {KEYED_LONGEST_MAX_SHARE:.0%} may be, "
                "or choosing the longest option finds the key",
            )
        if not cues.keyed_shortest.at_least(KEYED_SHORTEST_MIN_SHARE):
            report.add(
                "items",
                f"the keyed option is the shortest in only {cues.keyed_shortest} option items;"
                f" at least {KEYED_SHORTEST_MIN_SHARE:.0%} must be, or never choosing the "
                "shortest option helps",
            )
        if not cues.longest_wrong.at_least(LONGEST_WRONG_MIN_SHARE):
            report.add(
                "items",
                f"the longest option is a wrong one (keyed in the bottom half) in only "
                f"{cues.longest_wrong} option items; at least {LONGEST_WRONG_MIN_SHARE:.0%} "
                "need a long answer that sounds thorough but is wrong",
            )
    for count, extreme in ((cues.worst_shortest, "shortest"), (cues.worst_longest, "longest")):
        if count.total and not count.at_most(KEYED_WORST_EXTREME_MAX_SHARE):
            report.add(
                "items",
                f"the keyed worst is the {extreme} option in {count} most_least items"
                f"{listed(count)}; at most {KEYED_WORST_EXTREME_MAX_SHARE:.0%} may be",
            )
    for reading in cues.reading:
        if reading.within:
            continue
        assert reading.share is not None and reading.limit_minutes is not None
        report.add(
            "items",
            f"reading takes {reading.minutes:.1f} minutes in {reading.language} "
            f"({reading.words} words at {READING_WORDS_PER_MINUTE} a minute, practice item "
            f"included), {reading.share:.0%} of the {reading.limit_minutes}-minute limit; keep it"
            f" within {READING_TIME_MAX_SHARE:.0%} ({reading.allowed_words} words) so a quarter "
            "of the time is left to think",
        )
    for dimension, main in cues.main_items.items():
        if len(main) < MIN_ITEMS_PER_DIMENSION:
            which = f" ({', '.join(main)})" if main else ""
            report.add(
                "items",
                f"{dimension} is the main dimension of {len(main)} scored item(s){which}; each "
                f"dimension needs at least {MIN_ITEMS_PER_DIMENSION}, so that no single item "
                "decides it",
            )


# -- the report -------------------------------------------------------------------------


def cue_report(
    items: Mapping[str, Item], questionnaires: Mapping[str, Questionnaire]
) -> str:
    """The table ``bank check --report`` prints: per item and per questionnaire."""
    lines = [
        "Keyed-option length cues and reading load (rules: questions/README.md, "
        '"What the validator checks").',
        f"ratio = keyed option's length / mean length of the other options "
        f"(rule {1 - KEYED_LENGTH_TOLERANCE:.2f}-{1 + KEYED_LENGTH_TOLERANCE:.2f}); "
        "longest/shortest: the option, and whether it is keyed or wrong.",
    ]
    shown: set[str] = set()
    for questionnaire in questionnaires.values():
        cues = questionnaire_cues(questionnaire)
        languages = questionnaire.languages
        lines += ["", _questionnaire_heading(questionnaire, cues)]
        practice = questionnaire.practice_item
        rows = [*questionnaire.items, *([practice] if practice else [])]
        lines += _item_table(rows, languages, practice.id if practice else None)
        shown.update(item.id for item in rows)
        lines += _questionnaire_lines(cues)
    rest = [item for item_id, item in items.items() if item_id not in shown]
    if rest:
        lines += ["", "Items in no questionnaire"]
        lines += _item_table(rest, (SOURCE_LANGUAGE, *_all_languages(rest)), None)
    return "\n".join(lines) + "\n"


def _all_languages(items: Sequence[Item]) -> list[str]:
    return sorted({language for item in items for language in item.translations})


def _questionnaire_heading(questionnaire: Questionnaire, cues: QuestionnaireCues) -> str:
    limit = questionnaire.time_limit_minutes
    return (
        f"{questionnaire.version_label}: {len(questionnaire.items)} items "
        f"({len(cues.items)} with options), "
        f"{'no time limit' if limit is None else f'{limit} minutes'}, "
        f"languages {', '.join(questionnaire.languages)}"
    )


def _mark(item: Item, option_ids: tuple[str, ...], keyed: tuple[str, ...]) -> str:
    option_id = "=".join(option_ids)
    if any(oid in keyed for oid in option_ids):
        return f"{option_id} keyed"
    if all(is_wrong(item, item.option(oid)) for oid in option_ids):
        return f"{option_id} wrong"
    return option_id


def _item_table(rows: Sequence[Item], languages: Sequence[str], practice: str | None) -> list[str]:
    header = f"  {'item':<44}{'format':<12}{'keyed':<7}"
    header += "".join(f"{language:>6}" for language in languages)
    header += f"  {'longest':<10}{'shortest':<10}{'words':>6}"
    lines = [header]
    for item in rows:
        name = item.id + (" (practice)" if item.id == practice else "")
        cues = item_cues(item)
        words = reading_words(item)
        if cues is None:
            lines.append(f"  {name:<44}{item.format.value:<12}{'-':<7}"
                         + "".join(f"{'-':>6}" for _ in languages)
                         + f"  {'-':<10}{'-':<10}{words:>6}")
            continue
        ratios = []
        for language in languages:
            farthest = cues.farthest(language)
            if farthest is None:
                ratios.append(f"{'-':>6}")
            else:
                flag = "" if farthest.within else "!"
                ratios.append(f"{farthest.ratio:>5.2f}{flag or ' '}")
        lines.append(
            f"  {name:<44}{item.format.value:<12}{','.join(cues.keyed):<7}{''.join(ratios)}"
            f"  {_mark(item, cues.longest, cues.keyed):<10}"
            f"{_mark(item, cues.shortest, cues.keyed):<10}{words:>6}"
        )
    return lines


def _verdict(ok: bool) -> str:
    return "ok" if ok else "BROKEN"


def _questionnaire_lines(cues: QuestionnaireCues) -> list[str]:
    rows = [
        ("keyed option is the longest", str(cues.keyed_longest),
         f"<= {KEYED_LONGEST_MAX_SHARE:.0%}", cues.keyed_longest.at_most(KEYED_LONGEST_MAX_SHARE)),
        ("keyed option is the shortest", str(cues.keyed_shortest),
         f">= {KEYED_SHORTEST_MIN_SHARE:.0%}",
         cues.keyed_shortest.at_least(KEYED_SHORTEST_MIN_SHARE)),
        ("longest option is a wrong one", str(cues.longest_wrong),
         f">= {LONGEST_WRONG_MIN_SHARE:.0%}", cues.longest_wrong.at_least(LONGEST_WRONG_MIN_SHARE)),
    ]
    if cues.worst_shortest.total:
        for count, extreme in ((cues.worst_longest, "longest"), (cues.worst_shortest, "shortest")):
            rows.append((f"keyed worst is the {extreme} (most_least)", str(count),
                         f"<= {KEYED_WORST_EXTREME_MAX_SHARE:.0%}",
                         count.at_most(KEYED_WORST_EXTREME_MAX_SHARE)))
    for reading in cues.reading:
        if reading.share is None:
            value = f"{reading.words} words, {reading.minutes:.1f} min (no limit)"
        else:
            value = (f"{reading.words} words, {reading.minutes:.1f} of "
                     f"{reading.limit_minutes} min ({reading.share:.0%})")
        rows.append((f"reading at {READING_WORDS_PER_MINUTE} wpm, {reading.language}", value,
                     f"<= {READING_TIME_MAX_SHARE:.0%}", reading.within))
    per_dimension = ", ".join(
        f"{DIMENSION_LABELS[d].lower()} {len(cues.main_items[d])}/{cues.scoring_items[d]}"
        for d in DIMENSIONS
    )
    rows.append(("items per dimension (main/scoring)", per_dimension,
                 f">= {MIN_ITEMS_PER_DIMENSION} main",
                 all(len(main) >= MIN_ITEMS_PER_DIMENSION for main in cues.main_items.values())))
    width = max(len(row[1]) for row in rows)
    label_width = max(len(row[0]) for row in rows) + 2
    rule_width = max(len(row[2]) for row in rows) + 2
    return [
        f"  {label:<{label_width}}{value:<{width + 2}}rule {rule:<{rule_width}}{_verdict(ok)}"
        for label, value, rule, ok in rows
    ]


__all__ = [
    "KEYED_LENGTH_TOLERANCE",
    "KEYED_LONGEST_MAX_SHARE",
    "KEYED_SHORTEST_MIN_SHARE",
    "KEYED_WORST_EXTREME_MAX_SHARE",
    "LONGEST_WRONG_MIN_SHARE",
    "MIN_ITEMS_PER_DIMENSION",
    "READING_TIME_MAX_SHARE",
    "READING_WORDS_PER_MINUTE",
    "Count",
    "ItemCues",
    "LengthRatio",
    "QuestionnaireCues",
    "Reading",
    "check_cues",
    "cue_report",
    "is_wrong",
    "item_cues",
    "keyed_options",
    "keyed_worst",
    "questionnaire_cues",
    "reading_words",
]
