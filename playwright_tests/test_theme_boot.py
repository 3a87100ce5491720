"""The saved theme is applied before the page paints: index.html's theme script
is a same-origin file, so the app's CSP (script-src 'self') lets it run — an
inline <script> was refused and dark mode flashed white on every load."""

from __future__ import annotations

from live_server import live_server  # noqa: F401  (module fixture)

# When <body> is first parsed, record whether <html> is already dark.
_AT_FIRST_BODY = """
new MutationObserver((_, observer) => {
  if (document.body) {
    window.__darkAtFirstBody = document.documentElement.classList.contains('dark');
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def test_saved_dark_theme_is_set_before_the_body_without_csp_errors(live_server, browser):  # noqa: F811
    context = browser.new_context(color_scheme="light")
    context.add_init_script("localStorage.setItem('kepler-theme', 'dark')")
    context.add_init_script(_AT_FIRST_BODY)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.goto(f"{live_server}/login")
        page.wait_for_function("window.__darkAtFirstBody !== undefined")
        assert page.evaluate("window.__darkAtFirstBody") is True
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
