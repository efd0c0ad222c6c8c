from leadwire_notifier.domain.text import EXCERPT_CHARS, escape, excerpt, link, paragraph, person


def test_escape_makes_mrkdwn_control_characters_literal() -> None:
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_excerpt_is_one_bounded_line_without_quoted_history() -> None:
    body = "Hi there,\n\n" + "word " * 500 + "\n> old quoted reply\n> more"
    text = excerpt(body)
    assert len(text) <= EXCERPT_CHARS
    assert "\n" not in text and text.endswith("…")
    assert "old quoted" not in text


def test_excerpt_masks_credentials() -> None:
    text = excerpt("my key is sk-abcdefghijklmnopqrstuv and Bearer abc.def.ghi")
    assert "sk-abcdefghijklmnopqrstuv" not in text
    assert "abc.def.ghi" not in text


def test_paragraph_keeps_lines_but_bounds_length() -> None:
    text = paragraph("Hello,\n\n\n\nLine two\n" + "x" * 5000, limit=100)
    assert text.startswith("Hello,\n\nLine two")
    assert len(text) <= 100


def test_person_and_link_escape_what_they_show() -> None:
    assert person("Ann <x>", "ann@lead.test") == "Ann &lt;x&gt; &lt;ann@lead.test&gt;"
    assert person("", "") == "unknown sender"
    assert link("https://c.test/#/leads/1", "a|b>") == "<https://c.test/#/leads/1|a¦b&gt;>"
