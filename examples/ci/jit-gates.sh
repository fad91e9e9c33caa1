#!/bin/sh
# Run the automated gates of every issue a branch touched, recording the verdicts as ci:NAME.
# usage: jit-gates.sh [BASE_REF] [CI_NAME]     e.g. jit-gates.sh origin/main github
# An issue counts as touched when the branch changed its file under .jit/issues/, or a commit
# message of the branch names it with a `Jit-Issue: <id or prefix>` line. Finished issues are
# skipped. Exit 1 if any gate failed (the runs are in .jit/gate-runs/ for the job's artifacts).
set -eu
BASE=${1:-origin/main}
NAME=${2:-${CI_NAME:-ci}}
JIT=${JIT:-jit}
base=$(git merge-base "$BASE" HEAD)
{
    git diff --name-only "$base" HEAD -- .jit/issues/ | sed -n 's#^\.jit/issues/\([0-9a-f-]*\)\.json$#\1#p'
    git log --format=%B "$base..HEAD" | sed -n 's/^Jit-Issue:[[:space:]]*\([0-9a-fA-F-]*\).*$/\1/p'
} | sort -u > .jit-ci-issues
status=0
checked=0
while read -r ref; do
    [ -n "$ref" ] || continue
    state=$($JIT issue show "$ref" --json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])' 2>/dev/null) || state=""
    case "$state" in
        "" ) echo "jit-gates: $ref is not an issue here (deleted?); skipped" >&2; continue ;;
        done|rejected ) continue ;;
    esac
    checked=$((checked + 1))
    # --force: CI checks for itself rather than trusting a run recorded on someone's machine.
    if ! $JIT gate check-all "$ref" --force --by "ci:$NAME"; then
        status=1
    fi
done < .jit-ci-issues
rm -f .jit-ci-issues
echo "jit-gates: checked $checked issue(s) touched since $(echo "$base" | cut -c1-7)" >&2
exit $status
