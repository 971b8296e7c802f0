from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_every_string_is_translated_and_compiled(lang):
    po = polib.pofile(ROOT / f"locale/{lang}/LC_MESSAGES/django.po")
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()][:20]
    assert not po.fuzzy_entries()
    mo = polib.mofile(ROOT / f"locale/{lang}/LC_MESSAGES/django.mo")
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    for e in po.translated_entries():
        assert (e.msgctxt, e.msgid) in compiled, (
            f"{e.msgid!r} is not in the compiled .mo: run bin/i18n update"
        )


@pytest.mark.django_db
def test_chinese_is_the_default_and_english_is_remembered(client, admin_member):
    client.force_login(admin_member.user)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "主页" in page and 'lang="zh-CN"' in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in page and ">Home<" in page
    admin_member.user.refresh_from_db()
    assert admin_member.user.language == "en"
    # The saved choice follows the user to a new browser (no cookie yet).
    client.cookies.clear()
    client.force_login(admin_member.user)
    assert 'lang="en"' in client.get(reverse("home")).content.decode()
