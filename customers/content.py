"""Texts kept in the repository in both languages: the association notice (须知), versioned,
and the 知识推荐 help articles. A tiny Markdown subset (#, ##, - lists, paragraphs) is rendered
with every character escaped, so the files cannot inject markup."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .models import AssociationType

CONTENT = Path(__file__).resolve().parent / "content"

# The notice version in force per association type; a new version is a new file + this bump.
CURRENT_NOTICE = {AssociationType.RESALE: "resale-v1", AssociationType.REFERRAL: "referral-v1"}


@dataclass(frozen=True)
class Document:
    slug: str
    title: str
    html: str


def _language(language=None):
    lang = (language or get_language() or "zh-hans").lower()
    return "en" if lang.startswith("en") else "zh-hans"


def render(text):
    out, items, para = [], [], []

    def flush():
        if para:
            out.append("<p>" + " ".join(escape(p) for p in para) + "</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
            items.clear()

    title = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("# "):
            flush()
            title = line[2:]
        elif line.startswith("## "):
            flush()
            out.append(f'<h3 class="h6 mt-3">{escape(line[3:])}</h3>')
        elif line.startswith("- "):
            if para:
                flush()
            items.append(line[2:])
        elif not line:
            flush()
        else:
            if items:
                flush()
            para.append(line)
    flush()
    return title, mark_safe("\n".join(out))  # noqa: S308 — every piece above is escaped


@lru_cache(maxsize=64)
def _load(relative, language):
    path = CONTENT / f"{relative}.{language}.md"
    return render(path.read_text(encoding="utf-8"))


def notice(association_type, version=None, language=None):
    version = version or CURRENT_NOTICE[AssociationType(association_type)]
    folder = version.rsplit("-", 1)[0]
    title, html = _load(f"notices/{folder}/{version.rsplit('-', 1)[1]}", _language(language))
    return Document(version, title, html)


# 知识推荐: which articles fit a customer's situation.
KNOWLEDGE_RULES = [
    ("sign-notice", lambda s: s["resale"]),
    ("allocation", lambda s: s["resale"]),
    ("authorization", lambda s: s["resale"] and not s["authorized"]),
    ("referral-billing", lambda s: not s["resale"]),
    ("disassociate", lambda s: True),
]


def knowledge_for(*, resale, authorized, language=None):
    situation = {"resale": resale, "authorized": authorized}
    lang = _language(language)
    docs = []
    for slug, applies in KNOWLEDGE_RULES:
        if applies(situation):
            title, html = _load(f"knowledge/{slug}", lang)
            docs.append(Document(slug, title, html))
    return docs
