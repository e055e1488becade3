"""Make the PDF fonts: DejaVu Sans cut down to the scripts the downloads need.

The full DejaVu Sans has about 6,000 glyphs; parsing and subsetting them took most of the
time of every PDF. These subsets keep Latin (with Vietnamese), Greek and Cyrillic,
punctuation, currency, arrows and the few symbols the documents use, without hinting
(hinting does nothing in a PDF). ``coverage.txt`` lists the code points they contain; the
build refuses a document with a character outside it instead of printing a blank box.

Run from the project root (needs fontTools, installed with fpdf2):

    .venv/bin/python macros/fonts/subset.py [DIR-WITH-DEJAVU-2.37]

The default source is Debian's fonts-dejavu-core (/usr/share/fonts/truetype/dejavu).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).parent
FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
UNICODES = (
    "U+0020-007E,U+00A0-024F,U+02B0-036F,U+0370-03FF,U+0400-04FF,U+1E00-1EFF,"
    "U+2000-206F,U+20A0-20CF,U+2100-21FF,U+2212,U+2248,U+221E,U+2260,U+2264-2265,"
    "U+25A0-25A1,U+25AA-25AB,U+25CB,U+25CF,U+2605-2606,U+2610-2612,U+2713-2718,"
    "U+FB00-FB06,U+FFFD"
)


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
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["kern", "liga"]
    options.drop_tables += ["FFTM"]
    options.name_IDs = ["*"]  # keep the copyright and licence records
    covered: set[int] | None = None
    for face in FACES:
        font = TTFont(src / face, recalcTimestamp=False)
        sub = subset.Subsetter(options)
        sub.populate(unicodes=subset.parse_unicodes(UNICODES))
        sub.subset(font)
        font.save(HERE / face)
        points = set(TTFont(HERE / face)["cmap"].getBestCmap())
        covered = points if covered is None else covered & points
    (HERE / "coverage.txt").write_text(ranges(sorted(covered or ())) + "\n", encoding="ascii")
    print(f"wrote {len(FACES)} fonts and coverage.txt ({len(covered or ())} code points)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/truetype/dejavu"))
