from __future__ import annotations

from knowledge.chunking import Chunker, joined
from knowledge.types import Document, Section

# A help page whose line breaks were lost: a long run of links that the splitter can only
# cut at its colons, then the next question, whose own words are split off the run's tail.
_LINKS = " ".join(
    f"la démarche {name} : https://{name}.example.gouv.fr/contact"
    for name in ("carte grise", "permis", "passeport", "impôts", "retraite")
)
_PAGE = (
    f"Vous pouvez contacter directement le service concerné par votre démarche : {_LINKS} "
    "Une panne survient pendant la démarche. Que faire ? Videz le cache de votre navigateur, "
    "puis recommencez la démarche depuis le début."
)


def _page(*sections: Section) -> Document:
    return Document(document_id="aide", source="aide.html", title="Aide", sections=sections)


def test_a_short_piece_left_by_the_splitter_joins_the_next_one() -> None:
    chunks = Chunker(chunk_size=400, chunk_overlap=40).split(_page(Section(_PAGE)))

    holding = [c.text for c in chunks if "Une panne survient" in c.text]
    assert len(holding) == 1
    assert "démarche. Que faire ? Videz le cache" in holding[0]
    assert all(len(c.text) <= 400 for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    # Nothing lost, nothing reordered: the chunks read the page through.
    assert "".join(c.text for c in chunks).replace(" ", "") == _PAGE.replace(" ", "")


def test_a_short_section_stays_its_own_chunk() -> None:
    sections = (Section("Durée : 2 heures.", ("Durée",)), Section(_PAGE, ("Aide",)))

    chunks = Chunker(chunk_size=400, chunk_overlap=40).split(_page(*sections))

    assert chunks[0].text == "Durée : 2 heures."
    assert chunks[0].heading_path == ("Durée",)


def test_a_short_piece_stays_alone_when_joined_it_would_not_fit() -> None:
    text = f"{'x' * 290} : Une panne survient. Que faire ? {'Videz le cache. ' * 17}"

    chunks = Chunker(chunk_size=300, chunk_overlap=0).split(_page(Section(text)))

    assert [c.text for c in chunks if "panne" in c.text] == ["Une panne survient."]
    assert all(len(c.text) <= 300 for c in chunks)


def test_consecutive_chunks_join_with_their_overlap_said_once() -> None:
    page = Section(
        " ".join(f"Étape {n} : ouvrez le menu numéro {n} du tableau de bord." for n in range(12))
    )
    chunks = Chunker(chunk_size=200, chunk_overlap=60).split(_page(page))
    assert len(chunks) > 2

    text = joined(chunks[0].text, chunks[1].text)

    assert text.startswith(chunks[0].text)
    assert text.endswith(chunks[1].text)
    assert page.text.startswith(text)


def test_chunks_without_overlap_join_at_a_paragraph_break() -> None:
    assert (
        joined("Ouvrez le menu.", "Cliquez sur Profil.") == "Ouvrez le menu.\n\nCliquez sur Profil."
    )
    assert joined("Pièces à fournir", "Justificatif de domicile") == (
        "Pièces à fournir\n\nJustificatif de domicile"
    )
