"""Template rendering: strict variables, sandbox, sanitised HTML."""

from __future__ import annotations

import pytest

from leadwire_sender.domain.templates import (
    TemplateProblem,
    TemplateSource,
    html_to_text,
    render,
    required_variables,
    sanitize_html,
)

SOURCE = TemplateSource(
    subject="Hello {{ name }}",
    body_text="Dear {{ name }}, see {{ link }}",
    body_html="<p>Dear {{ name }}</p>",
)


def test_renders_every_part() -> None:
    out = render(SOURCE, {"name": "Zoë", "link": "https://x.test"})
    assert out.subject == "Hello Zoë"
    assert out.text == "Dear Zoë, see https://x.test"
    assert out.html == "<p>Dear Zoë</p>"


def test_missing_variables_are_all_named_and_nothing_renders() -> None:
    with pytest.raises(TemplateProblem) as caught:
        render(SOURCE, {})
    assert caught.value.missing == ("link", "name")


def test_required_variables_lists_names_across_parts() -> None:
    assert required_variables(SOURCE) == {"name", "link"}


def test_html_variables_are_escaped() -> None:
    out = render(TemplateSource("s", "t", "<p>{{ name }}</p>"), {"name": "<script>x</script>"})
    assert "<script>" not in out.html


def test_sandbox_refuses_reaching_into_python_internals() -> None:
    evil = TemplateSource("s", "{{ name.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateProblem):
        render(evil, {"name": "x"})


def test_syntax_errors_are_a_template_problem() -> None:
    with pytest.raises(TemplateProblem, match="syntax"):
        required_variables(TemplateSource("{{ oops", "t"))


def test_a_subject_variable_cannot_inject_a_header_line() -> None:
    out = render(TemplateSource("Hi {{ n }}", "t"), {"n": "x\r\nBcc: evil@x"})
    assert "\n" not in out.subject and "\r" not in out.subject


def test_sanitiser_drops_scripts_and_handlers() -> None:
    clean = sanitize_html(
        '<p onclick="x()">hi<script>alert(1)</script><a href="javascript:x">l</a></p>'
    )
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "<p>hi" in clean


def test_html_to_text_keeps_words_and_breaks() -> None:
    assert html_to_text("<p>Hello &amp; <b>welcome</b></p><p>Bye</p>") == "Hello & welcome\n\nBye"
