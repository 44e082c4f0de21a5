"""`python -m bot.cli`, as `jingwu`."""

from bot.cli import main

raise SystemExit(main())
