"""Which language a text is written in (py3langid), with an honest "don't know".

Detection is limited to the languages leads realistically arrive in: on short business
mail a full 97-language model confuses e.g. Dutch with Afrikaans far more often.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from leadwire_drafter.domain.text import words

LANGUAGES = (
    "en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "no", "fi",
    "cs", "ro", "hu", "el", "ru", "uk", "tr", "ja", "zh", "ar",
)  # fmt: skip
# Below this many letters, or this confidence, the guess is not worth acting on.
_MIN_LETTERS = 12
_MIN_CONFIDENCE = 0.8


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when it is too short or too ambiguous."""
    if sum(len(w) for w in words(text)) < _MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(text)
    if confidence < _MIN_CONFIDENCE:
        return None
    return str(code)


def base_language(code: str) -> str:
    """`de-AT` -> `de`: replies are matched on the base language."""
    return code.split("-", 1)[0].lower()


def reply_language(lead_text: str, profile_language: str) -> str:
    """The lead's language when it is clear, else the client's profile language."""
    return detect_language(lead_text) or base_language(profile_language or "en")
