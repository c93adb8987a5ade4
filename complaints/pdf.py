"""HTML to PDF with WeasyPrint and the Sarabun font (SIL Open Font License, ``fontpkg-sarabun``).

The fonts are adjusted so that Thai text extracted from the PDF is the text written
(``pdf_fonts``). WeasyPrint may fetch nothing but the font files and the print stylesheet named here: no network,
no other file (the HTML holds only escaped text, but a fetcher that can reach nothing else keeps it
so). WeasyPrint needs the Pango library of the system; without it ``render`` raises
``PdfUnavailable``.
"""

from __future__ import annotations

from pathlib import Path

from complaints import pdf_fonts

STYLESHEET = Path(__file__).resolve().parent / "static" / "css" / "print-report.css"
FONT_FILES = {  # file -> (weight, style)
    "Sarabun-Regular.ttf": (400, "normal"),
    "Sarabun-SemiBold.ttf": (600, "normal"),
    "Sarabun-Bold.ttf": (700, "normal"),
}


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing."""


def _font_paths() -> dict[str, Path]:
    import fontpkg_sarabun

    folder = Path(fontpkg_sarabun.ROOT) / "files"
    return {name: folder / name for name in FONT_FILES}


def font_face_css() -> str:
    rules = []
    for name, path in _font_paths().items():
        weight, style = FONT_FILES[name]
        rules.append(f'@font-face {{ font-family: "Sarabun"; src: url("{path.as_uri()}"); '
                     f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFilesOnly(URLFetcher):
        """Serves the listed local files and refuses every other URL."""

        def __init__(self, allowed: dict[str, Path]):
            super().__init__(allowed_protocols=("file",))
            self.allowed = allowed

        def fetch(self, url, headers=None):
            path = self.allowed.get(url)
            if path is None:
                raise ValueError(f"refused to fetch {url[:80]}")
            if path.suffix == ".css":
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "text/css"})
            return URLFetcherResponse(url, pdf_fonts.prepared(path), {"Content-Type": "font/ttf"})

    return LocalFilesOnly


def render(html: str) -> bytes:
    """The PDF of a complete HTML document, styled by ``print-report.css`` and set in Sarabun."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise PdfUnavailable(str(exc)) from exc
    allowed = {path.as_uri(): path for path in _font_paths().values()}
    allowed[STYLESHEET.as_uri()] = STYLESHEET
    fetcher = _fetcher_class()(allowed)
    fonts = FontConfiguration()
    stylesheets = [
        CSS(string=font_face_css(), font_config=fonts, url_fetcher=fetcher),
        CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher),
    ]
    document = HTML(string=html, base_url=STYLESHEET.parent.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)
