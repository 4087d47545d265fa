"""Read and validate one item file (questions/items/<ID>.yaml) into an Item."""

from __future__ import annotations

import re
from datetime import date

from .documents import Document, entry_path
from .fields import Fields, FileReport, describe, is_whole
from .formats import (
    KEY_FIELDS,
    PROMPTS,
    ItemDraft,
    OptionDraft,
    check_dimensions,
    check_format,
)
from .model import (
    DIMENSIONS,
    RATING_MAX,
    RATING_MIN,
    SOURCE_LANGUAGE,
    Anchor,
    Item,
    ItemText,
    Option,
    ResponseFormat,
    Review,
)

ITEM_ID = re.compile(r"^[A-Z]\d\d-[a-z0-9-]+$")
# Option ids end up in HTML form values and CSV headers: keep them plain.
OPTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
MAX_INTERVIEW_QUESTIONS = 3

ITEM_FIELDS = (
    "id",
    "title",
    "revision",
    "author",
    "reviewed_by",
    "dimensions",
    "second_dimension_reason",
    "format",
    "scale",
    "scenario",
    "prompt",
    "options",
    "anchors",
    "interview_questions",
    "translations",
)
OPTION_FIELDS = ("id", "text", "rationale", "points", "effectiveness", "rank", "red_flag",
                 "panel_effectiveness")
TRANSLATION_FIELDS = ("title", "scenario", "prompt", "options")
REVIEW_FIELDS = ("who", "on", "change")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_item(document: Document, report: FileReport, file_stem: str) -> Item | None:
    """The Item in `document`, or None after recording why it cannot be used."""
    if not isinstance(document.content, dict):
        report.add(
            "", f"an item file must be a mapping of fields, not {describe(document.content)}"
        )
        return None
    fields = Fields(report, "", document.content)
    fields.only(ITEM_FIELDS)
    item_id = fields.identifier(file_stem, ITEM_ID, "W03-phone-during-huddle")
    title = fields.text("title")
    revision = _revision(fields)
    author = fields.text("author")
    reviewed_by = _reviews(fields)
    dimensions = _dimensions(fields)
    second_dimension_reason = _second_dimension_reason(fields, dimensions)
    response_format = _format(fields)
    scale = _scale(fields)
    scenario = fields.text("scenario")
    prompt = fields.text("prompt")
    options = _options(fields)
    anchors = _anchors(fields, response_format)
    interview_questions = _interview_questions(fields)
    option_ids = None if options is None else [option.id for option in options]
    translations = _translations(fields, option_ids)
    if response_format is not None:
        _check_prompts(fields, response_format, prompt, translations)
        draft = ItemDraft(response_format, dimensions, scale, options, fields.has("anchors"))
        check_format(report, draft)
        check_dimensions(report, draft)
    if not report.clean:
        return None
    # A clean report means every reader above returned a value; say so to the type checker.
    assert item_id and title and author and scenario and prompt and response_format
    assert revision is not None and dimensions is not None and scale is not None
    uses_points = KEY_FIELDS.get(response_format) == "points"
    return Item(
        id=item_id,
        title=title,
        dimensions=dimensions,
        scenario=scenario,
        prompt=prompt,
        format=response_format,
        options=tuple(_option(draft, dimensions if uses_points else ()) for draft in options or ()),
        scale_min=scale[0],
        scale_max=scale[1],
        anchors=anchors,
        interview_questions=interview_questions,
        author=author,
        reviewed_by=reviewed_by,
        revision=revision,
        second_dimension_reason=second_dimension_reason or "",
        translations=translations,
    )


def _option(draft: OptionDraft, dimensions: tuple[str, ...]) -> Option:
    assert draft.id and draft.text and draft.rationale and draft.red_flag is not None
    return Option(
        id=draft.id,
        text=draft.text,
        rationale=draft.rationale,
        # In the item's dimension order, so every option reads the same way.
        points={dimension: draft.points[dimension] for dimension in dimensions},
        effectiveness=draft.effectiveness,
        rank=draft.rank,
        red_flag=draft.red_flag,
        panel_effectiveness=draft.panel_effectiveness,
    )


def _panel_effectiveness(fields: Fields) -> float | None:
    """A keying panel's mean rating of the option, 1..5 (`flask bank apply-panel` writes it)."""
    value = fields.number("panel_effectiveness", required=False)
    if value is not None and not RATING_MIN <= value <= RATING_MAX:
        fields.problem("panel_effectiveness",
                       f"a panel's mean rating is {RATING_MIN}..{RATING_MAX}, not {value:g}")
        return None
    return value


def _check_prompts(
    fields: Fields,
    response_format: ResponseFormat,
    prompt: str | None,
    translations: dict[str, ItemText],
) -> None:
    """Every item of a format asks the same question, in each language we have a wording for."""
    house = PROMPTS[response_format]
    asked = {SOURCE_LANGUAGE: ("prompt", prompt)}
    asked.update(
        (language, (f"translations.{language}.prompt", text.prompt))
        for language, text in translations.items()
    )
    for language, (field, text) in asked.items():
        wording = house.get(language)
        if text is not None and wording is not None and text != wording:
            fields.report.add(
                field,
                f"a {response_format} item asks {wording!r}; every item of a format asks the "
                "same question, for the most effective response",
            )


def _revision(fields: Fields) -> int | None:
    revision = fields.whole("revision")
    if revision is not None and revision < 1:
        fields.problem("revision", f"revision must be 1 or more, not {revision}")
        return None
    return revision


def _reviews(fields: Fields) -> tuple[Review, ...]:
    """The review record: who reviewed the item, on which day, and what changed.

    A bare name ("Front-line panel") on every item said nothing a reader could
    check, so each entry names the reviewer, the date and the change.
    """
    if not fields.has("reviewed_by"):
        return ()
    value = fields.raw("reviewed_by", required=False)
    if not isinstance(value, list) or not value:
        fields.problem(
            "reviewed_by",
            f"must be a list of reviews (- who: ..., on: YYYY-MM-DD, change: ...), "
            f"not {describe(value)}",
        )
        return ()
    reviews = []
    for index, entry in enumerate(value):
        where = entry_path(fields.at("reviewed_by"), index)
        if not isinstance(entry, dict):
            fields.report.add(
                where, f"a review must be a mapping of who, on and change, not {describe(entry)}"
            )
            continue
        review = Fields(fields.report, where, entry)
        review.only(REVIEW_FIELDS)
        who, on, change = review.text("who"), review.text("on"), review.text("change")
        if on is not None and not _is_iso_date(on):
            review.problem("on", f"{on!r} is not a date; write it as YYYY-MM-DD")
            on = None
        if who is not None and on is not None and change is not None:
            reviews.append(Review(who=who, on=on, change=change))
    return tuple(reviews)


def _is_iso_date(text: str) -> bool:
    if not ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _second_dimension_reason(fields: Fields, dimensions: tuple[str, ...] | None) -> str | None:
    """Required, one sentence, when the item scores more than one dimension; refused otherwise.

    Each item is written to measure one dimension (its id letter); a second one
    counts twice whatever the option shows, so the rubric must say why.
    """
    reason = fields.text("second_dimension_reason", required=False)
    if dimensions is None:
        return reason
    if len(dimensions) > 1 and reason is None and not fields.has("second_dimension_reason"):
        fields.problem(
            "dimensions",
            f"the item scores {len(dimensions)} dimensions ({', '.join(dimensions)}); "
            "say why in second_dimension_reason, or keep only the first",
        )
    elif len(dimensions) == 1 and fields.has("second_dimension_reason"):
        fields.problem(
            "second_dimension_reason",
            f"the item measures only {dimensions[0]}; remove second_dimension_reason",
        )
        return None
    return reason


def _dimensions(fields: Fields) -> tuple[str, ...] | None:
    entries = fields.sequence("dimensions")
    if entries is None:
        return None
    if not entries:
        fields.problem("dimensions", f"name at least one of {', '.join(DIMENSIONS)}")
        return None
    sound = True
    for index, dimension in enumerate(entries):
        where = entry_path(fields.at("dimensions"), index)
        if not isinstance(dimension, str) or dimension not in DIMENSIONS:
            shown = dimension if isinstance(dimension, str) else describe(dimension)
            fields.report.add(where, f"{shown!s} is not a dimension; use {', '.join(DIMENSIONS)}")
            sound = False
        elif dimension in entries[:index]:
            fields.report.add(where, f"{dimension} is listed twice")
            sound = False
    return tuple(entries) if sound else None


def _format(fields: Fields) -> ResponseFormat | None:
    value = fields.raw("format", required=True)
    if not isinstance(value, str):
        if "format" in fields.mapping:
            fields.problem("format", f"must be text, not {describe(value)}")
        return None
    try:
        return ResponseFormat(value)
    except ValueError:
        known = ", ".join(member.value for member in ResponseFormat)
        fields.problem("format", f"{value!r} is not a response format; use one of {known}")
        return None


def _scale(fields: Fields) -> tuple[int, int] | None:
    scale = fields.mapping_at("scale", required=False)
    if scale is None:
        if fields.has("scale"):
            return None
        # The model's defaults are the house scale; an item need not repeat them.
        return (Item.scale_min, Item.scale_max)
    scale.only(("min", "max"))
    low, high = scale.whole("min"), scale.whole("max")
    if low is None or high is None:
        return None
    if low >= high:
        scale.problem("max", f"the scale maximum {high} must be above the minimum {low}")
        return None
    return (low, high)


def _options(fields: Fields) -> list[OptionDraft] | None:
    entries = fields.sequence("options", required=False)
    if entries is None:
        return None
    drafts = []
    for index, entry in enumerate(entries):
        path = entry_path(fields.at("options"), index)
        if not isinstance(entry, dict):
            fields.report.add(path, f"an option must be a mapping of fields, not {describe(entry)}")
            drafts.append(OptionDraft(path=path))
            continue
        drafts.append(_option_draft(Fields(fields.report, path, entry)))
    _check_unique_option_ids(fields.report, drafts)
    return drafts


def _option_draft(fields: Fields) -> OptionDraft:
    fields.only(OPTION_FIELDS)
    option_id = fields.text("id")
    if option_id is not None and not OPTION_ID.match(option_id):
        fields.problem("id", f"{option_id!r} is not a valid option id; use a, b, c, ...")
        option_id = None
    draft = OptionDraft(
        path=fields.path,
        id=option_id,
        text=fields.text("text"),
        rationale=fields.text("rationale"),
        effectiveness=fields.whole("effectiveness", required=False),
        rank=fields.whole("rank", required=False),
        red_flag=fields.flag("red_flag"),
        panel_effectiveness=_panel_effectiveness(fields),
        given=frozenset(key for key in fields.mapping if isinstance(key, str)),
    )
    points = fields.mapping_at("points", required=False)
    if points is None:
        draft.points_valid = not fields.has("points")
        return draft
    for dimension, value in points.mapping.items():
        if not isinstance(dimension, str):
            points.problem(dimension, f"{describe(dimension)} is not a dimension")
            draft.points_valid = False
        elif not is_whole(value):
            points.problem(dimension, f"points must be a whole number, not {describe(value)}")
            draft.points_valid = False
        else:
            draft.points[dimension] = value
    return draft


def _check_unique_option_ids(report: FileReport, drafts: list[OptionDraft]) -> None:
    first_with: dict[str, OptionDraft] = {}
    for draft in drafts:
        if draft.id is None:
            continue
        if draft.id in first_with:
            report.add(
                f"{draft.path}.id",
                f"option id {draft.id} is already used by {first_with[draft.id].path}",
            )
        else:
            first_with[draft.id] = draft


def _anchors(fields: Fields, response_format: ResponseFormat | None) -> tuple[Anchor, ...]:
    """Behavioural anchors of a free_text item: exactly one per rating 1..5."""
    needed = response_format is ResponseFormat.FREE_TEXT
    anchors = fields.mapping_at("anchors", required=needed)
    if anchors is None or not needed:
        return ()  # anchors outside free_text are reported by the format rules
    ratings = range(RATING_MIN, RATING_MAX + 1)
    found = []
    for rating in anchors.mapping:
        if not is_whole(rating) or rating not in ratings:
            anchors.problem(
                rating, f"{rating!r} is not a rating; anchors are keyed {RATING_MIN}..{RATING_MAX}"
            )
            continue
        description = anchors.text(rating)
        if description is not None:
            found.append(Anchor(rating=rating, description=description))
    missing = [str(rating) for rating in ratings if rating not in anchors.mapping]
    if missing:
        fields.problem(
            "anchors",
            f"no anchor for rating {', '.join(missing)}; "
            f"a free_text item needs one anchor per rating {RATING_MIN}..{RATING_MAX}",
        )
    return tuple(sorted(found, key=lambda anchor: anchor.rating))


def _interview_questions(fields: Fields) -> tuple[str, ...]:
    entries = fields.sequence("interview_questions", required=False)
    if entries is None:
        return ()
    if len(entries) > MAX_INTERVIEW_QUESTIONS:
        fields.problem(
            "interview_questions",
            f"{len(entries)} questions; keep at most {MAX_INTERVIEW_QUESTIONS} "
            "so the interview guide stays short",
        )
    questions = []
    for index, question in enumerate(entries):
        if isinstance(question, str) and question.strip():
            questions.append(question.strip())
        else:
            fields.report.add(
                entry_path(fields.at("interview_questions"), index),
                f"a question must be non-empty text, not {describe(question)}",
            )
    return tuple(questions)


def _translations(fields: Fields, option_ids: list[str | None] | None) -> dict[str, ItemText]:
    translations = fields.mapping_at("translations", required=False)
    if translations is None:
        return {}
    texts = {}
    for language in translations.mapping:
        if not isinstance(language, str) or not LANGUAGE.match(language):
            translations.problem(
                language, f"{language!r} is not a two-letter language code such as es or fr"
            )
            continue
        translation = translations.mapping_at(language)
        if translation is None:
            continue
        text = _translation(translation, option_ids)
        if text is not None:
            texts[language] = text
    return dict(sorted(texts.items()))


def _translation(fields: Fields, option_ids: list[str | None] | None) -> ItemText | None:
    """One language's wording, covering exactly the item's options."""
    fields.only(TRANSLATION_FIELDS)
    title, scenario, prompt = fields.text("title"), fields.text("scenario"), fields.text("prompt")
    expected = [option_id for option_id in option_ids or [] if option_id is not None]
    options = fields.mapping_at("options", required=bool(expected))
    texts: dict[str, str] = {}
    if options is not None:
        for option_id in options.mapping:
            if option_id not in expected:
                options.problem(option_id, f"the item has no option {option_id!r}")
                continue
            text = options.text(option_id)
            if text is not None:
                texts[option_id] = text
        missing = [option_id for option_id in expected if option_id not in options.mapping]
        if missing:
            fields.problem("options", f"no translation for option {', '.join(missing)}")
    if title is None or scenario is None or prompt is None:
        return None
    # In the item's option order, so a translated page lists options the same way.
    ordered = {option_id: texts[option_id] for option_id in expected if option_id in texts}
    return ItemText(title=title, scenario=scenario, prompt=prompt, options=ordered)
