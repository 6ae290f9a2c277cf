"""Loaders on the real shared files and on small files built here: what comes out, not how."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    EncodingError,
    EncryptedFileError,
    IngestError,
    UnsupportedTypeError,
)
from ingest.loaders import SUPPORTED_EXTENSIONS, is_supported
from ingest.loaders.base import LoadOptions
from knowledge.types import Document, Kind

GUIDE_PDF = "formats/fr_guide_installation_moodle_dolibarr.pdf"
OPALE = "formats/scorm12_fr_opale_dolibarr_casestudy.zip"
GOLF_12 = "formats/scorm12_golf_singlescobasic.zip"
GOLF_2004 = "formats/scorm2004_golf_RuntimeBasicCalls.zip"
MBZ_TARGZ = "formats/moodle32_backup_targz_scorm_imscp_forum_folder.mbz"
MBZ_ZIP = "formats/moodle_backup_zipformat_glossary.mbz"


def by_title(documents: list[Document]) -> dict[str, Document]:
    return {document.title: document for document in documents}


def assert_clean(documents: list[Document]) -> None:
    """Every document has text, unique id, and no markup or script left in it."""
    assert documents
    assert len({d.document_id for d in documents}) == len(documents)
    for document in documents:
        assert document.title.strip()
        assert document.sections
        for section in document.sections:
            assert section.text.strip()
            assert "\n\n\n" not in section.text
            assert "<" not in section.text or "</" not in section.text
        assert "function(" not in document.text and "{" not in document.title


# --- registry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["guide.PDF", "faq.Html", "cours.tar.gz", "export.TGZ", "backup.mbz", "fiches.jsonl"]
)
def test_supported_names_are_matched_case_insensitively(name: str) -> None:
    assert is_supported(name)


def test_supported_extensions_cover_every_format() -> None:
    expected = {".html", ".md", ".txt", ".pdf", ".docx", ".jsonl", ".csv", ".yaml", ".yml"}
    assert expected | {".zip", ".mbz", ".tar.gz"} <= set(SUPPORTED_EXTENSIONS)


@pytest.mark.parametrize("name", ["photo.png", "notes.gz", "README"])
def test_unsupported_file_is_reported_with_its_name(load, name: str) -> None:
    with pytest.raises(UnsupportedTypeError) as raised:
        load(name, b"whatever")
    assert raised.value.source == name
    assert raised.value.reason == "unsupported type"


def test_zero_byte_file_is_empty(load) -> None:
    with pytest.raises(EmptyFileError, match="zero-byte"):
        load("vide.md", b"")


def test_file_without_text_is_empty(load) -> None:
    with pytest.raises(EmptyFileError, match="no text"):
        load("script.html", "<html><body><script>var a = 1;</script></body></html>")


# --- HTML --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mentor_faq(load_shared) -> list[Document]:
    return load_shared("mentor/faq.html")


def test_mentor_faq_yields_its_21_entries(mentor_faq: list[Document]) -> None:
    assert len(mentor_faq) == 21
    assert_clean(mentor_faq)
    for entry in mentor_faq:
        assert entry.kind is Kind.FAQ and entry.collection == "faq" and entry.language == "fr"
        assert entry.title.endswith("?") and "\n" not in entry.title and "+" not in entry.title
        question, _, answer = entry.text.partition("\n")
        assert question == entry.title
        assert len(answer) > 40
        assert entry.sections[0].heading_path == ("Foire Aux Questions",)
    assert mentor_faq[0].title == "La plateforme Mentor, qu'est-ce que c'est ?"
    assert mentor_faq[-1].title == "Comment créer ma propre formation ?"


def test_mentor_faq_answers_keep_lists_and_links(mentor_faq: list[Document]) -> None:
    entries = by_title(mentor_faq)
    requirements = entries[
        "Quels sont les prérequis techniques et la configuration technique "
        "recommandés pour utiliser Mentor ?"
    ]
    assert "\n- Chrome version 66.0 ou plus\n" in requirements.text
    password = entries["J'ai oublié mon mot de passe. Comment le réinitialiser ?"]
    assert 'Cliquez ensuite sur "Mot de passe oublié"' in password.text


def test_mentor_faq_ids_are_stable_and_anchored_on_the_page(
    mentor_faq: list[Document], load_shared
) -> None:
    again = load_shared("mentor/faq.html")
    assert [d.document_id for d in again] == [d.document_id for d in mentor_faq]
    assert all(d.document_id.startswith("mentor/faq.html#") for d in mentor_faq)


@pytest.mark.parametrize(
    ("page", "title", "heading", "excerpt"),
    [
        ("apropos.html", "A propos", "A propos", "Contenu à définir"),
        (
            "donneespersonnelles.html",
            "Données personnelles",
            "Sécurisation et confidentialité des données",
            "Informatique et Libertés",
        ),
        (
            "ensavoirplus.html",
            "En savoir plus",
            "Une offre de formation disponible et évolutive",
            "- 13 collections pour se former sur les domaines transverses",
        ),
        ("mentionslegales.html", "Mentions légales", "Mentions légales", "Sopra Steria Group"),
        ("plandusite.html", "Mentor - Plan du site", "Plan du site", "Mot de passe oublié\n"),
    ],
)
def test_mentor_pages_load_as_pages_split_by_headings(
    load_shared, page: str, title: str, heading: str, excerpt: str
) -> None:
    (document,) = load_shared(f"mentor/{page}")
    assert_clean([document])
    assert (document.title, document.kind, document.collection) == (title, Kind.PAGE, "pages")
    assert document.document_id == f"mentor/{page}"
    assert any(heading in section.heading_path for section in document.sections)
    assert excerpt in document.text


def test_html_boilerplate_is_dropped_and_text_kept_clean(load) -> None:
    page = """<html><head><title>Guide &amp; astuces</title><style>p {color: red}</style></head>
    <body><nav><a href="/">Accueil</a></nav><header>Bandeau du site</header>
    <h1>Guide</h1><p>Premier   paragraphe,
    avec l&#39;apostrophe et&nbsp;une espace.</p><p>Second<br>sur deux lignes.</p>
    <ul><li>un</li><li><p>deux</p></li></ul><table><tr><th>Nom</th><th>Rôle</th></tr>
    <tr><td>Ana</td><td>tutrice</td></tr></table><script>alert("x")</script>
    <h2>Vide</h2><h2>Suite</h2><p>Fin.</p><footer>Mentions</footer></body></html>"""
    (document,) = load("guide.html", page)
    first, second = document.sections
    assert document.title == "Guide & astuces"
    assert first.heading_path == ("Guide",)
    assert first.text == (
        "Premier paragraphe, avec l'apostrophe et une espace.\n\nSecond\nsur deux lignes."
        "\n\n- un\n- deux\n\nNom | Rôle\nAna | tutrice\n\nVide"
    )
    assert second.heading_path == ("Guide", "Suite")
    for noise in ("Accueil", "Bandeau", "alert", "color", "Mentions"):
        assert noise not in document.text


@pytest.mark.parametrize(
    "markup",
    [
        "<details><summary>{q}</summary><p>{a}</p></details>",
        "<dl><dt>{q}</dt><dd>{a}</dd></dl>",
        "<div class='accordion'><button aria-expanded='false'>{q}</button><div>{a}</div></div>",
        "<p><strong>{q}</strong></p><p>{a}</p>",
        "<h3>{q}</h3><p>{a}</p>",
    ],
)
def test_faq_pages_are_detected_from_their_structure(load, markup: str) -> None:
    pairs = [
        ("Comment s'inscrire ?", "Depuis l'offre de formation."),
        ("Où trouver mon attestation ?", "Dans l'onglet Attestations."),
        ("Qui contacter ?", "Le référent de votre structure."),
    ]
    body = "".join(markup.format(q=q, a=a) for q, a in pairs)
    documents = load("aide.html", f"<h1>Aide</h1><p>Bienvenue.</p>{body}")
    assert [d.title for d in documents] == [q for q, _ in pairs]
    assert [d.text for d in documents] == [f"{q}\n{a}" for q, a in pairs]
    assert all(d.kind is Kind.FAQ for d in documents)


def test_page_with_a_few_question_headings_stays_a_page(load) -> None:
    sections = "".join(f"<h2>Partie {n}</h2><p>Texte {n}.</p>" for n in range(4))
    questions = "".join(f"<h2>Pourquoi {n} ?</h2><p>Parce que.</p>" for n in range(3))
    (document,) = load("page.html", f"<h1>Page</h1>{sections}{questions}")
    assert document.kind is Kind.PAGE
    assert len(document.sections) == 7


def test_caller_options_override_file_and_defaults(load) -> None:
    options = LoadOptions(collection="laicite", session_ids=("s-1",), kind=Kind.KIT)
    documents = load("aide.html", "<h2>Qui ?</h2><p>A.</p>" * 3, options)
    for document in documents:
        assert (document.collection, document.session_ids, document.kind) == (
            "laicite",
            ("s-1",),
            Kind.KIT,
        )


def test_legacy_encoded_html_is_decoded(load) -> None:
    page = "<title>Déjà vu</title><p>Les élèves ont reçu leur attestation.</p>"
    (document,) = load("ancien.htm", page.encode("cp1252"))
    assert document.title == "Déjà vu"
    assert "élèves ont reçu" in document.text


# --- Markdown and text ---------------------------------------------------------------------


MARKDOWN = """---
title: Kit — Cadrage
url: https://mentor.gouv.fr/kit/cadrage
kind: kit
document_id: kit-cadrage
session_ids: [s-1, s-2]
auteur: DGAFP
---

# Cadrage

Le cadrage fixe le **périmètre**,
sur deux lignes. Voir [le kit](https://mentor.gouv.fr/kit).

## Acteurs

* le commanditaire ;
* l'expert métier.

```
# pas un titre
```

### Public

| Public | Effectif |
|---|---|
| Agents | 120 |
"""


def test_markdown_front_matter_and_nested_headings(load) -> None:
    (document,) = load("kit/cadrage.md", MARKDOWN)
    assert document.document_id == "kit-cadrage"
    assert (document.title, document.kind, document.collection) == (
        "Kit — Cadrage",
        Kind.KIT,
        "kit",
    )
    assert document.url == "https://mentor.gouv.fr/kit/cadrage"
    assert document.session_ids == ("s-1", "s-2")
    assert document.metadata == {"auteur": "DGAFP"}
    assert [s.heading_path for s in document.sections] == [
        ("Cadrage",),
        ("Cadrage", "Acteurs"),
        ("Cadrage", "Acteurs", "Public"),
    ]
    intro, actors, public = (s.text for s in document.sections)
    assert intro == (
        "Le cadrage fixe le périmètre, sur deux lignes. Voir le kit (https://mentor.gouv.fr/kit)."
    )
    assert actors == "- le commanditaire ;\n- l'expert métier.\n\n# pas un titre"
    assert public == "| Public | Effectif |\n| Agents | 120 |"


def test_markdown_caller_options_beat_front_matter(load) -> None:
    options = LoadOptions(collection="manager", kind=Kind.COURSE, session_ids=("s-9",))
    (document,) = load("cadrage.md", MARKDOWN, options)
    assert (document.collection, document.kind, document.session_ids) == (
        "manager",
        Kind.COURSE,
        ("s-9",),
    )


def test_markdown_without_front_matter_takes_its_first_heading(load) -> None:
    (document,) = load("notes.md", "Intro libre.\n\n# Titre\n\nCorps.")
    assert document.title == "Titre"
    assert document.document_id == "notes.md"
    assert (document.kind, document.collection) == (Kind.PAGE, "pages")


@pytest.mark.parametrize(
    ("front", "message"),
    [("title: Kit\nurl: a: b\n", "line 3"), ("kind: cours\n", "unknown kind")],
)
def test_bad_front_matter_is_corrupt(load, front: str, message: str) -> None:
    with pytest.raises(CorruptFileError, match=message):
        load("bad.md", f"---\n{front}---\n# Titre\n\nTexte.")


def test_text_file_keeps_paragraphs(load) -> None:
    text = "Mémo inscription\n\nÉtape   une.\n\n\n\nÉtape deux."
    (document,) = load("memo.txt", "\ufeff" + text)
    assert document.title == "Mémo inscription"
    assert document.text == "Mémo inscription\n\nÉtape une.\n\nÉtape deux."


def test_text_in_latin_1_is_decoded(load) -> None:
    (document,) = load("ancien.txt", "Numéro d'agent : à compléter".encode("latin-1"))
    assert document.text == "Numéro d'agent : à compléter"


def test_binary_garbage_in_a_text_format_is_an_encoding_error(load) -> None:
    garbage = random.Random(7).randbytes(4000)
    for name in ("garbage.txt", "garbage.md", "garbage.jsonl"):
        with pytest.raises(EncodingError) as raised:
            load(name, garbage)
        assert raised.value.source == name


def test_english_text_is_detected(load) -> None:
    text = "The learner should open the course and read the rules before they start."
    (document,) = load("readme.txt", text)
    assert document.language == "en"


# --- PDF -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guide(shared_data: Path, load_shared) -> tuple[bytes, Document]:
    (document,) = load_shared(GUIDE_PDF)
    return (shared_data / GUIDE_PDF).read_bytes(), document


def test_pdf_has_one_section_per_page(guide: tuple[bytes, Document]) -> None:
    _, document = guide
    assert [s.page for s in document.sections] == list(range(1, 31))
    assert (document.kind, document.language, document.document_id) == (Kind.PAGE, "fr", GUIDE_PDF)
    assert "Guide d'installation de l'outil LMS MOODLE" in document.sections[0].text
    assert "Téléchargez Moodle uniquement depuis" in document.sections[10].text


def test_pdf_sections_sit_under_their_outline_entry(guide: tuple[bytes, Document]) -> None:
    _, document = guide
    assert document.sections[10].heading_path == ("A Télécharger Moodle",)
    assert document.sections[5].heading_path == ("B Logiciels", "1. Sur le serveurs")


def test_truncated_pdf_is_corrupt(guide: tuple[bytes, Document], load) -> None:
    data, _ = guide
    with pytest.raises(CorruptFileError) as raised:
        load("tronque.pdf", data[: len(data) // 3])
    assert raised.value.source == "tronque.pdf"


def pdf_bytes(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_password_protected_pdf_is_encrypted(load) -> None:
    with pytest.raises(EncryptedFileError, match="password"):
        load("secret.pdf", pdf_bytes(password="secret"))


def test_pdf_without_text_is_empty(load) -> None:
    with pytest.raises(EmptyFileError, match="scanned"):
        load("scan.pdf", pdf_bytes())


# --- Word ----------------------------------------------------------------------------------


def docx_bytes() -> bytes:
    word = docx.Document()
    word.core_properties.title = "Guide du tuteur"
    word.add_heading("Accueillir les apprenants", level=1)
    word.add_paragraph("Envoyez un message de bienvenue.")
    word.add_paragraph("Présentez-vous", style="List Bullet")
    word.add_paragraph("Rappelez le calendrier", style="List Bullet")
    word.add_heading("Suivre la progression", level=2)
    table = word.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Outil", "Usage"), ("Rapport", "Achèvement")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    word.add_heading("Clore la session", level=1)
    word.add_paragraph("Téléchargez les attestations.")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def test_docx_headings_lists_and_tables(load) -> None:
    (document,) = load("tuteur.docx", docx_bytes())
    assert document.title == "Guide du tuteur"
    assert [(s.heading_path, s.text) for s in document.sections] == [
        (
            ("Accueillir les apprenants",),
            "Envoyez un message de bienvenue.\n\n- Présentez-vous\n- Rappelez le calendrier",
        ),
        (
            ("Accueillir les apprenants", "Suivre la progression"),
            "Outil | Usage\nRapport | Achèvement",
        ),
        (("Clore la session",), "Téléchargez les attestations."),
    ]


@pytest.mark.parametrize("damage", ["truncate", "not-word"])
def test_broken_docx_is_corrupt(load, zip_of, damage: str) -> None:
    data = docx_bytes()[:2000] if damage == "truncate" else zip_of({"hello.txt": "hi"})
    with pytest.raises(CorruptFileError) as raised:
        load("casse.docx", data)
    assert raised.value.source == "casse.docx"


# --- FAQ tables ----------------------------------------------------------------------------


def test_cnil_faq_keeps_record_ids_and_drops_repeated_records(load_shared, shared_data) -> None:
    lines = (shared_data / "cnil-faq/faq.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 506  # three records appear twice, identically
    documents = load_shared("cnil-faq/faq.jsonl")
    assert len(documents) == 503
    assert_clean(documents)
    assert {json.loads(line)["id"] for line in lines} == {d.document_id for d in documents}
    scam = next(d for d in documents if d.document_id == "192")
    assert scam.title == "Arnaques par courriel (scam, phishing) : quelles précautions prendre ?"
    assert scam.text.startswith(scam.title + "\n")
    assert scam.url and scam.url.startswith("https://www.cnil.fr/")
    assert scam.metadata == {"theme": "Internet", "sous_theme": "Particuliers"}
    assert (scam.kind, scam.collection, scam.language) == (Kind.FAQ, "faq", "fr")
    # The source glued sentences where links were ("effacer.Si vous"): the space is back.
    ficp = next(d for d in documents if d.document_id == "149")
    assert "pour l'effacer. Si vous voulez" in ficp.text


def test_service_public_fiches_get_a_title_from_their_text(load_shared) -> None:
    documents = load_shared("service-public/fiches.jsonl")
    assert len(documents) == 530
    assert_clean(documents)
    assert all(d.document_id.startswith("F") for d in documents)
    for document in documents:
        assert 0 < len(document.title) <= 121
        assert document.text.startswith(document.title.rstrip("…"))
    first = documents[0]
    assert first.document_id == "F34355"
    assert first.title.startswith(
        "À titre expérimental, une tentative de médiation est obligatoire"
    )


def test_csv_table_with_semicolons_and_extra_columns(load) -> None:
    table = (
        "id;title;text;collection;session_ids;theme\n"
        'c-1;Badge;Le badge se retire à l\'accueil.;accueil;"s-1, s-2";vie pratique\n'
        "c-2;Wifi;Le code est affiché en salle.;;;\n"
    )
    first, second = load("faq.csv", table)
    assert (first.document_id, first.title, first.collection) == ("c-1", "Badge", "accueil")
    assert first.session_ids == ("s-1", "s-2")
    assert first.metadata == {"theme": "vie pratique"}
    assert first.text == "Le badge se retire à l'accueil."
    assert (second.collection, second.session_ids) == ("faq", ())


def test_yaml_mapping_with_entries_and_file_defaults(load) -> None:
    table = """collection: apprenants
entries:
  - id: q1
    question: Comment me connecter ?
    answer: Avec ProConnect.
  - id: q2
    question: Qui contacter ?
    answer: Le support.
    kind: kit
"""
    first, second = load("faq.yaml", table)
    assert (first.title, first.text, first.collection) == (
        "Comment me connecter ?",
        "Comment me connecter ?\nAvec ProConnect.",
        "apprenants",
    )
    assert (second.kind, second.collection) == (Kind.KIT, "apprenants")


def test_yaml_list_of_records(load) -> None:
    (document,) = load("faq.yml", "- id: a\n  title: Accès\n  text: Par le portail.\n")
    assert (document.document_id, document.title, document.text) == (
        "a",
        "Accès",
        "Par le portail.",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faq.jsonl", '{"id": "1", "question": "Q ?", "answer": "R."}\n{"id": 2,\n', "line 2"),
        ("faq.jsonl", '{"id": "1", "question": "Q ?"}\n', "line 1: needs question"),
        ("faq.jsonl", '["not", "an", "object"]\n', "line 1: expected an object"),
        (
            "faq.jsonl",
            '{"id": "1", "title": "A", "text": "x"}\n{"id": "1", "title": "B", "text": "y"}\n',
            "line 2: id '1' already used",
        ),
        ("faq.csv", "id,title,text\n1,A,x\n2,B,y,extra\n", "line 3: 4 fields"),
        ("faq.yaml", "entries:\n  - id: 1\n    text: ok\n  - id: 2\n    text: a: b\n", "line 5"),
        ("faq.yaml", "entries:\n  - id: 1\n    text: ok\n  - juste du texte\n", "line 4"),
        ("faq.yaml", "title: pas une liste\n", "expected a list"),
    ],
)
def test_malformed_tables_are_corrupt_and_say_where(load, name, content, message) -> None:
    with pytest.raises(CorruptFileError, match=message) as raised:
        load(name, content)
    assert raised.value.source == name


def test_table_options_beat_record_fields(load) -> None:
    record = {"id": "1", "question": "Q ?", "answer": "R.", "collection": "x", "kind": "kit"}
    options = LoadOptions(collection="session", kind=Kind.COURSE, session_ids=("s",))
    (document,) = load("faq.jsonl", json.dumps(record), options)
    assert (document.collection, document.kind, document.session_ids) == (
        "session",
        Kind.COURSE,
        ("s",),
    )


# --- SCORM ---------------------------------------------------------------------------------


def test_opale_scorm_course(load_shared) -> None:
    documents = load_shared(OPALE)
    assert_clean(documents)
    course, *attachments = documents
    assert course.title == "Étude de cas - Installation Configuration de l'outil Dolibarr"
    assert (course.kind, course.collection, course.language) == (
        Kind.COURSE,
        "CS_DolibarrInstallationSetup-FR",
        "fr",
    )
    assert course.document_id.startswith(f"{OPALE}#")
    assert "La société DoliExemple travaille dans le secteur du bâtiment" in course.text
    assert "scServices" not in course.text and "contenu menu navigation" not in course.text
    headings = {part for section in course.sections for part in section.heading_path}
    assert {"Présentation de la société DOLIExemple", "Travail à réaliser"} <= headings
    # The PDFs the course links to are indexed with it.
    assert sorted(d.source for d in attachments) == [
        f"{OPALE}!/res/CorigeEDC.pdf",
        f"{OPALE}!/res/ExempleFacture.pdf",
        f"{OPALE}!/res/FeuilleDEmargement.pdf",
    ]
    assert all(d.collection == course.collection and d.kind is Kind.COURSE for d in attachments)


@pytest.mark.parametrize("package", [GOLF_12, GOLF_2004])
def test_golf_scorm_samples(load_shared, package: str) -> None:
    (course,) = load_shared(package)
    assert_clean([course])
    assert (course.title, course.collection, course.language) == (
        "Golf Explained",
        "Golf Explained - Run-time Basic Calls",
        "en",
    )
    # The single SCO navigates its pages by script: their text belongs to it.
    paths = {section.heading_path[:2] for section in course.sections}
    assert ("Golf Explained", "Etiquette - Care For the Course") in paths
    assert "Golf carts are considered a convenience" in course.text
    assert "pageArray" not in course.text


MANIFEST = """<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">
  <organizations default="org">
    <organization identifier="org">
      <title>Laïcité</title>
      <item identifier="chap1"><title>Principes</title>
        <item identifier="p1" identifierref="r1"><title>Neutralité</title></item>
        <item identifier="p2" identifierref="r2"><title>Page perdue</title></item>
      </item>
      <item identifier="p3" identifierref="r3"><title>Quiz</title></item>
    </organization>
  </organizations>
  <resources xml:base="contenu/">
    <resource identifier="r1" type="webcontent" href="neutralite.html?x=1#haut">
      <file href="neutralite.html"/></resource>
    <resource identifier="r2" type="webcontent" href="absente.html"/>
    <resource identifier="r3" type="webcontent" href="quiz.html">
      <file href="quiz.html"/><file href="corrige-manquant.pdf"/></resource>
  </resources>
</manifest>"""


def test_scorm_items_become_documents_under_their_titles(load, zip_of) -> None:
    package = zip_of(
        {
            "cours/imsmanifest.xml": MANIFEST,
            "cours/contenu/neutralite.html": (
                "<h1>Neutralité</h1><h2>Agents</h2><p>Les agents sont neutres.</p>"
            ),
            "cours/contenu/quiz.html": "<p>Répondez aux questions.</p>",
        }
    )
    first, second = load("laicite.zip", package)
    assert (first.title, first.collection, first.kind) == ("Neutralité", "Laïcité", Kind.COURSE)
    assert first.document_id == "laicite.zip#p1"
    assert first.sections[0].heading_path == ("Principes", "Neutralité", "Agents")
    assert first.text == "Les agents sont neutres."
    assert (second.title, second.text) == ("Quiz", "Répondez aux questions.")


def test_scorm_with_unreadable_manifest_is_corrupt(load, zip_of) -> None:
    with pytest.raises(CorruptFileError, match=r"imsmanifest\.xml: invalid XML"):
        load("cours.zip", zip_of({"imsmanifest.xml": "<manifest><oops></manifest>"}))


def test_zip_without_manifest_is_a_bundle_of_files(load, zip_of) -> None:
    bundle = zip_of(
        {
            "docs/guide.md": "# Guide\n\nBienvenue.",
            "docs/photo.png": b"\x89PNG",
            "faq.jsonl": '{"id": "z1", "question": "Q ?", "answer": "R."}\n',
            "casse.pdf": b"%PDF-1.4 broken",
            "__MACOSX/docs/._guide.md": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
            ".notes.md": "# Brouillon\n\nPas pour les apprenants.",
        }
    )
    documents = load("lot.zip", bundle)
    assert [(d.document_id, d.source) for d in documents] == [
        ("lot.zip!/docs/guide.md", "lot.zip!/docs/guide.md"),
        ("z1", "lot.zip!/faq.jsonl"),
    ]


# --- Moodle backups ------------------------------------------------------------------------


def test_moodle_tar_backup_with_forum_folder_ims_and_scorm(load_shared) -> None:
    documents = load_shared(MBZ_TARGZ)
    assert_clean(documents)
    assert {d.collection for d in documents} == {"Deadlock Backup"}
    assert all(d.kind is Kind.COURSE for d in documents)
    titles = by_title(documents)
    outline = titles["Deadlock Backup"]
    assert outline.document_id == f"{MBZ_TARGZ}#course"
    assert "- Announcements (forum)" in outline.text
    assert "- IMS CC (imscp)\n- SCORM (scorm)" in outline.text
    forum = titles["Announcements"]
    assert forum.text == "General news and announcements"
    assert forum.sections[0].heading_path == ("Généralités",)
    ims = titles["IMS CC"]
    assert [s.heading_path for s in ims.sections][:2] == [
        ("Section 1", "Loch Katrine"),
        ("Section 1", "Ben Ledi"),
    ]
    assert "Page Eight of the Content Package." in ims.text
    (folder_file,) = [d for d in documents if d.source.endswith("test.txt")]
    assert folder_file.source == f"{MBZ_TARGZ}!/activities/folder_4/content/test.txt"
    assert folder_file.sections[0].heading_path == ("Section 1", "Folder")
    # The SCORM activity's package has an empty manifest: skipped, not fatal.
    assert "SCORM" not in titles


def test_moodle_zip_backup_with_glossary(load_shared) -> None:
    outline, glossary = load_shared(MBZ_ZIP)
    assert (outline.title, outline.text) == ("Course Import", "- Imported Glossary (glossary)")
    assert (glossary.title, glossary.text, glossary.collection) == (
        "Imported Glossary",
        "Imported Glossary",
        "Course Import",
    )
    assert glossary.metadata["module"] == "glossary"


BOOK = """<name>Livret d'accueil</name><intro></intro><chapters>
<chapter id="1"><pagenum>1</pagenum><subchapter>0</subchapter><title>Bienvenue</title>
<content>&lt;p&gt;Bonjour à tous.&lt;/p&gt;</content><contentformat>1</contentformat>
<hidden>0</hidden></chapter>
<chapter id="2"><pagenum>2</pagenum><subchapter>1</subchapter><title>Planning</title>
<content>Lundi : ouverture.</content><contentformat>2</contentformat><hidden>0</hidden></chapter>
<chapter id="3"><pagenum>3</pagenum><subchapter>0</subchapter><title>Brouillon</title>
<content>Pas encore publié.</content><contentformat>2</contentformat><hidden>1</hidden></chapter>
</chapters>"""
GLOSSARY = """<name>Lexique</name><intro>$@NULL@$</intro><entries>
<entry id="1"><concept>Badge</concept>
<definition>&lt;p&gt;Preuve de compétence.&lt;/p&gt;</definition>
<definitionformat>1</definitionformat><approved>1</approved></entry>
<entry id="2"><concept>Brouillon</concept><definition>À valider.</definition>
<definitionformat>2</definitionformat><approved>0</approved></entry></entries>"""
PAGE = """<name>Règlement</name><intro>&lt;p&gt;À lire.&lt;/p&gt;</intro>
<introformat>1</introformat>
<content>&lt;h3&gt;Assiduité&lt;/h3&gt;&lt;p&gt;Présence obligatoire.&lt;/p&gt;</content>
<contentformat>1</contentformat>"""
FILES_XML = """<files>
<file id="1"><contenthash>aa11</contenthash><contextid>4</contextid>
<component>mod_resource</component>
<filearea>content</filearea><filepath>/</filepath><filename>memo.md</filename></file>
<file id="2"><contenthash>bb22</contenthash><contextid>4</contextid>
<component>mod_resource</component>
<filearea>content</filearea><filepath>/</filepath><filename>perdu.pdf</filename></file>
</files>"""


@pytest.mark.parametrize("as_zip", [False, True])
def test_moodle_activities_are_indexed_with_their_content(load, mbz_of, as_zip: bool) -> None:
    backup = mbz_of(
        [
            ("page", PAGE, "0"),
            ("book", BOOK, "1"),
            ("glossary", GLOSSARY, "1"),
            ("resource", "<name>Mémo</name><intro></intro>", "1"),
            ("url", "<name>Portail</name><externalurl>https://mentor.gouv.fr</externalurl>", "1"),
            ("label", "<name>Consigne</name><intro>Travaillez en binôme.</intro>", "1"),
            ("quiz", "<name>Quiz caché</name><intro>Secret.</intro>", "2"),
            ("forum", "<name>Forum masqué</name><intro>Secret.</intro>", "1"),
        ],
        files={
            "files.xml": FILES_XML,
            "files/aa/aa11": "# Mémo\n\nArrivez à 9 h.",
            "activities/forum_8/module.xml": "<module><visible>0</visible></module>",
        },
        sections=(
            ("$@NULL@$", "", True),
            ("Semaine 1", "<p>Les bases.</p>", True),
            ("Réserve", "", False),
        ),
        as_zip=as_zip,
    )
    documents = load("cours.mbz", backup)
    assert_clean(documents)
    titles = by_title(documents)
    assert set(titles) == {
        "Découvrir Mentor",
        "Règlement",
        "Livret d'accueil",
        "Lexique",
        "Mémo",
        "Portail",
        "Consigne",
    }
    outline = titles["Découvrir Mentor"]
    assert outline.sections[0].text == "Un cours pour bien démarrer."
    assert ("Semaine 1",) in [s.heading_path for s in outline.sections]
    assert "Les bases." in outline.text and "Secret" not in outline.text
    page = titles["Règlement"]
    assert [(s.heading_path, s.text) for s in page.sections] == [
        (("Généralités",), "À lire."),
        (("Généralités", "Assiduité"), "Présence obligatoire."),
    ]
    book = titles["Livret d'accueil"]
    assert [(s.heading_path, s.text) for s in book.sections] == [
        (("Semaine 1", "Bienvenue"), "Bonjour à tous."),
        (("Semaine 1", "Bienvenue", "Planning"), "Lundi : ouverture."),
    ]
    glossary = titles["Lexique"]
    assert [(s.heading_path, s.text) for s in glossary.sections] == [
        (("Semaine 1", "Badge"), "Badge\nPreuve de compétence."),
    ]
    assert titles["Portail"].text == "Lien : https://mentor.gouv.fr"
    memo = titles["Mémo"]
    assert memo.source == "cours.mbz!/activities/resource_4/content/memo.md"
    assert memo.sections[0].heading_path == ("Semaine 1", "Mémo")
    assert (memo.collection, memo.kind) == ("Découvrir Mentor", Kind.COURSE)


def test_archive_that_is_not_a_moodle_backup_is_corrupt(load, zip_of) -> None:
    with pytest.raises(CorruptFileError, match=r"moodle_backup\.xml"):
        load("faux.mbz", zip_of({"readme.txt": "nothing here"}))


def test_every_error_names_the_file_and_a_reason(load) -> None:
    with pytest.raises(IngestError) as raised:
        load("faux.mbz", b"this is not an archive")
    assert raised.value.source == "faux.mbz"
    assert (raised.value.reason, str(raised.value)) == (
        "corrupt",
        "faux.mbz: not a zip or tar archive",
    )
