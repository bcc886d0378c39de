"""The body editor as the article form renders it: the browser's spellcheck stays on."""

import html as html_lib
import json
import re

import pytest

from tests.staff import add_url, staff_user

pytestmark = pytest.mark.django_db


def body_editor_of(page: str) -> tuple[str, dict]:
    tag = re.search(r'<textarea[^>]*name="body"[^>]*>', page).group(0)
    config = re.search(r'data-django-prose-editor-configurable="([^"]+)"', tag).group(1)
    return tag, json.loads(html_lib.unescape(config))


def test_body_editor_keeps_spellcheck_on(client):
    client.force_login(staff_user("Editor"))
    tag, config = body_editor_of(client.get(add_url()).content.decode())
    # The editor's own default switches the browser's spellcheck off on the editing area.
    assert "NoSpellCheck" not in config["extensions"]
    assert 'spellcheck="true"' in tag
    assert config["extensions"]["Bold"] is True
