"""Question sets derived from the real data in ../shared/data, written to a folder of yours.

Real material stays in ../shared; this writes what the eval reads, outside the repository:

* ``site_help_corpus.jsonl``: service-public.fr's site-help pages (one record per page), to
  index; ``site_help.jsonl``: their real questions, each with the page(s) that answer it
  and, as ``reference_answer``, the text that follows the question on the page up to the
  next question (the source's answer spans are empty: the answer is that stretch);
* cross-corpus negatives, every item ``should_refuse``: questions about one corpus asked
  of another one's index. ``not_mentor.jsonl`` (CNIL development questions and the
  site-help questions that name service-public.fr's own services, for Mentor's FAQ and the
  sample corpus), ``not_cnil.jsonl`` and ``not_site_help.jsonl`` (our Mentor learner
  questions, for the CNIL FAQ and the site-help pages). A question that either site would
  answer is no negative: site-help questions that would be legitimate Mentor questions too
  ("Comment modifier le mot de passe de mon compte ?") are left out of ``not_mentor``, and
  our learner questions that name nothing of Mentor's, the account chores of any site ("jai
  perdu mon mot de passe", "comment changer mon adresse mail sur mon compte"), are left out
  of ``not_site_help``: the site help answers them for its own account, as it should.

    .venv/bin/python evals/datasets/real_sets.py /work/cache/sets [DATA]

DATA is the real data folder; default ../shared/data seen from the repository.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATASETS = Path(__file__).resolve().parent
SHARED = DATASETS.parents[1].parent / "shared" / "data"
# Words that tie a site-help question to service-public.fr rather than to any account
# (accents stripped, like the questions they are looked for in).
_SITE_HELP_ONLY = (
    "service-public",
    "franceconnect",
    "demarche",
    "dossier",
    "recepisse",
    "perceval",
    "acte de naissance",
    "robot",
)
# Words that tie a learner question to Mentor rather than to any account (accents stripped).
_MENTOR_ONLY = (
    "mentor",
    "session",
    "formation",
    "cours",
    "attestation",
    "activite",
    "ministere",
    "concepteur",
    "certifi",
    "superieur",
    "chef",
    "offre",
)
_ANSWER_CHARS = 1500


def site_help(squad: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    pages: list[dict[str, Any]] = []
    answers: dict[str, dict[str, Any]] = {}
    for number, article in enumerate(squad["data"]):
        page_id = f"sp-help-{number:02d}"
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            pages.append(
                # Help pages with many questions on each: quoted by sentence, not whole.
                {
                    "id": page_id,
                    "title": article["title"],
                    "text": context,
                    "url": article["link"],
                    "kind": "page",
                }
            )
            asked = {q["question"].strip() for q in paragraph["qas"] if q["question"].strip()}
            starts = sorted((context.find(question), question) for question in asked)
            for rank, (start, question) in enumerate(starts):
                if start < 0:
                    continue
                end = starts[rank + 1][0] if rank + 1 < len(starts) else len(context)
                span = context[start + len(question) : end].strip()
                entry = answers.setdefault(question, {"pages": [], "answer": span})
                entry["pages"].append(page_id)
    questions = [
        {
            "id": f"sp-help-q{number:02d}",
            "question": question,
            "expected_documents": entry["pages"],
            "reference_answer": entry["answer"][:_ANSWER_CHARS],
            "tags": ["service-public"],
        }
        for number, (question, entry) in enumerate(answers.items())
    ]
    return pages, questions


def negatives(prefix: str, questions: Iterable[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{item['id']}",
            "question": item["question"],
            "should_refuse": True,
            "tags": ["refus", tag],
        }
        for item in questions
    ]


def _names_any(question: str, words: Iterable[str]) -> bool:
    plain = unicodedata.normalize("NFKD", question.lower())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return any(word in plain for word in words)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    lines = (json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    path.write_text("".join(lines), encoding="utf-8")


def main(arguments: list[str]) -> int:
    if len(arguments) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    shared = Path(arguments[1]) if len(arguments) == 2 else SHARED
    squad_file = shared / "service-public" / "site_help_squad.json"
    cnil_file = shared / "cnil-faq" / "dev_queries.jsonl"
    if not squad_file.is_file() or not cnil_file.is_file():
        print(f"Real data not found in {shared} (../shared/data from the repo)", file=sys.stderr)
        return 2
    target = Path(arguments[0])
    target.mkdir(parents=True, exist_ok=True)
    pages, help_questions = site_help(json.loads(squad_file.read_text(encoding="utf-8")))
    learners = [
        item
        for name in ("mentor_faq.jsonl", "mentor_faq_holdout.jsonl")
        for item in _jsonl(DATASETS / name)
        if not item.get("should_refuse")
    ]
    service_public = [
        item for item in help_questions if _names_any(item["question"], _SITE_HELP_ONLY)
    ]
    _write(target / "site_help_corpus.jsonl", pages)
    _write(target / "site_help.jsonl", help_questions)
    _write(
        target / "not_mentor.jsonl",
        negatives("cnil", _jsonl(cnil_file), "autre-corpus")
        + negatives("sp", service_public, "autre-corpus"),
    )
    _write(target / "not_cnil.jsonl", negatives("mentor", learners, "autre-corpus"))
    about_mentor = [item for item in learners if _names_any(item["question"], _MENTOR_ONLY)]
    _write(target / "not_site_help.jsonl", negatives("mentor", about_mentor, "autre-corpus"))
    print(f"{len(pages)} site-help pages, {len(help_questions)} questions; sets in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
