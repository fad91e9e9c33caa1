"""A repository's own presets: one JSON file per preset under `.jit/presets/<name>.json`.

Read only here; written through the transaction (`Transaction.save_preset`) like every
other file under `.jit/`. What a preset may contain is checked by `jit.domain.presets`;
this module only refuses files it cannot parse or that are absurdly large, naming the file.
"""

import json
import os

from jit.errors import UsageError, storage_fault

MAX_BYTES = 1 << 20  # a preset is a handful of gate definitions


def presets_dir(layout) -> str:
    return layout.path("presets")


def preset_rel(name: str) -> str:
    """The path of a preset relative to the data folder (for the transaction's journal)."""
    return f"presets/{name}.json"


class PresetFiles:
    def __init__(self, layout):
        self.layout = layout
        self.folder = presets_dir(layout)

    def names(self) -> list:
        try:
            found = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise storage_fault(exc, self.folder, "listing") from None
        return sorted(n[:-5] for n in found if n.endswith(".json") and not n.startswith("."))

    def read(self, name: str):
        """The parsed JSON of one preset file, or None when it does not exist. Raises UsageError."""
        path = os.path.join(self.folder, f"{name}.json")
        shown = f".jit/{preset_rel(name)}"
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except IsADirectoryError:
            raise UsageError(f"{shown} is a folder, not a preset file", {"file": shown}) from None
        except OSError as exc:
            raise storage_fault(exc, path, "reading") from None
        if len(raw) > MAX_BYTES:
            raise UsageError(f"{shown} is larger than {MAX_BYTES} bytes; a preset is a few gate definitions",
                             {"file": shown})
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"{shown} is not valid JSON ({reason}); fix it or delete it", {"file": shown}) from None
