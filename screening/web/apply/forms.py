"""Forms for the applicant: consent, the open-link sign-up, and one form per item format.

Item forms are built per item because the fields depend on its options; they turn
the posted fields into a scoring.Answer (by option id) and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from babel import support
from flask_babel import LazyString, format_number, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from screening import scoring
from screening.adjustments import Need
from screening.bank import Item, ResponseFormat
from screening.bank.model import RATING_MAX, RATING_MIN
from screening.reports import integrity
from screening.scoring.fairness import (
    PREFER_NOT_TO_SAY,
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
)
from screening.services.adjustments import DETAILS_MAX
from screening.web import language
from screening.web.validators import one_line, visible_text

RATING_CHOICES = [
    SelectChoice(1, _l("1 – Very ineffective")),
    SelectChoice(2, _l("2 – Ineffective")),
    SelectChoice(3, _l("3 – Neither effective nor ineffective")),
    SelectChoice(4, _l("4 – Effective")),
    SelectChoice(5, _l("5 – Very effective")),
]


class _WTFormsMessages:
    """WTForms' own messages in the page's language, each catalogue read once per process.

    Flask-WTF reads the catalogue from disk again on every request; applicant pages are
    the ones a hiring drive loads thousands of times.
    """

    #: one catalogue per language offered (bounded by them): read once, not per request.
    _catalogues: ClassVar[dict[str, support.Translations]] = {}

    def _catalogue(self) -> support.Translations:
        code = language.current()
        catalogue = self._catalogues.get(code)
        if catalogue is None:
            catalogue = support.Translations.load(messages_path(), [code], domain="wtforms")
            self._catalogues[code] = catalogue
        return catalogue

    def gettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


class ApplicantForm(FlaskForm):
    """Base of every applicant form."""

    class Meta:
        def get_translations(self, form: Any) -> _WTFormsMessages:
            return _WTFORMS_MESSAGES


class ConsentForm(ApplicantForm):
    consent = BooleanField(
        _l("I have read the above and agree that my answers are stored and scored for this "
           "application."),
        validators=[InputRequired(_l("Please tick the box to agree before you start."))],
    )
    #: the language the page was shown in, so consent records it even if the session was lost.
    language = HiddenField()


class AdjustmentRequestForm(ApplicantForm):
    """Asking for an adjustment before starting: tick what helps, add words if wanted."""

    needs = SelectMultipleField(
        _l("What would help you"),
        choices=[
            SelectChoice(Need.EXTRA_TIME.value, _l("Extra time")),
            SelectChoice(Need.BREAK.value, _l("A break during the questionnaire")),
            SelectChoice(Need.SCREEN_READER.value,
                         _l("A layout that works well with a screen reader")),
            SelectChoice(Need.ALTERNATIVE.value,
                         _l("Another way to be assessed instead of this online questionnaire")),
        ],
        validators=[Optional()],
    )
    details = TextAreaField(
        _l("Anything else you would like us to know (optional)"),
        validators=[Optional(), Length(max=DETAILS_MAX)],
    )

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.needs.data and not (self.details.data or "").strip():
            self.needs.errors = [gettext("Choose what would help you, or describe it.")]
            return False
        return True


class OpenLinkForm(ApplicantForm):
    name = StringField(_l("Your full name"), validators=[
        InputRequired(_l("Please enter your name.")),
        visible_text(_l("Please enter your name.")),
        one_line,
        Length(max=200, message=_l("Please enter at most %(max)d characters.", max=200)),
    ])
    email = EmailField(_l("Your email address"), validators=[
        InputRequired(_l("Please enter your email address.")),
        Email(_l("Please enter a valid email address."), check_deliverability=False),
        Length(max=254, message=_l("Please enter at most %(max)d characters.", max=254)),
    ])
    #: one random key per rendered form: a double click signs up once.
    idempotency_key = HiddenField()
    #: the language the page was shown in, kept for the welcome page and beyond.
    language = HiddenField()


class SubmitForm(ApplicantForm):
    """The review page's final submit; the key makes a resent form harmless."""

    idempotency_key = HiddenField()
    #: set by the "submit anyway" button of the page asking about unanswered questions.
    confirm_unanswered = HiddenField()


class ItemForm(ApplicantForm):
    """Common part of every item page.

    Field validators catch what is missing on the page; then ``scoring.answer_problems``,
    the one definition of an answer the engine can score, has the last word, so the web
    page and the core can never disagree about what is valid.
    """

    # The Back/Next/Review buttons post "action" themselves; a hidden field of that
    # name would shadow them.
    shown_at = HiddenField()
    #: one random key per rendered page; a resent or double-clicked post is a no-op.
    idempotency_key = HiddenField()
    #: filled in by static/js/integrity.js; empty without JavaScript. Read leniently by
    #: signals(): no value can make the form invalid.
    left_page_count = HiddenField()
    paste_count = HiddenField()

    item: Item

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators) or not self.fields_agree():
            return False
        answer = self.to_answer(None)
        if not answer.is_answered(self.item):
            self.form_errors.append(gettext("Please answer the question before you go on."))
            return False
        problems = scoring.answer_problems(self.item, answer)
        self.form_errors.extend(problems)
        return not problems

    @property
    def first_control_id(self) -> str:
        """Where the error summary sends the applicant for a problem with the whole answer."""
        for field in self:
            if field.type == "RadioField":
                return f"{field.id}-0"
            if field.type in {"SelectField", "TextAreaField"}:
                return field.id
        return "main"

    def fields_agree(self) -> bool:
        """Checks across fields before an answer can be built from them; True by default."""
        return True

    def signals(self) -> integrity.ItemSignals:
        """The integrity counts the page posted; anything malformed is "not reported"."""
        return integrity.ItemSignals(
            left_page=integrity.reported_count(self.left_page_count.data),
            pastes=integrity.reported_count(self.paste_count.data),
        )

    def to_answer(self, seconds: float | None) -> scoring.Answer:
        raise NotImplementedError

    def fill(self, answer: scoring.Answer) -> None:
        raise NotImplementedError


def item_form(item: Item, option_ids: tuple[str, ...]) -> ItemForm:
    """The form for one item, with options in the applicant's order, bound to the request."""
    form = _form_class(item, option_ids)()
    form.item = item
    return form


def _form_class(item: Item, option_ids: tuple[str, ...]) -> type[ItemForm]:
    # Building a form class (and WTForms' first look at its fields) costs more than
    # rendering the page; the key holds everything the class is built from. Labels are
    # translated when the class is built (a lazy string costs a catalogue lookup each
    # time it is shown: 25 ratings on a rate-each page), so the language is in the key.
    key = (item.id, item.format, item.prompt,
           tuple((option.id, option.text) for option in item.options), option_ids,
           language.current())
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        if len(_FORM_CLASSES) >= _FORM_CLASSES_MAX:
            _FORM_CLASSES.clear()
        form_class = _FORM_CLASSES[key] = _BUILDERS[item.format](item, option_ids)
    return form_class


#: Item form classes: building one costs more than rendering the page. Bounded: emptied at
#: _FORM_CLASSES_MAX (20 items in up to 120 option orders each, per language, stay below it
#: unless the questionnaires change).
_FORM_CLASSES: dict[tuple[object, ...], type[ItemForm]] = {}
_FORM_CLASSES_MAX = 10_000


#: Shown only when a post was tampered with or comes from an old page.
_NOT_SHOWN = _l("Please choose one of the options shown.")


def _option_choices(item: Item, option_ids: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(option_id, item.option(option_id).text) for option_id in option_ids]


def _short(text: str, limit: int = 60) -> str:
    """An option's opening words, so each message in the error summary says which one."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _best_choice(item: Item, option_ids: tuple[str, ...]) -> type[ItemForm]:
    class BestChoiceForm(ItemForm):
        choice = RadioField(item.prompt, choices=_option_choices(item, option_ids),
                            validators=[InputRequired(_l("Please choose one option."))],
                            invalid_choice_message=_NOT_SHOWN)

        def to_answer(self, seconds: float | None) -> scoring.Answer:
            return scoring.Answer(item_id=item.id, choice=self.choice.data, seconds=seconds)

        def fill(self, answer: scoring.Answer) -> None:
            self.choice.data = answer.choice

    return BestChoiceForm


def _most_least(item: Item, option_ids: tuple[str, ...]) -> type[ItemForm]:
    class MostLeastForm(ItemForm):
        most = RadioField(gettext("Most effective"), choices=_option_choices(item, option_ids),
                          validators=[
                              InputRequired(_l("Please choose the most effective option."))],
                          invalid_choice_message=_NOT_SHOWN)
        least = RadioField(gettext("Least effective"), choices=_option_choices(item, option_ids),
                           validators=[
                               InputRequired(_l("Please choose the least effective option."))],
                           invalid_choice_message=_NOT_SHOWN)

        def validate_least(self, field: RadioField) -> None:
            if field.data and field.data == self.most.data:
                raise ValidationError(gettext(
                    "Choose a different option as least effective: the same option cannot be "
                    "both the most and the least effective."))

        def to_answer(self, seconds: float | None) -> scoring.Answer:
            return scoring.Answer(item_id=item.id, most=self.most.data, least=self.least.data,
                                  seconds=seconds)

        def fill(self, answer: scoring.Answer) -> None:
            self.most.data, self.least.data = answer.most, answer.least

    return MostLeastForm


_RATE_FROM_TO = _l("Please rate each option from %(low)d to %(high)d.",
                   low=RATING_MIN, high=RATING_MAX)


def _rate_each(item: Item, option_ids: tuple[str, ...]) -> type[ItemForm]:
    ratings = [SelectChoice(choice.value, str(choice.label)) for choice in RATING_CHOICES]
    fields = {
        f"rate_{option_id}": RadioField(
            item.option(option_id).text, choices=ratings, coerce=int,
            validators=[InputRequired(
                _l("Please rate: %(option)s", option=_short(item.option(option_id).text)))],
            invalid_choice_message=_RATE_FROM_TO,
            invalid_value_message=_RATE_FROM_TO,
        )
        for option_id in option_ids
    }

    class RateEachForm(ItemForm):
        def to_answer(self, seconds: float | None) -> scoring.Answer:
            ratings = {oid: self[f"rate_{oid}"].data for oid in option_ids}
            return scoring.Answer(item_id=item.id, ratings=ratings, seconds=seconds)

        def fill(self, answer: scoring.Answer) -> None:
            for option_id, rating in answer.ratings.items():
                if f"rate_{option_id}" in self and RATING_MIN <= rating <= RATING_MAX:
                    self[f"rate_{option_id}"].data = rating

    return type("RateEachForm", (RateEachForm,), fields)


def _rank(item: Item, option_ids: tuple[str, ...]) -> type[ItemForm]:
    positions = [SelectChoice(str(n), str(_ordinal(n))) for n in range(1, len(option_ids) + 1)]
    last = _ordinal(len(option_ids))
    fields = {
        f"rank_{option_id}": SelectField(
            item.option(option_id).text,
            choices=[SelectChoice("", gettext("Choose a place")), *positions],
            validators=[InputRequired(
                _l("Please give a place to: %(option)s", option=_short(item.option(option_id).text))
            )],
            invalid_choice_message=_l("Please choose a place from %(first)s to %(last)s.",
                                      first=_ordinal(1), last=last),
        )
        for option_id in option_ids
    }

    class RankForm(ItemForm):
        def fields_agree(self) -> bool:
            # Two options in one place would still sort into a complete ranking.
            places = [self[f"rank_{oid}"].data for oid in option_ids]
            if len(set(places)) != len(places):
                self.form_errors.append(gettext(
                    "Give every option a different place, from %(first)s to %(last)s.",
                    first=_ordinal(1), last=last))
                return False
            return True

        def to_answer(self, seconds: float | None) -> scoring.Answer:
            by_place = sorted(option_ids, key=lambda oid: int(self[f"rank_{oid}"].data))
            return scoring.Answer(item_id=item.id, ranking=tuple(by_place), seconds=seconds)

        def fill(self, answer: scoring.Answer) -> None:
            for place, option_id in enumerate(answer.ranking, start=1):
                if f"rank_{option_id}" in self:
                    self[f"rank_{option_id}"].data = str(place)

    return type("RankForm", (RankForm,), fields)


def _plain_text(value: str | None) -> str | None:
    """Browsers send line breaks as CRLF; count each as one character, as the page does."""
    if value is None:
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _free_text_length(form: FlaskForm, field: TextAreaField) -> None:
    length = len(field.data or "")
    if not scoring.FREE_TEXT_MIN <= length <= scoring.FREE_TEXT_MAX:
        raise ValidationError(gettext(
            "Please write between %(low)s and %(high)s characters; your answer has %(length)s.",
            low=format_number(scoring.FREE_TEXT_MIN), high=format_number(scoring.FREE_TEXT_MAX),
            length=format_number(length),
        ))


def _free_text(item: Item, option_ids: tuple[str, ...]) -> type[ItemForm]:
    class FreeTextForm(ItemForm):
        text = TextAreaField(_l("Your answer"), filters=[_plain_text], validators=[
            DataRequired(_l("Please write your answer.")), _free_text_length,
        ])

        def to_answer(self, seconds: float | None) -> scoring.Answer:
            return scoring.Answer(item_id=item.id, text=self.text.data or "", seconds=seconds)

        def fill(self, answer: scoring.Answer) -> None:
            self.text.data = answer.text

    return FreeTextForm


def _ordinal(n: int) -> Any:
    """1st, 2nd ... in the applicant's language (lazy: messages are shown in the request's)."""
    return {1: _l("1st"), 2: _l("2nd"), 3: _l("3rd")}.get(n) or _l("%(n)dth", n=n)


_BUILDERS = {
    ResponseFormat.BEST_CHOICE: _best_choice,
    ResponseFormat.MOST_LEAST: _most_least,
    ResponseFormat.RATE_EACH: _rate_each,
    ResponseFormat.RANK: _rank,
    ResponseFormat.FREE_TEXT: _free_text,
}

#: What the applicant reads for each category, in their language. The core keeps the
#: categories (and HR's English labels); a category added there without a label here
#: fails at import instead of showing an untranslated option.
_SEX_LABELS: Mapping[str, LazyString] = {
    "female": _l("Female"),
    "male": _l("Male"),
    "another": _l("Another sex or gender (for example non-binary)"),
    PREFER_NOT_TO_SAY: _l("Prefer not to say"),
}
_RACE_ETHNICITY_LABELS: Mapping[str, LazyString] = {
    "hispanic_or_latino": _l("Hispanic or Latino"),
    "white": _l("White"),
    "black_or_african_american": _l("Black or African American"),
    "native_hawaiian_or_pacific_islander": _l("Native Hawaiian or Other Pacific Islander"),
    "asian": _l("Asian"),
    "american_indian_or_alaska_native": _l("American Indian or Alaska Native"),
    "two_or_more_races": _l("Two or More Races"),
    PREFER_NOT_TO_SAY: _l("Prefer not to say"),
}


def _choices(categories: Mapping[str, str], labels: Mapping[str, LazyString]) -> list[SelectChoice]:
    if set(labels) != set(categories):
        raise RuntimeError(f"self-identification labels {sorted(labels)} do not match the "
                           f"categories {sorted(categories)}")
    return [SelectChoice(key, labels[key]) for key in categories]


class SelfIdentificationForm(ApplicantForm):
    # Optional: skipping a question is the same as "prefer not to say". Only a truly empty
    # value counts as skipped: Optional's whitespace stripping would clear the "not a valid
    # choice" error of a value like " " and pass it on to be stored.
    # ApplicantForm: WTForms' own messages ("Not a valid choice.") in the page's language.
    sex = RadioField(_l("Sex"), validators=[Optional(strip_whitespace=False)],
                     choices=_choices(SEX_CATEGORIES, _SEX_LABELS))
    race_ethnicity = RadioField(
        _l("Race/ethnicity"), validators=[Optional(strip_whitespace=False)],
        choices=_choices(RACE_ETHNICITY_CATEGORIES, _RACE_ETHNICITY_LABELS),
    )


__all__ = [
    "ConsentForm",
    "ItemForm",
    "OpenLinkForm",
    "SelfIdentificationForm",
    "SubmitForm",
    "item_form",
]
