#!/usr/bin/env python3
"""Make the Noto Sans CJK SC subsets that Kefu Desk bundles.

Needs fontTools (Debian: python3-fonttools) and the Debian package
fonts-noto-cjk (NotoSansCJK-Regular.ttc / NotoSansCJK-Bold.ttc). Run from
this directory:

    /usr/bin/python3 make_subsets.py

It writes the three .otf files beside this script.
"""

import os
import sys
import tempfile

from fontTools import subset
from fontTools.ttLib import TTFont

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"
# (weight, face number in the .ttc, its PostScript name, output file). In
# Debian's NotoSansCJK-{Regular,Bold}.ttc (fonts-noto-cjk 1:20220127), face 2
# is "Noto Sans CJK SC" and face 7 is "Noto Sans Mono CJK SC"; the script
# checks name ID 6 before subsetting, so another ordering fails loudly.
FACES = [
    ("Regular", 2, "NotoSansCJKsc-Regular", "NotoSansCJKsc-Regular-subset.otf"),
    ("Bold", 2, "NotoSansCJKsc-Bold", "NotoSansCJKsc-Bold-subset.otf"),
    ("Regular", 7, "NotoSansMonoCJKsc-Regular", "NotoSansMonoCJKsc-Regular-subset.otf"),
]

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (¥ · × ÷ ° © ®)
    (0x0100, 0x024F),  # Latin Extended-A/B (pinyin tone marks ā á ǎ à)
    (0x02C6, 0x02DD),  # spacing modifiers (ˇ ˉ ˊ ˋ ˙)
    (0x0391, 0x03C9),  # Greek letters
    (0x0401, 0x0451),  # Cyrillic letters
    (0x2000, 0x206F),  # General Punctuation (— – ‘ ’ “ ” … ‰ ※ •)
    (0x20A0, 0x20CF),  # Currency symbols (€ ₩ ₽)
    (0x2100, 0x214F),  # Letterlike symbols (℃ № ™ ℉)
    (0x2150, 0x218F),  # Number forms (Ⅰ Ⅱ Ⅲ ⅰ ⅱ)
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical operators (≤ ≥ ≠ ± ∞)
    (0x2300, 0x23FF),  # Misc technical (⌘ ⏎)
    (0x2460, 0x24FF),  # Enclosed alphanumerics (① ② ⑳)
    (0x2500, 0x257F),  # Box drawing
    (0x2580, 0x259F),  # Block elements
    (0x25A0, 0x25FF),  # Geometric shapes (■ □ ▲ △ ● ○ ◆ ◇)
    (0x2600, 0x26FF),  # Misc symbols (★ ☆ ☎ ☑ ♀ ♂)
    (0x2700, 0x27BF),  # Dingbats (✓ ✔ ✕ ✗ ✘ ❤)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、 。 《 》 【 】)
    (0x3040, 0x30FF),  # Hiragana and Katakana (in GB2312 as well)
    (0x3105, 0x312F),  # Bopomofo
    (0x3200, 0x32FF),  # Enclosed CJK letters and months (㈠ ㊣)
    (0x3300, 0x33FF),  # CJK compatibility (㎡ ㎏ ㎝)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # Halfwidth and fullwidth forms (，！？￥)
    (0xFFFD, 0xFFFD),  # replacement character
]


def gb2312_code_points():
    """Every character the GB2312 codec can encode (rows 1-9 symbols, 16-87 hanzi)."""
    cps = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            cps.add(ord(ch))
    return cps


def main():
    gb = gb2312_code_points()
    hanzi = [cp for cp in gb if 0x4E00 <= cp <= 0x9FFF]
    print(f"GB2312: {len(gb)} characters, {len(hanzi)} hanzi", file=sys.stderr)
    cps = set(gb)
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    print(f"asking for {len(cps)} code points", file=sys.stderr)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for cp in sorted(cps):
            f.write(f"U+{cp:04X}\n")
        unicodes = f.name
    try:
        for weight, number, psname, out in FACES:
            face = TTFont(SRC.format(weight), fontNumber=number, lazy=True)
            got = face["name"].getDebugName(6)
            if got != psname:
                sys.exit(f"face {number} of {SRC.format(weight)} is {got}, want {psname}")
            subset.main([
                SRC.format(weight),
                f"--font-number={number}",
                f"--unicodes-file={unicodes}",
                # pyftsubset's default features, minus locl (JP/KR/TC glyph
                # forms) and the vertical-writing ones: horizontal SC only.
                "--layout-features-=locl,vert,vrt2,valt,vkrn,vpal",
                "--name-IDs=*",
                "--name-languages=*",
                "--no-hinting",
                "--drop-tables+=BASE,VORG,vhea,vmtx",
                f"--output-file={out}",
            ])
            print(f"wrote {out}", file=sys.stderr)
    finally:
        os.remove(unicodes)


if __name__ == "__main__":
    main()
