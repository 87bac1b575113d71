"""Print the analysis's HTML to PDF (Letter) with headless Debian Chromium through Playwright; no network."""

from __future__ import annotations

from reports.images import chromium_path

PDF_TIMEOUT_MS = 30_000


class PdfError(Exception):
    """The PDF cannot be printed here (no Chromium); the HTML and Word files still work."""


def html_to_pdf(html_text: str) -> bytes:
    """PDF bytes of a self-contained HTML page, with 'Page n of m' in the footer."""
    path = chromium_path()
    if path is None:
        raise PdfError("Chromium is not installed (apt-get install chromium), so the PDF cannot be printed; "
                       "the Word and HTML files still work")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http")
                       else route.continue_())
            page.set_content(html_text, wait_until="load", timeout=PDF_TIMEOUT_MS)
            return page.pdf(format="Letter", print_background=True, display_header_footer=True,
                            header_template="<span></span>", prefer_css_page_size=True,
                            footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#777">'
                                            'Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
                                            "</div>")
        finally:
            browser.close()
