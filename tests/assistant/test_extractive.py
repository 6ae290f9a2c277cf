"""The extractive generator, the sentence units it quotes, and the post-check."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.generators.extractive import ExtractiveGenerator, compose
from assistant.postcheck import check
from assistant.sentences import split_sentences, units
from assistant.types import Citation

pytestmark = pytest.mark.anyio

FAQ = Citation(
    index=1,
    document_id="faq-attestation-telecharger",
    chunk_id="c-faq",
    title="Comment télécharger mon attestation de participation ?",
    passage=(
        "Comment télécharger mon attestation de participation ?\n"
        "L’attestation se trouve dans la dernière section de la session, intitulée « Clôture ». "
        "Cliquez sur l’activité, puis sur « Télécharger l’attestation »."
    ),
    source="sample:faq/apprenants.yaml",
    kind="faq",
)
QUIZ = Citation(
    index=2,
    document_id="laicite-2025-quiz-entrainement",
    chunk_id="c-quiz",
    title="Module 4 — Quiz d’entraînement et test de validation",
    passage=(
        "Le test de validation se trouve dans la section « Clôture » de la session. "
        "Contrairement au quiz d’entraînement, il est **noté** :\n\n"
        "- 15 questions tirées au sort dans une banque de questions ;\n"
        "- une note minimale de **70 %** est nécessaire pour le réussir ;\n"
        "- **trois tentatives** sont autorisées, et la meilleure note est retenue ;\n"
        "- aucune limite de temps n’est imposée.\n\n"
        "Les réponses du test de validation ne sont pas communiquées, ni par l’équipe de la "
        "session ni par le support de Mentor."
    ),
    source="sample:courses/laicite-2025/04-quiz-entrainement.md",
    kind="course",
)
CASE = Citation(
    index=1,
    document_id="laicite-2025-cas-pratiques",
    chunk_id="c-case",
    title="Module 3 — Cas pratiques",
    passage=(
        "Situation. Nadia, contractuelle recrutée à l’accueil d’une préfecture, porte un "
        "pendentif religieux bien visible pendant qu’elle reçoit le public.\n\n"
        "Analyse. L’obligation de neutralité s’applique à tous les agents, contractuels "
        "compris, dès le premier jour. Nadia ne peut pas porter de signe manifestant son "
        "appartenance religieuse pendant son service."
    ),
    source="sample:courses/laicite-2025/03-cas-pratiques.md",
    kind="course",
)


def sentences_of(answer: str) -> list[str]:
    return [s for line in answer.splitlines() for s in split_sentences(line.lstrip("- ")) if s]


def test_a_fitting_faq_entry_is_answered_whole_without_its_question() -> None:
    answer = compose("Comment télécharger mon attestation ?", [FAQ, QUIZ], "fr")
    assert answer == (
        "L’attestation se trouve dans la dernière section de la session, intitulée « Clôture ». "
        "Cliquez sur l’activité, puis sur « Télécharger l’attestation » [1]."
    )


def test_a_yes_or_no_faq_answer_is_led_by_the_question_it_answers() -> None:
    entry = replace(
        FAQ,
        title="Puis-je suivre une session sans être inscrit ?",
        passage="Puis-je suivre une session sans être inscrit ?\nNon, l’inscription est requise.",
    )
    answer = compose("acces a un cours sans inscription possible ?", [entry], "fr")
    assert answer == (
        "**Puis-je suivre une session sans être inscrit ?**\n\nNon, l’inscription est requise [1]."
    )


def test_a_faq_whose_question_does_not_match_is_not_used_whole() -> None:
    answer = compose("Combien de tentatives au test de validation ?", [FAQ, QUIZ], "fr")
    assert "tentatives" in answer
    assert "Cliquez sur l’activité" not in answer


def test_sentences_are_picked_cited_and_list_items_kept_with_their_intro() -> None:
    answer = compose("Quelle note minimale faut-il au test de validation ?", [QUIZ], "fr")
    assert "- une note minimale de **70 %** est nécessaire pour le réussir [2] ;" in answer
    assert "Contrairement au quiz d’entraînement, il est **noté** [2] :" in answer
    for sentence in sentences_of(answer):
        assert re.search(r"\[2\]", sentence), sentence
        assert sentence.replace(" [2]", "").rstrip(" ;:.") in QUIZ.passage.replace("- ", "")
    assert 2 <= len(sentences_of(answer)) <= 5


def test_a_sentence_announcing_a_list_comes_with_its_items_in_order() -> None:
    principles = replace(
        CASE,
        title="Module 1 — Les principes de la laïcité",
        passage=(
            "La laïcité n’est pas une opinion parmi d’autres : c’est un principe d’organisation "
            "de la République. Il repose sur trois idées indissociables.\n\n"
            "1. La liberté de conscience : chacun est libre de croire, de ne pas croire ou de "
            "changer de religion.\n"
            "2. La séparation des Églises et de l’État : l’État ne reconnaît, ne salarie ni ne "
            "subventionne aucun culte.\n"
            "3. L’égalité de tous devant la loi, quelles que soient leurs convictions.\n\n"
            "La laïcité ne vise donc pas à faire disparaître les religions de l’espace public."
        ),
    )
    answer = compose("c koi les 3 idees de base de la laicite", [principles], "fr")
    # The list is announced by a sentence ending with a full stop, not a colon: it is the
    # list's intro all the same, and the list, led by an item, is shown whole and in order.
    assert answer.startswith("Il repose sur trois idées indissociables [1].\n\n- La liberté")
    positions = [answer.index(word) for word in ("La liberté", "La séparation", "L’égalité")]
    assert positions == sorted(positions)


def test_a_list_with_no_intro_is_about_its_section_s_heading() -> None:
    plan = replace(
        CASE,
        title="Kit Mentor — La phase de cadrage",
        headings=("La phase de cadrage", "Rédiger la note de cadrage", "Plan type"),
        passage=(
            "1. Contexte et origine de la demande\n"
            "2. Public cible : effectifs, profil, prérequis\n"
            "3. Objectif général et objectifs opérationnels"
        ),
    )
    other = replace(
        QUIZ,
        title="Kit Mentor — La phase de cadrage",
        headings=("La phase de cadrage", "Rédiger la note de cadrage"),
        passage="La note de cadrage tient en trois à cinq pages.",
    )
    question = "il y a un plan type pour la note de cadrage ?"
    answer = compose(question, [other, plan], "fr")
    assert "- Contexte et origine de la demande [1]" in answer
    # Without the heading the items share no word with the question: they are left out.
    assert "Contexte" not in compose(question, [other, replace(plan, headings=())], "fr")


def test_the_analysis_after_a_matching_situation_is_quoted() -> None:
    answer = compose("une contractuelle peut-elle porter une croix visible ?", [CASE], "fr")
    assert "L’obligation de neutralité s’applique à tous les agents, contractuels compris" in (
        answer
    )


# Two service-public help pages (../shared/data/service-public/site_help_squad.json): the
# first asks the learner's question and answers it, the second only shares its words.
HELP_PAGE = Citation(
    index=1,
    document_id="sp-help-05",
    chunk_id="c-help-05",
    title="CRÉER UN COMPTE OU SE CONNECTER",
    passage=(
        "Comment modifier le mot de passe de mon compte ?\n"
        "Pour changer votre mot de passe, vous devez vous connecter à votre compte, puis aller "
        "dans l'onglet « Connexion, sécurité et paramétrage » et cliquer sur « Modifier mon "
        "mot de passe ».\n\n"
        "Comment supprimer mon compte ?\n"
        "La suppression de votre compte se demande depuis l'onglet « Paramétrage »."
    ),
    source="service-public:site-help",
    kind="page",
)
ACCOUNT_PAGE = Citation(
    index=2,
    document_id="sp-help-03",
    chunk_id="c-help-03",
    title="Votre compte sur service-public.fr",
    passage=(
        "Vous pouvez à tout moment modifier votre mot de passe. Le nouveau mot de passe de "
        "votre compte doit comporter au moins huit caractères, dont une majuscule et un chiffre."
    ),
    source="service-public:site-help",
    kind="page",
)


def test_a_page_that_asks_the_learner_s_question_answers_it_alone() -> None:
    question = "Comment modifier le mot de passe de mon compte ?"
    answer = compose(question, [HELP_PAGE, ACCOUNT_PAGE], "fr")
    # What follows the page's question, up to its next question, and nothing else.
    assert answer == (
        "Pour changer votre mot de passe, vous devez vous connecter à votre compte, puis aller "
        "dans l'onglet « Connexion, sécurité et paramétrage » et cliquer sur « Modifier mon "
        "mot de passe » [1]."
    )
    assert [c.index for c in check(answer, [HELP_PAGE, ACCOUNT_PAGE]).citations] == [1]
    # Without its question the first page is one source among others: both are quoted.
    plain = replace(HELP_PAGE, passage=HELP_PAGE.passage.partition("\n")[2])
    assert "[2]" in compose(question, [plain, ACCOUNT_PAGE], "fr")


def test_a_sentence_that_only_repeats_the_learner_s_question_is_not_the_answer() -> None:
    # The real page states its question as a heading, which the learner copied.
    page = replace(
        HELP_PAGE,
        passage=(
            "Si l'adresse électronique que vous avez saisie est erronée, vous ne recevrez pas le "
            "courriel de confirmation. Je ne reçois pas de courriel de confirmation pour créer "
            "mon compte. Pourquoi ? Que puis-je faire ? Deux raisons peuvent expliquer que vous "
            "n'ayez pas reçu de confirmation par courriel : l'adresse électronique saisie est "
            "erronée, ou le courriel a été expédié dans vos spams. Le lien de confirmation "
            "contenu dans ce courriel expire au bout de 24 heures."
        ),
    )
    question = (
        "Je ne reçois pas de courriel de confirmation pour créer mon compte. Pourquoi ? "
        "Que puis-je faire ?"
    )
    answer = compose(question, [page], "fr")
    assert answer.startswith("Deux raisons peuvent expliquer que vous n'ayez pas reçu")
    assert "Je ne reçois pas" not in answer
    # A sentence saying more than the question, if only "ne … pas", is an answer.
    quiz = replace(
        QUIZ, passage="Le quiz d’entraînement ne compte pas dans la note. Il sert à réviser."
    )
    assert "ne compte pas dans la note" in compose(
        "Le quiz d’entraînement compte dans la note ?", [quiz], "fr"
    )


def test_a_flattened_help_page_answers_with_its_answer_alone() -> None:
    # Our words, in the shape of a help page whose line breaks were lost: headings run into
    # the text after an address, each question's "Que faire ?" follows its statement.
    page = replace(
        HELP_PAGE,
        passage=(
            "Le formulaire de contact est à l'adresse https://mentor.gouv.fr/contact "
            "Je n'arrive pas à lire la vidéo du module. Que faire ? Les vidéos des modules "
            "demandent un navigateur à jour. Mettez à jour Firefox, Chrome ou Edge, puis "
            "rechargez la page : https://mentor.gouv.fr/aide/navigateurs "
            "Je ne vois pas le bouton de la session. Pourquoi ? Que faire ? Le bouton "
            "n'apparaît qu'une fois inscrit."
        ),
    )
    answer = compose("je n'arrive pas à lire la vidéo du module, que faire ?", [page], "fr")
    assert answer == (
        "Les vidéos des modules demandent un navigateur à jour [1]. Mettez à jour Firefox, "
        "Chrome ou Edge, puis rechargez la page : https://mentor.gouv.fr/aide/navigateurs [1]."
    )


def test_the_next_question_s_statements_in_the_learner_s_voice_end_the_answer() -> None:
    # Our words: the next question is stated in two sentences of the learner's before its
    # "Que faire ?"; the answer's own last short sentence, addressed to "vous", stays.
    page = replace(
        HELP_PAGE,
        passage=(
            "Je n'arrive pas à lire la vidéo du module. Que faire ? Les vidéos des modules "
            "demandent un navigateur à jour. Mettez à jour votre navigateur. Rechargez ensuite "
            "la page. Mon nom est mal écrit sur mon attestation. Je ne peux pas le corriger. "
            "Que faire ? Écrivez au support."
        ),
    )
    answer = compose("je n'arrive pas à lire la vidéo du module, que faire ?", [page], "fr")
    assert answer == (
        "Les vidéos des modules demandent un navigateur à jour [1]. Mettez à jour votre "
        "navigateur [1]. Rechargez ensuite la page [1]."
    )


def test_a_passage_cut_inside_its_sentences_is_still_quoted_and_cited() -> None:
    # Our words: a short chunk between two others, cut inside its only sentence.
    cut = replace(
        HELP_PAGE,
        passage=(
            "puis cliquez sur « Enregistrer » en bas du formulaire pour garder les changements de"
        ),
    )
    answer = compose("comment garder les changements du formulaire ?", [cut], "fr")
    assert answer.startswith("puis cliquez sur « Enregistrer »")
    assert answer.endswith("les changements de [1]")


def test_english_questions_get_an_english_lead_in_and_the_french_evidence() -> None:
    answer = compose("How do I download my certificate?", [FAQ], "en")
    lead, _, body = answer.partition("\n\n")
    assert lead == "Here is what the Mentor resources say (in French):"
    assert body.startswith("L’attestation se trouve") and body.endswith("[1].")


async def test_it_streams_word_by_word_what_compose_returns() -> None:
    question = "Quelle note minimale faut-il au test de validation ?"
    pieces = [p async for p in ExtractiveGenerator().stream(question, [QUIZ], (), "fr")]
    assert len(pieces) > 10
    assert "".join(pieces) == compose(question, [QUIZ], "fr")


def test_units_split_french_sentences_and_skip_headings_and_tables() -> None:
    passage = (
        "# Titre\n\nM. Dupont arrive à 9 h. Il lit l’art. 2 de la loi ! Est-ce clair ? Oui.\n"
        "| a | b |\n|---|---|\n- un point ;\n1. un autre point\nsuite coupée par le découpage"
    )
    found = units(passage)
    assert [u.text for u in found] == [
        "M. Dupont arrive à 9 h.",
        "Il lit l’art. 2 de la loi !",
        "Est-ce clair ?",
        "Oui.",
        "un point ;",
        "un autre point",
        "suite coupée par le découpage",
    ]
    assert [u.list_item for u in found] == [False, False, False, False, True, True, False]
    assert found[-1].fragment


def test_postcheck_keeps_cited_sources_renumbered_in_order_of_use() -> None:
    other = replace(FAQ, index=3, document_id="x", chunk_id="c3", passage="Rien à voir.")
    text = "La note minimale est de 70 % [2]. Le test est dans la section « Clôture » [2][7]."
    checked = check(text, [FAQ, QUIZ, other])
    assert checked.text == (
        "La note minimale est de 70 % [1]. Le test est dans la section « Clôture » [1]."
    )
    assert [(c.index, c.document_id) for c in checked.citations] == [(1, QUIZ.document_id)]
    assert checked.unsupported_sentences == ()


def test_the_faq_entries_an_answer_leaves_out_are_offered_as_related_questions() -> None:
    entry = replace(FAQ, index=2, document_id="faq-attestation-nom", chunk_id="c2")
    entry_again = replace(entry, index=3, chunk_id="c2-suite")
    page = replace(QUIZ, index=4)
    text = "L’attestation se trouve dans la section « Clôture » [1]."
    checked = check(text, [FAQ, entry, entry_again, page])
    assert [c.document_id for c in checked.citations] == [FAQ.document_id]
    # Once per entry, numbered afresh; the course page is no question to ask.
    assert [(c.index, c.chunk_id) for c in checked.related] == [(1, "c2")]
    assert check(text, [FAQ]).related == ()
    # After a course passage first, the entries given are its neighbours, not questions meant.
    assert check("Le test est noté [1].", [replace(QUIZ, index=1), entry]).related == ()


def test_postcheck_flags_sentences_no_cited_passage_supports() -> None:
    text = (
        "Le test de validation se trouve dans la section « Clôture » [1]. "
        "Les agents bénéficient aussi d’une prime annuelle de formation versée en juin [1]. "
        "Voici le détail :\n- trois tentatives sont autorisées [1]"
    )
    checked = check(text, [replace(QUIZ, index=1)])
    assert checked.unsupported_sentences == (
        "Les agents bénéficient aussi d’une prime annuelle de formation versée en juin [1].",
    )


def test_postcheck_reads_markers_placed_after_the_full_stop() -> None:
    text = "Une note de 70 % est nécessaire. [1] Trois tentatives sont autorisées. [1]"
    assert check(text, [replace(QUIZ, index=1)]).unsupported_sentences == ()
