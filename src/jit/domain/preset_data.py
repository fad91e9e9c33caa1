"""The built-in presets: workflows for software, research and knowledge work.

Plain data, validated by `jit.domain.presets.check_preset` like any custom preset (a test
walks them all). Automated checkers call the usual tool of each ecosystem; a team whose
command differs edits the gate after applying (`jit gate update KEY --checker ...`) or
writes its own preset under `.jit/presets/`. `order` spaces steps by ten so a custom gate
can slot in between.
"""

REVIEW = {"key": "review", "title": "Reviewed by a person", "mode": "manual", "stage": "postcheck", "order": 90,
          "description": "someone other than the author read the change and agrees with it"}


def _auto(key, title, checker, order, timeout=600, description=""):
    return {"key": key, "title": title, "mode": "auto", "checker": checker, "stage": "postcheck", "order": order,
            "timeout": timeout, "description": description}


def _manual(key, title, order, description, stage="postcheck"):
    return {"key": key, "title": title, "mode": "manual", "stage": stage, "order": order, "description": description}


BUILT_IN = {
    "minimal": {
        "family": "software",
        "description": "one person's review before done; the smallest useful workflow",
        "gates": [REVIEW],
    },
    "python-tdd": {
        "family": "software",
        "description": "lint, then the test suite, then a person's review (ruff, pytest)",
        "gates": [
            _auto("py-lint", "Lint clean (ruff)", "ruff check .", 10, 300),
            _auto("py-tests", "Test suite passes (pytest)", "python3 -m pytest -q", 20, 900),
            REVIEW,
        ],
    },
    "js-tdd": {
        "family": "software",
        "description": "lint, then the test suite, then a person's review (npm scripts)",
        "gates": [
            _auto("js-lint", "Lint clean (npm run lint)", "npm run --if-present lint", 10, 300),
            _auto("js-tests", "Test suite passes (npm test)", "npm test --silent", 20, 900),
            REVIEW,
        ],
    },
    "rust-tdd": {
        "family": "software",
        "description": "formatting, clippy, then the test suite, then a person's review (cargo)",
        "gates": [
            _auto("rust-fmt", "Formatted (cargo fmt)", "cargo fmt --check", 10, 300),
            _auto("rust-clippy", "No clippy warnings", "cargo clippy --quiet -- -D warnings", 15, 900),
            _auto("rust-tests", "Test suite passes (cargo test)", "cargo test --quiet", 20, 1800),
            REVIEW,
        ],
    },
    "security-audit": {
        "family": "software",
        "description": "a threat model before work starts, a secret scan, a dependency audit, a security review",
        "gates": [
            _manual("threat-model", "Threat model written", 0,
                    "assets, attackers and entry points written down before the change starts", "precheck"),
            _auto("secrets-scan", "No secrets committed",
                  "! git grep -nIE 'AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----' -- . ':!.jit'", 10, 120,
                  "fails when tracked files hold an AWS key id or a private key block"),
            _manual("dependency-audit", "Dependencies audited", 20,
                    "pip-audit / npm audit / cargo audit run and findings triaged"),
            _manual("security-review", "Security review", 80,
                    "a second person (or an AI-review gate, see docs/gates.md) reviewed the change for abuse"),
        ],
    },
    "literature-review": {
        "family": "research",
        "description": "scope agreed, sources gathered and screened, synthesis written, then peer review",
        "gates": [
            _manual("scope-agreed", "Research question and scope agreed", 0,
                    "question, inclusion criteria and databases written down", "precheck"),
            _manual("sources-screened", "Sources gathered and screened", 10,
                    "search strings and the included/excluded list are recorded"),
            _manual("synthesis-written", "Synthesis written", 20, "findings grouped, gaps named, every claim cited"),
            _manual("peer-review", "Peer review", 80, "a colleague checked the method and the citations"),
        ],
    },
    "experiment": {
        "family": "research",
        "description": "protocol before data, results reproduced from the archived data, then peer review",
        "gates": [
            _manual("protocol-registered", "Protocol written before data collection", 0,
                    "hypothesis, method and analysis plan fixed in advance", "precheck"),
            _manual("data-archived", "Raw data and code archived", 10, "someone else can find and read them"),
            _manual("results-reproduced", "Results reproduced", 20, "a second run from the archive gives the numbers"),
            _manual("peer-review", "Peer review", 80, "a colleague checked the method and the citations"),
        ],
    },
    "editorial": {
        "family": "knowledge",
        "description": "draft, editorial review, then approval by the owner",
        "gates": [
            _manual("draft-complete", "Draft complete", 10, "every section written; no placeholders left"),
            _manual("editorial-review", "Editorial review", 20, "clarity, accuracy, style and links checked"),
            _manual("approval", "Approved by its owner", 90, "the person accountable for it signed off"),
        ],
    },
    "decision": {
        "family": "knowledge",
        "description": "a proposal reviewed by the people it affects, approved, then announced",
        "gates": [
            _manual("proposal-written", "Proposal written", 10, "problem, options and recommendation on one page"),
            _manual("stakeholder-review", "Stakeholders consulted", 20, "the people affected have commented"),
            _manual("approval", "Approved by its owner", 90, "the person accountable for it signed off"),
            _manual("announced", "Decision announced", 95, "the outcome is recorded where people will find it"),
        ],
    },
}
