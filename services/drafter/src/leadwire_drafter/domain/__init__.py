"""Pure drafting logic: guard, qualification, prompts, output checks, policy, decisions.

No I/O here: every function takes plain data and returns plain data, so the rules are
unit-tested without a broker, a database or an LLM.
"""
