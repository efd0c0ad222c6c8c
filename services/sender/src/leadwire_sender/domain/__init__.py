"""Pure sending logic: MIME, the outbound state machine, budgets, schedules, errors."""
