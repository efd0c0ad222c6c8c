from datetime import UTC, datetime, timedelta

from leadwire_oauth.domain.login_throttle import (
    Counter,
    counter_keys,
    lockout_seconds,
    wait_before_attempt,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def locked(seconds: float, failures: int = 30) -> Counter:
    return Counter(failures, NOW, NOW + timedelta(seconds=seconds))


def test_lockout_grows_past_the_allowance_and_is_capped():
    assert [lockout_seconds("pair", n) for n in (4, 5, 6, 7)] == [0.0, 1.0, 2.0, 4.0]
    assert lockout_seconds("pair", 10_000) == 900.0
    assert lockout_seconds("global", 10_000) == 60.0


def test_the_longest_applicable_lock_wins():
    wait, scope = wait_before_attempt({"ip": locked(5), "user": locked(50)}, NOW, False)
    assert (wait, scope) == (50.0, "user")


def test_a_known_address_ignores_username_and_global_locks():
    counters = {"user": locked(50), "global": locked(10)}
    assert wait_before_attempt(counters, NOW, known_address=True) == (0.0, None)
    assert wait_before_attempt({"pair": locked(3)}, NOW, known_address=True)[0] == 3.0


def test_a_forgotten_counter_no_longer_locks():
    stale = Counter(30, NOW - timedelta(hours=2), NOW + timedelta(seconds=60))
    assert wait_before_attempt({"ip": stale}, NOW, False) == (0.0, None)


def test_keys_ignore_username_case_and_blanks():
    assert counter_keys(" Admin ", "1.2.3.4")["user"] == "admin"
    assert counter_keys("admin", "1.2.3.4")["pair"] != counter_keys("admin", "1.2.3.5")["pair"]
