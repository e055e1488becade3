"""Make the bundled PDF fonts: Noto Sans cut down to Latin, Greek and Cyrillic.

The PDFs are drawn by WeasyPrint from HTML. Their body text uses these files (loaded with
``@font-face``, so a PDF made on Debian, on macOS or in CI has the same bytes); any character
they lack (Japanese, Arabic, ...) falls back through fontconfig to the fonts installed on the
machine (Debian: ``fonts-noto-core`` and ``fonts-noto-cjk``; see README "Fonts").

- ``NotoSans-{Regular,Bold,Italic}.ttf``: Latin (with Vietnamese), Greek, Cyrillic, punctuation,
  currency, arrows and common symbols; subset again into each PDF, so only the glyphs used are
  embedded.
- ``NotoSans-Field.ttf``: a smaller cut (Latin, Greek, Cyrillic letters and punctuation only) for
  the PDF form fields: WeasyPrint embeds a font used by a form field in full, so this one is kept
  small. Text typed in another script is drawn by the reader's PDF viewer with a font of its own.

No hinting (it does nothing in a PDF). Noto Sans is licensed under the SIL Open Font License 1.1
with no Reserved Font Name (LICENSE-Noto.txt). Run from the project root:

    .venv/bin/python macros/fonts/subset.py [DIR-WITH-NOTO-SANS]

The default source is Debian's fonts-noto-core (/usr/share/fonts/truetype/noto), version 2.0 of
Noto Sans as shipped in Debian 12.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).parent
BODY = {"NotoSans-Regular.ttf": "NotoSans-Regular.ttf", "NotoSans-Bold.ttf": "NotoSans-Bold.ttf",
        "NotoSans-Italic.ttf": "NotoSans-Italic.ttf"}
BODY_UNICODES = (
    "U+0020-007E,U+00A0-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,U+1E00-1EFF,"
    "U+2000-206F,U+20A0-20CF,U+2100-214F,U+2150-218F,U+2190-21FF,U+2212,U+2215,U+2219,U+221E,U+2248,"
    "U+2260,U+2264-2265,U+25A0-25A1,U+25CB,U+25CF,U+2610-2612,U+2713-2714,U+FB00-FB06,U+FFFD"
)
FIELD_UNICODES = "U+0020-007E,U+00A0-017F,U+0218-021B,U+0370-03FF,U+0400-045F,U+2010-2027,U+2030-203A,U+20AC"


def _cut(source: Path, target: Path, unicodes: str, features: list[str]) -> int:
    options = subset.Options()
    options.hinting = False
    options.layout_features = features
    options.drop_tables += ["FFTM", "DSIG"]
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    font = TTFont(source, recalcTimestamp=False)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=subset.parse_unicodes(unicodes))
    sub.subset(font)
    font.save(target)
    return target.stat().st_size


def ranges(points: list[int]) -> str:
    """[32, 33, 34, 40] -> '0020-0022 0028'."""
    out, start, prev = [], None, None
    for p in sorted(points) + [None]:
        if start is not None and (p is None or p != prev + 1):
            out.append(f"{start:04X}" if start == prev else f"{start:04X}-{prev:04X}")
            start = None
        if p is not None and start is None:
            start = p
        prev = p
    return " ".join(out)


def main(src: Path) -> None:
    covered: set[int] | None = None
    for name, out in BODY.items():
        size = _cut(src / name, HERE / out, BODY_UNICODES, ["kern", "liga", "mark", "mkmk", "ccmp", "locl"])
        points = set(TTFont(HERE / out)["cmap"].getBestCmap())
        covered = points if covered is None else covered & points
        print(f"{out}: {size:,} bytes")
    # What every body face can draw: the build reads this instead of the fonts (macros/pdf.py).
    (HERE / "coverage.txt").write_text(ranges(sorted(covered or ())) + "\n", encoding="ascii")
    size = _cut(src / "NotoSans-Regular.ttf", HERE / "NotoSans-Field.ttf", FIELD_UNICODES, [])
    print(f"NotoSans-Field.ttf: {size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/truetype/noto"))
