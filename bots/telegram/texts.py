"""What the Telegram adapter itself says (everything else comes from the core), and the command menu."""

from __future__ import annotations

from telegram import BotCommand

COMMANDS: list[tuple[str, str]] = [
    ("ask", "问规范：/ask 问题"),
    ("search", "检索条文：/search 关键词"),
    ("clause", "按条文号查：/clause 规范编号 条文号"),
    ("book", "预约监督验收"),
    ("mybookings", "我的预约"),
    ("credit", "查企业信用：/credit 企业名称"),
    ("visit", "申请质量服务团帮扶"),
    ("cancel", "取消当前办理"),
    ("bind", "绑定企业账号：/bind 绑定码"),
    ("help", "使用帮助"),
]


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in COMMANDS]


COMMAND_HELP = "\n".join(["", "命令："] + [f"/{name} — {text}" for name, text in COMMANDS] + ["/unbind — 解除绑定"])

BIND_HINT = "参建企业用户发送“/bind 绑定码”绑定企业账号后，即可在这里预约验收、申请帮扶。"
HOW_TO_BIND = (
    "您还没有绑定企业账号。\n"
    "请向质监站管理员或监督员领取一次性绑定码，然后发送：/bind 绑定码（如 /bind ABCD-EFGH）。\n"
    "未绑定也可以：问规范条文（/ask）、检索条文（/search）、查企业公开信用等级（/credit）。"
)
BOUND = "绑定成功！您现在的身份是：{who}。\n可以发送 /book 预约验收、/mybookings 查看本单位预约、/visit 申请帮扶。"
ALREADY_BOUND = "您已绑定：{who}。\n如需更换账号，发送“/bind 新绑定码”；解除绑定发送 /unbind。"
UNBOUND = "已解除绑定（{who}）。之后如需预约，请重新领取绑定码。"
NOT_BOUND_NOTHING = "您当前没有绑定任何账号。"
BIND_TOO_MANY = "绑定码尝试次数过多，请 {minutes} 分钟后再试。"

SEARCH_USAGE = "用法：/search 关键词，例如 /search 拆模 强度"
SEARCH_NONE = "没有检索到与“{q}”相关的条文。可以换个说法，或直接提问。"
SEARCH_HEAD = "检索“{q}”的结果（前{n}条）："
SEARCH_TAIL = "发送“/clause 规范编号 条文号”查看条文全文。"
CLAUSE_USAGE = "用法：/clause 规范编号 条文号，例如 /clause ZJ/T 101 6.0.2"

RATE_LIMITED = "您发送得太快了，请稍候 {seconds} 秒再发。当前办理进度已保留。"
RATE_LIMITED_SHORT = "操作太频繁，请稍候再试"
NON_TEXT = "目前只能处理文字消息。请直接输入问题，或发送 /help 查看用法。"
STALE_CHOICE = "该选项已失效，请按最新一条消息操作"
THANKS_UP = "感谢您的肯定！"
THANKS_DOWN = "感谢反馈！可以直接回复“👎 原因”补充说明"
APOLOGY = "抱歉，处理您的消息时出了点问题，请稍后再试。{contact}"
