from uuid import uuid4

from leadwire_notifier.domain.blocks import MAX_BLOCKS, DigestLine
from leadwire_notifier.domain.digest import Queued, plan_delivery


def _queued(n: int, *, drafts: bool = False) -> list[Queued]:
    return [
        Queued(
            id=i,
            message={"text": f"notice {i}", "blocks": []},
            line=DigestLine(f"notice {i}", f"https://c.test/{i}", uuid4() if drafts else None),
        )
        for i in range(1, n + 1)
    ]


def test_an_empty_queue_sends_nothing() -> None:
    assert plan_delivery([], coalesce_above=3) is None


def test_a_short_queue_goes_out_one_message_at_a_time_oldest_first() -> None:
    delivery = plan_delivery(_queued(3), coalesce_above=3)
    assert delivery is not None and not delivery.is_digest
    assert delivery.ids == [1] and delivery.message["text"] == "notice 1"


def test_a_backlog_becomes_one_digest_in_order() -> None:
    delivery = plan_delivery(_queued(10), coalesce_above=3)
    assert delivery is not None and delivery.is_digest
    assert delivery.ids == list(range(1, 11))
    texts = [b["text"]["text"] for b in delivery.message["blocks"] if b["type"] == "section"]
    assert [t.split("  ")[0] for t in texts] == [f"notice {i}" for i in range(1, 11)]
    assert delivery.message["blocks"][0]["text"]["text"] == "10 notifications"


def test_a_digest_stays_within_slacks_block_limit_and_says_more_follow() -> None:
    queue = _queued(80)
    delivery = plan_delivery(queue, coalesce_above=3)
    assert delivery is not None
    assert len(delivery.message["blocks"]) <= MAX_BLOCKS
    assert delivery.ids == list(range(1, MAX_BLOCKS))
    assert "31 more follow" in delivery.message["blocks"][0]["text"]["text"]


def test_drafts_in_a_digest_keep_their_approval_buttons() -> None:
    queue = _queued(30, drafts=True)
    delivery = plan_delivery(queue, coalesce_above=3)
    assert delivery is not None
    actions = [b for b in delivery.message["blocks"] if b["type"] == "actions"]
    assert len(actions) == len(delivery.ids) == (MAX_BLOCKS - 1) // 2
    assert actions[0]["elements"][0]["value"] == str(queue[0].line.draft_id)


def test_the_waiting_count_decides_even_when_only_the_head_was_read() -> None:
    delivery = plan_delivery(_queued(2), coalesce_above=3, waiting=100)
    assert delivery is not None and delivery.is_digest
