"""DingTalk (钉钉) channel: callback signing, payload parsing, Stream frames and sending."""
