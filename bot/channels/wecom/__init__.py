"""WeCom (企业微信) channel: self-built app callback and 智能机器人 callback."""
