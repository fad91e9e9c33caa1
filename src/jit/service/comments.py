"""Comments: notes agents and people leave on an issue for whoever picks it up next.

A comment is appended under the repository lock, so two agents commenting at
once both keep theirs (SPEC section 1: read-modify-write is serialised); two
clones commenting offline keep both through the merge driver's union rule
(`jit.domain.merge.merge_comments`). Comments are append-only: there is no
edit or delete, which is what makes the union merge safe.
"""

from jit.domain.model import Issue
from jit.errors import UsageError

MAX_COMMENT = 65536


def check_comment(text) -> str:
    """The comment as stored. Raises UsageError for an empty or oversized text."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError("comment text must not be empty: say what the next reader needs to know",
                         {"field": "text"})
    text = text.strip("\n")
    if len(text) > MAX_COMMENT:
        raise UsageError(f"comment is {len(text):,} characters; the limit is {MAX_COMMENT:,} "
                         "(put long logs in a file and link it)", {"field": "text", "length": len(text)})
    return text


def comment_issue(ctx, ref: str, text: str) -> Issue:
    """Append a comment by the actor (--actor, JIT_ACTOR, else human:$USER) and log `comment_added`.

    Works in every state, terminal ones included: a note on why something was closed is still useful.
    Raises UsageError for an empty text, NotFound for an unknown issue.
    """
    text = check_comment(text)
    issue_id = ctx.resolve(ref)
    by = ctx.actor()  # the writer, never the assignee: a person's note on an agent's issue is theirs
    with ctx.transaction() as tx:
        before = tx.load(issue_id)
        now = ctx.now()
        comment = {"by": by, "at": now, "text": text}
        after = before.replace(comments=[*before.comments, comment], updated_at=now)
        tx.save(after)
        tx.event(ctx.event("comment_added", issue_id, {"text": text}, actor=by, ts=now))
        return after


def latest_comment(issue: Issue):
    """The newest comment (by time, as merged clones order them), or None."""
    return issue.comments[-1] if issue.comments else None
