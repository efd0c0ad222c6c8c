"""Pure logic of the notifier: Slack messages, digests, signatures, interactions."""
