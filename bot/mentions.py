"""An @-name in chat text, as people type it: it ends at a space or at punctuation (有事群里@我，或者打…), since
no member's name holds a Chinese comma; the platforms put a space after one picked from the member list."""

from __future__ import annotations

import re

MENTION = re.compile(r"@[^\s，。,！!？?：:；;、]+")
# the @-names a message starts with (@值班民警 接单, @小王，#7 补充：…), and what follows each
LEADING_MENTIONS = re.compile(rf"^(?:{MENTION.pattern}[\s，,：:]*)*")
