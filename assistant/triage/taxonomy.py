"""The fixed taxonomy of the desk. The codes are part of the API; the labels are shown."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    COMPTE = "compte"
    RATTACHEMENT = "rattachement"
    INSCRIPTION = "inscription"
    ACCES_ACTIVITES = "acces_activites"
    ATTESTATION = "attestation"
    TECHNIQUE = "technique"
    ACCESSIBILITE = "accessibilite"
    CONTENU = "contenu"
    CREATION_FORMATION = "creation_formation"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Category.COMPTE: "Compte et connexion (ProConnect, mot de passe)",
    Category.RATTACHEMENT: "Espace ministériel, rattachement",
    Category.INSCRIPTION: "Inscription à une session",
    Category.ACCES_ACTIVITES: "Accès aux activités",
    Category.ATTESTATION: "Attestation",
    Category.TECHNIQUE: "Technique (navigateur, affichage, vidéo)",
    Category.ACCESSIBILITE: "Accessibilité",
    Category.CONTENU: "Question sur le contenu d'une formation",
    Category.CREATION_FORMATION: "Création de formation, rôles",
    Category.AUTRE: "Autre",
}


class Urgency(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
