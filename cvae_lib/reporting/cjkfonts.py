"""The Simplified Chinese faces of Debian's Noto CJK collections as standalone OpenType files named as such.

    files = region_fonts(directory)   # {"main": "NotoSerifCJKsc-Regular.otf", "main_bold": ..., "sans": ...}

Debian's fonts-noto-cjk ships TrueType collections (``NotoSerifCJK-Regular.ttc`` ...) whose regional faces (JP, KR,
SC, TC, HK) share one CFF table, and that table is named after the Japanese face. A PDF typeset in "Noto Serif CJK
SC" therefore embeds a font called ``NotoSerifCJKjp-Regular``, although every glyph it uses comes through the SC
face's character map, and a reader who lists the PDF's fonts sees a Japanese font. ``region_fonts`` copies the
wanted face's tables byte for byte into a plain .otf and renames the CFF font inside it ("CJKjp-" to "CJKsc-",
the same length, so no offset moves; the file's checksums are recomputed on writing). Nothing is decompiled:
about half a second per face. The LaTeX template loads these files by name when the build found them, else the
system family names.
"""
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"),
             Path.home() / ".local/share/fonts")
# role in the template -> collection file (the CFF font inside is named Noto<Style>CJKjp-<Weight>)
COLLECTIONS = {"main": "NotoSerifCJK-Regular.ttc", "main_bold": "NotoSerifCJK-Bold.ttc",
               "sans": "NotoSansCJK-Regular.ttc", "sans_bold": "NotoSansCJK-Bold.ttc"}


def find_collection(name: str, dirs=FONT_DIRS) -> Path | None:
    return next((d / name for d in dirs if (d / name).is_file()), None)


def face_number(collection: Path, region: str) -> int:
    """Index of the face whose PostScript name ends in CJK<region>-<weight> (e.g. NotoSerifCJKsc-Regular)."""
    from fontTools.ttLib import TTCollection
    with TTCollection(str(collection), lazy=True) as faces:
        for i, face in enumerate(faces.fonts):
            if f"CJK{region.lower()}-" in (face["name"].getDebugName(6) or ""):
                return i
    raise LookupError(f"{collection} has no {region} face")


def extract_face(collection: Path, region: str, out_dir: Path) -> Path:
    """Write the ``region`` face of ``collection`` to out_dir as <PostScript name>.otf with its CFF font renamed
    from the Japanese face's name to its own; returns the file."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.sfnt import SFNTWriter
    number = face_number(collection, region)
    font = TTFont(str(collection), fontNumber=number, lazy=True)
    try:
        postscript = font["name"].getDebugName(6)
        reader = font.reader
        tags = sorted(reader.keys())
        out = Path(out_dir) / f"{postscript}.otf"
        with open(out, "wb") as handle:
            writer = SFNTWriter(handle, len(tags), sfntVersion=reader.sfntVersion)
            for tag in tags:
                data = reader[tag]
                if tag == "CFF ":
                    data = data.replace(b"CJKjp-", f"CJK{region.lower()}-".encode())
                writer[tag] = data
            writer.close()
    finally:
        font.close()
    return out


def region_fonts(out_dir, region: str = "SC", dirs=FONT_DIRS) -> dict:
    """{role: file name} of the ``region`` faces written to out_dir, for every role of COLLECTIONS whose
    collection is installed; {} when the regular serif face is not (the template then names system families)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for role, name in COLLECTIONS.items():
        collection = find_collection(name, dirs)
        if collection is not None:
            files[role] = extract_face(collection, region, out_dir).name
    return files if "main" in files else {}
