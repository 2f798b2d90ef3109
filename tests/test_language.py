def test_pages_are_vietnamese_even_when_the_browser_prefers_english(client, db):
    response = client.get("/thu-tuc/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert "Thủ tục hành chính" in response.content.decode()


def test_the_language_switch_chooses_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    assert response.status_code == 302
    response = client.get("/thu-tuc/")
    assert response.headers["Content-Language"] == "en"
