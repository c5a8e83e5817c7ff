"""Printing and scanning a page: a composed page drawn in a CJK TrueType font, then damaged like a scan.

Drawing: ``evals.pdfgen`` pages of positioned runs, at scanner resolution, in a real font (Droid
Sans Fallback, or AR PL SungtiL GB for a 宋体 face; DejaVu for Latin where the CJK face lacks it).
Damage: rotation up to ±1°, grey paper, uneven light, blur, grain, speckle and white dropouts, an
optional red seal, an optional 180° turn. Fonts come from Debian packages; ``missing_fonts`` says
which are absent.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from evals.pdfgen import Layout
from evals.pdfgen.layout import Page

DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
SONG = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
FONT_PACKAGES = {DROID: "fonts-droid-fallback", SONG: "fonts-arphic-gbsn00lp",
                 DEJAVU: "fonts-dejavu-core", DEJAVU_BOLD: "fonts-dejavu-core"}


@dataclass(frozen=True)
class ScanStyle:
    """How a page is printed and scanned; every random choice is drawn from ``seed``."""

    name: str = "scan"
    font: str = "droid"  # droid (黑体-like) | song (宋体, AR PL SungtiL GB)
    dpi: int = 300
    max_skew: float = 1.0  # degrees, drawn uniformly in ±max_skew per page
    paper: tuple[int, int] = (214, 240)  # paper grey range
    ink: tuple[int, int] = (18, 60)
    blur: float = 0.8  # Gaussian radius in pixels at 300 dpi
    grain: float = 10.0  # Gaussian noise sigma (grey levels)
    speckle: float = 0.0015  # fraction of pixels hit by dark specks
    light: float = 18.0  # uneven illumination: grey levels of a smooth gradient across the page
    jpeg_quality: int = 62
    stamp_every: int = 0  # a red stamp on every n-th body page (0: none)
    colour: bool = False  # an RGB scan (needed for a red stamp to stay red)


STYLES: dict[str, ScanStyle] = {
    # plain office scan of a 宋体 book: grey, slight skew, grain
    "scan_song": ScanStyle("scan_song", font="song"),
    # 黑体-like face, heavier damage: more blur and speckle, lower JPEG quality, 200 dpi
    "scan_rough": ScanStyle("scan_rough", dpi=200, blur=0.9, grain=14.0, speckle=0.003, jpeg_quality=50),
    # colour scan with a red stamp on every second body page
    "scan_stamp": ScanStyle("scan_stamp", font="song", colour=True, stamp_every=2, paper=(222, 245)),
}


def missing_fonts(style: ScanStyle | None = None) -> list[str]:
    """Debian packages whose fonts the generator needs and the machine lacks (empty when all are there)."""
    need = [DROID, DEJAVU, DEJAVU_BOLD] + ([SONG] if style is not None and style.font == "song" else [])
    return sorted({FONT_PACKAGES[p] for p in need if not p.exists()})


# ---------------------------------------------------------------------------
# fonts
# ---------------------------------------------------------------------------

@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path), fontNumber=0).getBestCmap())


@cache
def _font(path: Path, px: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(path), px)


def _chain(style: ScanStyle, face: str) -> list[Path]:
    primary = SONG if style.font == "song" else DROID
    if face == "bold":
        return [DEJAVU_BOLD, primary, DROID]
    if face == "latin":
        return [DEJAVU, primary, DROID]
    # CJK text: Latin letters and digits from the serif face when the CJK face lacks them (as Droid does)
    return [primary, DROID, DEJAVU] if primary == SONG else [DROID, DEJAVU]


def _segments(text: str, chain: list[Path]) -> list[tuple[Path, str]]:
    segs: list[tuple[Path, str]] = []
    for ch in text:
        f = next((p for p in chain if ord(ch) in _cmap(p)), chain[0])
        if f == DROID and ord(ch) < 0x2E80 and unicodedata.east_asian_width(ch) not in "WF" and ord(ch) in _cmap(DEJAVU):
            f = DEJAVU
        if segs and segs[-1][0] == f:
            segs[-1] = (f, segs[-1][1] + ch)
        else:
            segs.append((f, ch))
    return segs


# ---------------------------------------------------------------------------
# drawing a composed page
# ---------------------------------------------------------------------------

def draw_page(page: Page, layout: Layout, style: ScanStyle):
    """A composed page as a clean greyscale bitmap (white paper, black ink) at ``style.dpi``."""
    from PIL import Image, ImageDraw

    k = style.dpi / 72.0
    W, H = layout.page
    img = Image.new("L", (round(W * k), round(H * k)), 255)
    d = ImageDraw.Draw(img)
    for x1, y1, x2, y2, _role in page.rules:
        d.line([(x1 * k, (H - y1) * k), (x2 * k, (H - y2) * k)], fill=0, width=max(1, round(0.5 * k)))
    for r in page.runs:
        x, y = r.x * k, (H - r.y) * k
        px = max(6, round(r.size * k))
        stroke = 1 if r.fake_bold else 0
        for path, seg in _segments(r.text, _chain(style, r.font)):
            font = _font(path, px)
            if r.char_space:
                for ch in seg:
                    d.text((x, y), ch, font=font, fill=0, anchor="ls", stroke_width=stroke, stroke_fill=0)
                    x += font.getlength(ch) + r.char_space * k
            else:
                d.text((x, y), seg, font=font, fill=0, anchor="ls", stroke_width=stroke, stroke_fill=0)
                x += font.getlength(seg)
    return img


def _stamp(size: int, rng: random.Random):
    """A round red seal (ring, star, text along the rim) as an RGBA image."""
    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    red = (205, 35, 40, 200)
    w = max(3, size // 40)
    d.ellipse([w, w, size - w, size - w], outline=red, width=w)
    c = size / 2
    pts = []
    for i in range(10):
        rad = size * (0.16 if i % 2 == 0 else 0.065)
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((c + rad * math.cos(a), c + rad * math.sin(a)))
    d.polygon(pts, fill=red)
    text = "示例县建设工程质量监督站"
    font = _font(DROID, max(8, size // 9))
    span = math.radians(250)
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("RGBA", (size // 8, size // 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size / 16, size / 16), ch, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        rr = size * 0.36
        im.alpha_composite(glyph, (int(c + rr * math.cos(a) - size / 16), int(c + rr * math.sin(a) - size / 16)))
    return im.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)


def degrade(clean, style: ScanStyle, rng: random.Random, stamp: bool = False, upside_down: bool = False):
    """Print-and-scan damage on a clean page bitmap; returns an L or RGB image ready for JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    nrng = np.random.default_rng(rng.randrange(2**32))
    scale = style.dpi / 300.0
    ink = np.asarray(clean, dtype=np.float32) / 255.0  # 1 = paper, 0 = ink
    h, w = ink.shape
    paper = rng.uniform(*style.paper)
    dark = rng.uniform(*style.ink)
    grey = dark + (paper - dark) * ink
    if style.light:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a = rng.uniform(0, 2 * math.pi)
        grad = (xx * math.cos(a) + yy * math.sin(a)) / max(h, w)
        grey -= style.light * (grad - grad.min())
    rgb = np.repeat(grey[:, :, None], 3, axis=2) if style.colour else grey[:, :, None]
    if style.colour:
        rgb *= np.array([1.0, 0.985, 0.95], dtype=np.float32)  # yellowed paper
    img = Image.fromarray(np.clip(rgb.squeeze(), 0, 255).astype(np.uint8), "RGB" if style.colour else "L")
    if stamp:
        size = int(w * rng.uniform(0.26, 0.32))
        seal = _stamp(size, rng)
        x = int(w * rng.uniform(0.5, 0.62))
        y = int(h * rng.uniform(0.55, 0.7))
        base = img.convert("RGB")
        s = np.asarray(seal, dtype=np.float32) / 255.0
        region = np.asarray(base, dtype=np.float32)[y:y + size, x:x + size] / 255.0
        alpha = s[:, :, 3:4]
        region = region * (1 - alpha + alpha * s[:, :, :3])  # ink multiplies, as a seal on print does
        arr = np.asarray(base, dtype=np.float32).copy()
        arr[y:y + size, x:x + size] = region * 255.0
        img = Image.fromarray(arr.astype(np.uint8), "RGB")
        if not style.colour:
            img = img.convert("L")
    skew = rng.uniform(-style.max_skew, style.max_skew)
    fill = int(paper) if img.mode == "L" else (int(paper), int(paper * 0.985), int(paper * 0.95))
    img = img.rotate(skew + (180 if upside_down else 0), resample=Image.BICUBIC, fillcolor=fill)
    if style.blur:
        img = img.filter(ImageFilter.GaussianBlur(style.blur * scale))
    arr = np.asarray(img, dtype=np.float32)
    arr = arr + nrng.normal(0, style.grain, arr.shape).astype(np.float32)
    if style.speckle:
        n = int(style.speckle * h * w)
        ys, xs = nrng.integers(0, h, n), nrng.integers(0, w, n)
        r = max(1, round(1.2 * scale))
        for dy in range(-r + 1, r):
            for dx in range(-r + 1, r):
                keep = nrng.random(n) < 0.6
                arr[np.clip(ys[keep] + dy, 0, h - 1), np.clip(xs[keep] + dx, 0, w - 1)] = dark + 10
        light = nrng.random(n) < 0.3  # white dropouts inside strokes
        arr[ys[light], xs[light]] = paper
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), img.mode)
