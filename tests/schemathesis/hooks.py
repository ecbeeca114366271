"""Strategies for the string formats Interlink's OpenAPI document names
beyond JSON Schema's own, each as the services check it (see
`interlink.common.v1.Format` in proto/interlink/common/v1/options.proto)."""

import unicodedata

import schemathesis
from hypothesis import strategies as st

# Bidirectional overrides, embeddings and isolates: refused in every text.
BIDI = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Not visible on their own: a text needs one character outside these.
INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Mn", "Me"}


def _visible(text: str) -> bool:
    return any(unicodedata.category(c) not in INVISIBLE for c in text)


def _text(multi_line: bool) -> st.SearchStrategy:
    # Unassigned (Cn) and surrogate (Cs) code points are refused; Python's
    # Unicode tables are older than the services', so what it calls
    # assigned the services do too.
    characters = st.characters(
        exclude_categories=("Cc", "Cs", "Cn"),
        exclude_characters=BIDI,
        include_characters="\n\t" if multi_line else None,
    )
    return st.text(characters, min_size=1).filter(_visible)


schemathesis.openapi.format("line", _text(multi_line=False))
schemathesis.openapi.format("text", _text(multi_line=True))
# A page token comes from an earlier answer: the first page's is empty.
schemathesis.openapi.format("page-token", st.just(""))


# Refusals of schema-valid requests that the document cannot state: rules
# that tie one field to another, to the update mask (a query parameter), to
# an embedded document, or to what is stored. Each names the operation
# (a regular expression over "METHOD /path"), the refused field and the
# reason (regular expressions), and says why it cannot be a schema rule. Any
# other 400 INVALID_ARGUMENT for a schema-valid request is a finding.
UNSTATABLE = [
    # An update names what it changes in `updateMask`, a query parameter:
    # a field named there must hold a valid value, and no mask means every
    # field, so every required one.
    (r"^PATCH ", r"^[a-z_]+\.", "", "the update mask decides which body fields must be valid"),
    # One field's rules depend on another's value.
    (r"^POST /v1/interlinkers$", r"^interlinker\.", "^is required for a", "details follow the nature"),
    (r"^POST /v1/tasks/[^/]+/assets$", r"^asset\.", "", "an asset's fields follow its kind"),
    (r"^POST /v1/processes/[^/]+/items$", r"^item\.", "", "an item's parent and task-only fields follow its kind"),
    # One request message copies phases, objectives and tasks: its parent's
    # kind follows the copied item's.
    (r"^POST /v1/(phases|objectives|tasks)/[^/]+:copy$", "^parent$", "", "the parent follows the item's kind"),
    (r"^POST /v1/processes/[^/]+/grants$", "^grant$", "^gives no permission", "at least one of three flags"),
    (r"/administrators$", "^user$", "^is required: name the user", "exactly one of user and subject"),
    (r"", r"end_time$", "^is before the start", "an end is not before the start"),
    # The tree of a schema: keys, parents, prerequisites, no cycles.
    (r" /v1/schemas", r"^schema\.items", "", "the tree's own rules"),
    # A document embedded as JSON text, with its own format.
    (r"^POST /v1/processes:import$", r"^document\.json$", "", "the exported document's format"),
    # E-mail addresses are told apart without regard to case, which JSON
    # Schema's uniqueItems (exact equality) cannot say.
    (r"", r"additional_emails\[", "^is listed twice", "addresses compare without case"),
    # What a webhook endpoint may be is the deployment's choice (http://,
    # private addresses), and what parses as a URL host is the URL
    # standard's, beyond the shared URL format.
    (r"/webhooks$", r"^webhook\.url$", "^(must be an https:// URL|may not be a private|must name a host|is not a URL)", "the deployment's endpoint policy"),
    (r"^PATCH /v1/webhooks/", r"^webhook\.url$", "^(must be an https:// URL|may not be a private|must name a host|is not a URL)", "the deployment's endpoint policy"),
    # What a peer's feed may be is the deployment's choice (http://), and
    # a URL's credentials and fragment are the URL standard's.
    (r"^POST /v1/peers$", r"^peer\.feed_url$", "^(must be an https:// URL|must be an http:// or https:// URL|must hold no user)", "the deployment's feed policy"),
    (r"^PATCH /v1/peers/", r"^peer\.feed_url$", "^(must be an https:// URL|must be an http:// or https:// URL|must hold no user)", "the deployment's feed policy"),
    # Whom a contribution is asked of: at least one of two lists, each
    # naming stored users and teams, about a task or asset of the process.
    (r"/contributionRequests$", r"^contribution_request\.users$", "^is required: name the users or the teams", "at least one of users and teams"),
    (r"/contributionRequests$", r"^contribution_request\.(users|teams)\[", "is not a known (user|team)$", "must name stored users and teams"),
    (r"/contributionRequests$", r"^contribution_request\.target$", "is not (a task|an asset) of", "must name a task or an asset of the process"),
    # Codes that must name stored problem profiles.
    (r"", r"problem_profiles\[", "is not a known problem profile", "a code must name a stored profile"),
]


def _violations(body):
    for detail in body.get("details") or []:
        if str(detail.get("@type", "")).endswith("google.rpc.BadRequest"):
            yield from detail.get("fieldViolations") or []


def _unstatable(label, violation):
    import re

    field = violation.get("field", "")
    reason = violation.get("description", "")
    return any(
        re.search(operation, label) and re.search(where, field) and re.search(why, reason)
        for operation, where, why, _ in UNSTATABLE
    )


@schemathesis.check
def schema_valid_request_accepted(ctx, response, case):
    """A schema-valid request is not refused with 400, except for a rule in
    UNSTATABLE or a state that forbids it (FAILED_PRECONDITION)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    try:
        body = response.json()
    except Exception:
        raise AssertionError(f"400 without a JSON error body: {response.text[:200]}")
    if body.get("status") == "FAILED_PRECONDITION":
        return None
    label = case.operation.label
    violations = list(_violations(body))
    if violations and all(_unstatable(label, v) for v in violations):
        return None
    raise AssertionError(f"Schema-valid request rejected: {body.get('message')}")
