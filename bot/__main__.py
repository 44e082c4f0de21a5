"""`python -m bot` is the same as `jingwu`."""

from bot.cli import main

raise SystemExit(main())
