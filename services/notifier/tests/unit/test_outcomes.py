import pytest

from leadwire_notifier.domain.outcomes import SlackAnswer, classify, retry_delay


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (SlackAnswer(200, "ok"), "delivered"),
        (SlackAnswer(429, "rate_limited", retry_after=7), "rate_limited"),
        (SlackAnswer(404, "no_service"), "webhook_broken"),
        (SlackAnswer(410, "channel_is_archived"), "webhook_broken"),
        (SlackAnswer(403, "action_prohibited"), "webhook_broken"),
        (SlackAnswer(400, "invalid_blocks"), "refused"),
        (SlackAnswer(500, "boom"), "unavailable"),
        (SlackAnswer(503, ""), "unavailable"),
        (SlackAnswer(None, error="ReadTimeout"), "unavailable"),
    ],
)
def test_each_slack_answer_means_one_thing(answer: SlackAnswer, kind: str) -> None:
    assert classify(answer).kind == kind


def test_429_waits_as_long_as_slack_asks() -> None:
    assert classify(SlackAnswer(429, "rate_limited", retry_after=7)).wait_seconds == 7
    assert classify(SlackAnswer(429, "rate_limited")).wait_seconds == 1


def test_the_reason_names_slacks_error_word() -> None:
    assert classify(SlackAnswer(404, "no_service")).reason == "404 no_service"


def test_retry_delay_doubles_up_to_the_cap() -> None:
    assert [retry_delay(n, base=2, cap=30) for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]
