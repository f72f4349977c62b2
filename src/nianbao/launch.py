"""打开网页 in the portable folders: ``python -m nianbao.launch FOLDER`` serves the round
folder 轮次 inside FOLDER (made if missing) and opens the default browser at it. The Windows
launcher is a batch file, which cmd.exe reads in the console's code page; the Chinese folder
name is therefore spelled here, not there."""

from __future__ import annotations

import sys
from pathlib import Path

ROUND_FOLDER = "轮次"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    home = Path(args[0]) if args else Path.cwd()
    from .cli import main as cli

    sys.argv = ["nianbao", "serve", "--open", str(home / ROUND_FOLDER), *args[1:]]
    cli()


if __name__ == "__main__":
    main()
