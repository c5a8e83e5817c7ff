"""Broken and edge-case input files, and plain-text/HTML renderings of a spec."""

from __future__ import annotations

import random
from pathlib import Path

from evals.pdfgen.layout import LAYOUTS, _register_rl
from evals.pdfgen.spec import StandardSpec

# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------


def write_zero_byte(path: Path) -> Path:
    Path(path).write_bytes(b"")
    return Path(path)


def write_truncated(src: Path, path: Path) -> Path:
    data = Path(src).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    return Path(path)


def write_encrypted(src: Path, path: Path, user_password: str = "zhijian", owner_password: str = "owner") -> Path:
    """Encrypt with a user password (cannot be opened without it). RC4 needs no crypto library."""
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(str(src)))
    w.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    with open(path, "wb") as f:
        w.write(f)
    return Path(path)


def write_scanned(path: Path, pages: int = 2, seed: int = 7) -> Path:
    """An image-only PDF: what a scanner gives, a picture of text and no text layer."""
    from PIL import Image, ImageDraw, ImageFilter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rnd = random.Random(seed)
    W, H = LAYOUTS["classic"].page
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for _ in range(pages):
        img = Image.new("L", (840, 1190), 250)
        d = ImageDraw.Draw(img)
        y = 120
        while y < 1100:  # rows of glyph-like blobs where a scan would have text
            x = 100 + (40 if rnd.random() < 0.2 else 0)
            while x < 740:
                d.rectangle([x, y, x + 16, y + 18], fill=rnd.randint(20, 90))
                x += 21
            y += 34
        img = img.filter(ImageFilter.GaussianBlur(1.2)).rotate(0.6, fillcolor=250)
        c.drawImage(ImageReader(img), 0, 0, width=W, height=H)
        c.showPage()
    c.save()
    return Path(path)


def write_random_bytes(path: Path, n: int = 4096, seed: int = 3) -> Path:
    """Bytes no text encoding can read (includes NULs and invalid GB18030/UTF-8 sequences)."""
    rnd = random.Random(seed)
    Path(path).write_bytes(bytes(rnd.randrange(256) for _ in range(n)))
    return Path(path)


def spec_as_text(spec: StandardSpec) -> str:
    """Plain-text rendering of a spec (clause-per-paragraph), for .txt/.md fixtures."""
    out = [spec.printed_code, spec.title, ""]
    for ch in spec.chapters:
        out.append(ch.heading)
        for c in ch.clauses:
            out.append(f"{c.no}　{c.full_text()}")
        for s in ch.sections:
            out.append(f"{s.no}　{s.title}")
            for c in s.clauses:
                out.append(f"{c.no}　{c.full_text()}")
    return "\n".join(out) + "\n"


def write_gb18030_text(spec: StandardSpec, path: Path) -> Path:
    Path(path).write_bytes(spec_as_text(spec).encode("gb18030"))
    return Path(path)


def write_no_clauses_text(path: Path) -> Path:
    """Readable Chinese that names a standard but has no clause in it (a notice about the standard)."""
    Path(path).write_text(
        "关于贯彻执行GB 55032-2022的通知\n\n各有关单位：\n为做好本年度的工程质量检查工作，请各单位组织学习"
        "上述规范，认真开展自查，发现问题及时整改，并于月底前将自查情况报送监督站。\n\n特此通知。\n\n"
        "示例县建设工程质量监督站\n",
        encoding="utf-8",
    )
    return Path(path)


def write_no_clauses_pdf(path: Path) -> Path:
    """A PDF with a readable text layer but nothing numbered like a clause."""
    from reportlab.pdfgen import canvas

    _register_rl()
    c = canvas.Canvas(str(path), pagesize=LAYOUTS["classic"].page)
    c.setFont("STSong-Light", 11)
    y = 520
    for line in ("关于学习GB 55032—2022的会议通知", "各施工单位：", "定于下周一上午在监督站三楼会议室召开会议，",
                 "请项目负责人准时参加。", "示例县建设工程质量监督站"):
        c.drawString(60, y, line)
        y -= 22
    c.showPage()
    c.save()
    return Path(path)


def write_script_only_html(path: Path) -> Path:
    """A page whose only visible text is its heading; everything clause-like sits in script/style."""
    Path(path).write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>GB 55032-2022</title>"
        "<style>.c{color:red} #biaoge{border:2px solid} /* 3.2.1 样式注释 */</style>"
        "<script>var x = '3.3.1 不应出现在条文中'; function f(){return 1.0;}</script></head>"
        "<body><h1>GB 55032-2022 建筑与市政工程施工质量控制通用规范</h1>"
        "<script>document.write('4.1.2 脚本内容')</script><style>p{margin:0}</style>"
        "<noscript></noscript></body></html>",
        encoding="utf-8",
    )
    return Path(path)



def spec_as_html(spec: StandardSpec) -> str:
    """An HTML page of a spec with the CSS/script noise real exports carry, for fuzzing."""
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>", spec.title,
           "</title><style>#biaoge{border:2px solid black} td{padding:5px}</style>",
           "<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)}</script></head><body>",
           f"<h1>{spec.printed_code}　{spec.title}</h1>"]
    for ch in spec.chapters:
        out.append(f"<h2>{ch.heading}</h2>")
        groups = [("", ch.clauses)] + [(f"<h3>{s.no}　{s.title}</h3>", s.clauses) for s in ch.sections]
        for head, clauses in groups:
            out.append(head)
            for c in clauses:
                out.append(f"<p><span id='id{c.no}'>{c.no}</span>　{c.text}</p>")
                if c.blocks:
                    out.append("<ol>" + "".join(f"<li>{b.text}</li>" for b in c.blocks) + "</ol>")
    out.append("<script>console.log('3.1.1 脚本');</script></body></html>")
    return "".join(out)
