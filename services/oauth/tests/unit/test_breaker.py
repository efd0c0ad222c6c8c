from leadwire_oauth.domain.breaker import ProviderGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def guard(clock: Clock) -> ProviderGuard:
    return ProviderGuard(
        failure_threshold=3, cooldown_seconds=30, misconfigured_retry_seconds=300, clock=clock
    )


def test_opens_after_threshold_failures_in_a_row():
    clock = Clock()
    breaker = guard(clock)
    for _ in range(2):
        assert breaker.try_acquire() == 0
        breaker.failed("503")
    assert breaker.state == "closed"
    breaker.failed("503")
    assert breaker.state == "open" and breaker.try_acquire() == 30


def test_a_success_resets_the_count():
    breaker = guard(Clock())
    breaker.failed("503")
    breaker.failed("503")
    breaker.succeeded()
    breaker.failed("503")
    assert breaker.state == "closed"


def test_retry_after_opens_at_once_for_that_long():
    clock = Clock()
    breaker = guard(clock)
    breaker.failed("429", retry_after=120)
    assert breaker.try_acquire() == 120
    clock.now += 119
    assert breaker.try_acquire() == 1


def test_half_open_lets_one_trial_through_then_reopens_on_failure():
    clock = Clock()
    breaker = guard(clock)
    for _ in range(3):
        breaker.failed("503")
    clock.now += 30
    assert breaker.state == "half_open"
    assert breaker.try_acquire() == 0
    assert breaker.try_acquire() > 0  # a second caller waits for the trial
    breaker.failed("503")
    assert breaker.state == "open" and breaker.try_acquire() == 30


def test_half_open_trial_success_closes():
    clock = Clock()
    breaker = guard(clock)
    for _ in range(3):
        breaker.failed("503")
    clock.now += 30
    assert breaker.try_acquire() == 0
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.try_acquire() == 0


def test_refused_credentials_mark_misconfigured_until_a_call_works():
    clock = Clock()
    breaker = guard(clock)
    breaker.refused_credentials("invalid_client")
    assert breaker.misconfigured == "invalid_client" and breaker.try_acquire() == 300
    breaker.skip_wait()
    assert breaker.try_acquire() == 0
    breaker.succeeded()
    assert breaker.misconfigured is None and breaker.state == "closed"
