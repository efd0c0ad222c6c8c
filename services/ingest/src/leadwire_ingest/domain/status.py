"""How a lead's status moves as events about it arrive.

A later stage never goes back to an earlier one (a late draft.created after the reply
went out leaves the lead `replied`), and a closed lead stays closed until reopened.
"""

from __future__ import annotations

from leadwire_ingest.domain.models import LeadStatus

# Progress order; answered_by_person and lead_replied are terminal for automation.
_RANK: dict[LeadStatus, int] = {
    "new": 0,
    "flagged": 1,
    "awaiting_approval": 1,
    "drafted": 2,
    "replied": 3,
    "lead_replied": 4,
    "answered_by_person": 4,
    "closed": 5,
}


def advance(current: LeadStatus, proposed: LeadStatus) -> LeadStatus:
    """The status after an event proposes `proposed`; closing and reopening are separate."""
    if current == "closed":
        return current
    if current == "flagged" and proposed == "awaiting_approval":
        return current  # a person must look at it: the flag is the stronger signal
    return proposed if _RANK[proposed] >= _RANK[current] else current
