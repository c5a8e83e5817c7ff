"""Operator-facing failures of the command line: one Chinese line saying what is wrong and how to fix it.

The full traceback goes to the log at DEBUG level (``ZHIJIAN_LOG_LEVEL=DEBUG``) for whoever needs it; a
station's operator sees what to do, not 150 lines of SQLAlchemy.
"""

from __future__ import annotations

import errno

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from assistant.config import Settings
from assistant.errors import EmbedderError, IndexUnavailable, IngestError, ModelMismatch, StoreError

_READ_ONLY = ("readonly", "read-only", "read only")


def _where(settings: Settings) -> str:
    return make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)


def _db_line(settings: Settings, exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)).lower()
    if any(w in text for w in _READ_ONLY):
        return (f"数据库只读，无法写入（{_where(settings)}）。请检查数据目录 {settings.data_dir} 或数据库账号的写权限，"
                "或用 ZHIJIAN_DATA_DIR 指向一个可写的目录。")
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return "数据库尚未初始化。请先运行：zhijian db upgrade"
    if settings.database_url:
        return (f"无法连接数据库 {_where(settings)}。请确认数据库服务已启动、地址端口和账号正确（ZHIJIAN_DATABASE_URL），"
                "或去掉该变量以使用内置的 SQLite 数据库。")
    return f"无法打开数据库 {_where(settings)}。请检查数据目录 {settings.data_dir} 是否存在且可写。"


def explain(exc: BaseException, settings: Settings) -> str | None:
    """The line to print for a failure an operator can fix, or None for a real bug (let it raise)."""
    if isinstance(exc, OperationalError):
        return _db_line(settings, exc)
    if isinstance(exc, StoreError):
        cause = exc.__cause__
        if isinstance(cause, OperationalError):
            return _db_line(settings, cause)
        return exc.message
    if isinstance(exc, SQLAlchemyError):
        return f"数据库出错（{type(exc).__name__}），请检查数据库 {_where(settings)} 的状态。"
    if isinstance(exc, IndexUnavailable | ModelMismatch | EmbedderError):
        return str(exc)
    if isinstance(exc, IngestError):
        return exc.reason
    if isinstance(exc, PermissionError) or (isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES)):
        where = getattr(exc, "filename", None) or settings.data_dir
        return (f"无法写入 {where}：权限不足或磁盘只读。请检查数据目录的写权限，或用 ZHIJIAN_DATA_DIR 指向一个可写的目录。")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"磁盘空间不足，无法写入 {getattr(exc, 'filename', None) or settings.data_dir}。请清理磁盘后重试。"
    if isinstance(exc, OSError) and exc.errno in _OS_REASONS and exc.filename:
        return f"无法访问 {exc.filename}：{_OS_REASONS[exc.errno]}。请检查路径，或用 ZHIJIAN_DATA_DIR 指向一个可写的目录。"
    return None


_OS_REASONS = {
    errno.ENOENT: "路径不存在（上级目录缺失）",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.EEXIST: "同名文件已存在",
    errno.EPERM: "没有权限",
}
