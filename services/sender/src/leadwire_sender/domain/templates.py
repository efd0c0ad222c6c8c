"""Rendering client templates safely: Jinja2's sandbox, every variable required.

A missing variable is refused up front with all the missing names (never a half-filled
email); the HTML part is autoescaped and then sanitised like any HTML we send.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
import nh3
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

_TEXT_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
_HTML_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


class TemplateProblem(ValueError):
    """The template cannot be rendered with these variables; `missing` names what is absent."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    body_text: str
    body_html: str = ""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def required_variables(source: TemplateSource) -> frozenset[str]:
    """Every top-level name the template reads (refuses a template that does not parse)."""
    names: set[str] = set()
    for env, text in (
        (_TEXT_ENV, source.subject),
        (_TEXT_ENV, source.body_text),
        (_HTML_ENV, source.body_html),
    ):
        try:
            names |= meta.find_undeclared_variables(env.parse(text))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(
                f"template syntax error on line {exc.lineno}: {exc.message}"
            ) from None
    return frozenset(names)


def render(source: TemplateSource, variables: Mapping[str, Any]) -> RenderedEmail:
    missing = tuple(sorted(required_variables(source) - set(variables)))
    if missing:
        raise TemplateProblem(f"missing template variables: {', '.join(missing)}", missing)
    try:
        subject = _TEXT_ENV.from_string(source.subject).render(variables)
        text = _TEXT_ENV.from_string(source.body_text).render(variables)
        html = _HTML_ENV.from_string(source.body_html).render(variables) if source.body_html else ""
    except jinja2.UndefinedError as exc:  # e.g. `{{ lead.missing_attribute }}`
        raise TemplateProblem(f"template variable problem: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateProblem(f"template refused by the sandbox: {exc}") from None
    # A subject is one line: a variable carrying a newline must not inject headers.
    return RenderedEmail(" ".join(subject.split()), text, sanitize_html(html) if html else "")


def sanitize_html(html: str) -> str:
    """Keep formatting, drop scripts, event handlers and dangerous URLs (nh3 / ammonia)."""
    return nh3.clean(html)


def html_to_text(html: str) -> str:
    """A plain-text part for an HTML-only message: the text without tags."""
    stripped = nh3.clean(html.replace("<br>", "\n").replace("</p>", "\n\n"), tags=set())
    lines = [" ".join(line.split()) for line in stripped.splitlines()]
    return html_lib.unescape("\n".join(lines).strip())
