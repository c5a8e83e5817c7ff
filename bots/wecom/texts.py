"""What the WeCom adapter itself says (everything else comes from the core), and the application menu."""

from __future__ import annotations

from typing import Any

# Menu click keys -> what the user would have typed (the engine understands these words itself),
# or a key the adapter handles (binding).
MENU_BIND = "BIND"
MENU_TEXT = {
    "ASK": "问规范",
    "BOOK": "预约验收",
    "MYBOOKINGS": "我的预约",
    "VISIT": "申请帮扶",
    "CREDIT": "查信用",
    "HELP": "帮助",
}


def menu() -> dict[str, Any]:
    """The application menu (menu/create): three buttons, two with sub-menus; every item is a click."""

    def click(name: str, key: str) -> dict[str, str]:
        return {"type": "click", "name": name, "key": key}

    return {"button": [
        click("问规范", "ASK"),
        {"name": "办事", "sub_button": [click("预约验收", "BOOK"), click("我的预约", "MYBOOKINGS"),
                                       click("申请帮扶", "VISIT")]},
        {"name": "更多", "sub_button": [click("查企业信用", "CREDIT"), click("绑定账号", MENU_BIND),
                                       click("使用帮助", "HELP")]},
    ]}


BIND_WORDS = ("绑定", "/bind", "绑定账号", "绑定企业账号")
UNBIND_WORDS = ("解绑", "/unbind", "解除绑定")
FEEDBACK_WORDS = {"有用": "👍", "没用": "👎", "👍": "👍", "👎": "👎"}

HELP_TAIL = ("\n企业微信里还可以：发送“绑定 绑定码”绑定企业账号，发送“解绑”解除绑定；"
             "也可以点下方菜单。")
BIND_HINT = "参建企业用户发送“绑定 绑定码”（如“绑定 ABCD-EFGH”）绑定企业账号后，即可在这里预约验收、申请帮扶。"
HOW_TO_BIND = (
    "您还没有绑定企业账号。\n"
    "请向质监站管理员或监督员领取一次性绑定码，然后发送：绑定 绑定码（如“绑定 ABCD-EFGH”）。\n"
    "未绑定也可以：问规范条文、查企业公开信用等级。"
)
BOUND = "绑定成功！您现在的身份是：{who}。\n可以发送“预约验收”“我的预约”“申请帮扶”，或点下方菜单。"
ALREADY_BOUND = "您已绑定：{who}。\n如需更换账号，发送“绑定 新绑定码”；解除绑定发送“解绑”。"
UNBOUND = "已解除绑定（{who}）。之后如需预约，请重新领取绑定码。"
NOT_BOUND_NOTHING = "您当前没有绑定任何账号。"
BIND_TOO_MANY = "绑定码尝试次数过多，请 {minutes} 分钟后再试。"

RATE_LIMITED = "您发送得太快了，请稍候 {seconds} 秒再发。当前办理进度已保留。"
NON_TEXT = "目前只能处理文字消息。请直接输入问题，或发送“帮助”查看用法。"
APOLOGY = "抱歉，处理您的消息时出了点问题，请稍后再试。{contact}"
INDEX_DOWN = "知识库暂不可用，请稍后再试。"
