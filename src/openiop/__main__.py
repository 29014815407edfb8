"""The `openiop` command: Django's management commands under the project's own name."""

from __future__ import annotations

import os
import sys

# Commands that need no secret key: they sign nothing and touch no database, so they run in
# any environment (a clinician's laptop, a CI job) without OPENIOP_SECRET_KEY.
SECRET_FREE_COMMANDS = frozenset({"score"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")
    if len(sys.argv) > 1 and sys.argv[1] in SECRET_FREE_COMMANDS:
        from openiop.lib.env import declare_secret_free_command

        declare_secret_free_command()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["openiop", *sys.argv[1:]])


if __name__ == "__main__":
    main()
