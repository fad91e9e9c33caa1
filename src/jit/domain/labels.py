"""Labels are `namespace:value`; queries match them with globs such as `epic:*`."""

from fnmatch import fnmatchcase

from jit.errors import UsageError


def check_label(label: str) -> str:
    ns, sep, value = label.partition(":")
    if not sep or not ns.strip() or not value.strip() or any(c.isspace() for c in label):
        raise UsageError(
            f"label {label!r} must look like namespace:value, e.g. type:task or epic:auth",
            {"field": "label", "value": label},
        )
    return label


def check_pattern(pattern: str) -> str:
    """A label, or a glob such as `epic:*`. Raises UsageError for one that could never match a label."""
    if not any(c in pattern for c in "*?["):
        return check_label(pattern)
    if ":" not in pattern:
        raise UsageError(f"label pattern {pattern!r} must look like namespace:value or namespace:*",
                         {"field": "label", "value": pattern})
    return pattern


def label_matches(pattern: str, labels) -> bool:
    if any(c in pattern for c in "*?["):
        return any(fnmatchcase(label, pattern) for label in labels)
    return pattern in labels
