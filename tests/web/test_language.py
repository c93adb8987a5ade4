"""Thai by default, English on request."""

from tests.conftest import csrf_token


def test_thai_is_the_default_and_english_is_available(client, auth, people):
    auth.login("registrar")
    home = client.get("/").get_data(as_text=True)
    assert 'lang="th"' in home and "ค้นหาเรื่อง" in home
    token = csrf_token(client, "/")
    response = client.post("/language", data={"lang": "en", "next": "/cases", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases")
    page = client.get("/cases").get_data(as_text=True)
    assert 'lang="en"' in page and "Find cases" in page and "Sign out" in page
    token = csrf_token(client, "/")
    client.post("/language", data={"lang": "th", "csrf_token": token})
    assert "ค้นหาเรื่อง" in client.get("/").get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(client):
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"lang": "en", "next": "//evil.example/", "csrf_token": token})
    assert response.headers["Location"].endswith("/login")


def test_the_thai_font_is_served_locally(client):
    response = client.get("/fonts/Sarabun-Regular.ttf")
    assert response.status_code == 200 and len(response.data) > 50_000
    assert client.get("/fonts/../../etc/passwd").status_code == 404
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert "/fonts/Sarabun-Regular.ttf" in css and "http" not in css


def test_compiled_english_catalogue_matches_its_source():
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "complaints" / "translations" / "en" / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po, open(folder / "messages.mo", "rb") as mo:
        source = {m.id: m.string for m in read_po(po) if m.id}
        compiled = {m.id: m.string for m in read_mo(mo) if m.id}
    assert source == compiled, "run `make translations` (pybabel compile) after editing messages.po"


def test_every_thai_message_has_an_english_translation():
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for folder, method in (("complaints", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _name, _line, message, _comments, _context in extract_from_dir(
                root / folder, [(pattern, method)], keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    with open(root / "complaints" / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as po:
        translated = {m.id for m in read_po(po) if m.id and m.string}
    missing = sorted(m for m in found if m and m not in translated)
    assert not missing, f"add English for these (make translations, then edit messages.po): {missing[:20]}"
