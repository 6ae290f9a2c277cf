<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Chaînes en français.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

$string['pluginname'] = 'Assistant Mentor';
$string['assistanttitle'] = 'Assistant Mentor';
$string['launcher'] = 'Une question ?';
$string['audience'] = 'Audience du jeton';
$string['audience_desc'] = 'La revendication « aud » attendue par le service (sa variable MENTOR_JWT_AUDIENCE).';
$string['enabled'] = 'Afficher l’assistant';
$string['enabled_desc'] = 'Ajoute l’assistant aux pages des cours dont les utilisateurs ont la capacité local/mentorassistant:use.';
$string['mentorassistant:use'] = 'Utiliser l’assistant Mentor dans un cours';
$string['mode'] = 'Intégration';
$string['mode_desc'] = 'Script : un bouton et un panneau de discussion ajoutés à la page (l’origine du service doit être autorisée par la politique de sécurité du contenu du site, s’il en a une). Iframe : l’assistant s’affiche dans un cadre servi par le service, pour les sites dont la CSP n’admet aucun script tiers.';
$string['mode_iframe'] = 'Iframe';
$string['mode_script'] = 'Script (recommandé)';
$string['secret'] = 'Secret partagé';
$string['secret_desc'] = 'Le secret HS256 partagé avec le service (sa variable MENTOR_JWT_SECRET), d’au moins 32 caractères. Les jetons sont signés ici, côté serveur : le secret n’atteint jamais le navigateur.';
$string['serviceurl'] = 'Adresse du service';
$string['serviceurl_desc'] = 'Adresse de base du service de l’assistant, par exemple https://assistant.exemple.gouv.fr';
$string['sessionfield'] = 'Identifiant de session';
$string['sessionfield_desc'] = 'Le champ du cours qui porte l’identifiant de session utilisé lors de l’indexation du contenu (session_id du fichier course.yaml). Les cours où il est vide n’affichent pas l’assistant.';
$string['ttl'] = 'Durée de validité du jeton';
$string['ttl_desc'] = 'Durée de validité d’un jeton. Une page restée ouverte plus longtemps en obtient un nouveau auprès de Moodle (token.php) quand le widget en a besoin.';
$string['privacy:metadata:mentorassistant'] = 'Un jeton signé, qui identifie l’apprenant sous un pseudonyme, est envoyé au service de l’assistant Mentor pour qu’il réponde dans le périmètre des cours suivis.';
$string['privacy:metadata:mentorassistant:pseudonym'] = 'Une empreinte à clé de l’identifiant de l’utilisateur ; la clé reste dans Moodle.';
$string['privacy:metadata:mentorassistant:sessionid'] = 'L’identifiant de session du cours consulté.';
$string['entityfield'] = 'Champ de l’entité';
$string['entityfield_desc'] = 'D’où vient le ministère ou l’entité de l’apprenant, pour l’orientation des tickets du support. Vide (par défaut) : le domaine de l’adresse électronique, comme Mentor rattache les agents (le jeton porte le domaine, jamais l’adresse ; le service le traduit avec sa table des domaines). Sinon un champ de l’utilisateur (par exemple institution) ou un champ de profil personnalisé noté profile_field_<nom court>, dont la valeur est transmise telle quelle.';
$string['erasurefailed'] = 'Le service de l’assistant Mentor n’a pas supprimé les données de l’utilisateur (HTTP {$a->status} : {$a->detail}).';
$string['issuer'] = 'Émetteur du jeton';
$string['issuer_desc'] = 'La revendication « iss » des jetons (la variable MENTOR_JWT_ISSUER du service). Vide : l’adresse de ce site.';
$string['loginhelp'] = 'Vous n’arrivez pas à vous connecter ? Consultez l’aide';
$string['loginhelpurl'] = 'Lien d’aide sur la page de connexion';
$string['loginhelpurl_desc'] = 'Un visiteur non connecté n’a jamais l’assistant (rien ne l’identifie, rien ne peut donc être restreint pour lui) : la page de connexion affiche à la place un lien vers cette adresse (par exemple la FAQ). Vide : pas de lien.';
$string['mentorassistant:design'] = 'Utiliser l’assistant Mentor en concepteur de cours (toutes les sessions)';
$string['mentorassistant:support'] = 'Utiliser l’assistant Mentor en tant que support (toutes les sessions, guichet du support)';
$string['mentorassistant:usesite'] = 'Utiliser l’assistant Mentor hors des cours (aide générale seulement)';
$string['notoken'] = 'L’assistant ne vous est pas accessible sur cette page.';
$string['privacy:metadata:mentorassistant:entity'] = 'Le ministère ou l’entité de l’utilisateur : le domaine de son adresse électronique, ou le champ de profil configuré.';
$string['privacy:metadata:mentorassistant:questions'] = 'Les questions posées à l’assistant, ses réponses et les avis donnés, conservés par le service sous le pseudonyme.';
$string['servicesetup'] = 'Configuration du service';
$string['servicesetup_desc'] = 'Sur le service de l’assistant, pour ce Moodle :<pre>MENTOR_JWT_ISSUER=\'{$a->issuer}\'
MENTOR_CORS_ORIGINS=\'["{$a->origin}"]\'</pre>La même liste MENTOR_CORS_ORIGINS est celle des sites autorisés à afficher l’assistant dans un cadre (mode iframe). MENTOR_JWT_SECRET et MENTOR_JWT_AUDIENCE doivent correspondre au secret et à l’audience ci-dessous. <a href="{$a->testurl}">Tester la connexion</a>';
$string['sitepages'] = 'Afficher l’assistant hors des cours';
$string['sitepages_desc'] = 'Sur le tableau de bord et les autres pages du site, les utilisateurs connectés ont l’assistant pour les questions générales (connexion, attestations, plateforme) : connaissances générales seulement, aucun contenu de cours.';
$string['test_accepted'] = 'Le service accepte les jetons signés par ce site : le secret partagé, l’audience et l’émetteur correspondent.';
$string['test_noservice'] = 'Aucune adresse de service n’est renseignée.';
$string['test_reached'] = 'Le service répond à l’adresse {$a}.';
$string['test_refused'] = 'Le service répond mais refuse les jetons de ce site (HTTP {$a->status}) : vérifiez que le secret partagé, l’audience et l’émetteur sont les variables MENTOR_JWT_SECRET, MENTOR_JWT_AUDIENCE et MENTOR_JWT_ISSUER du service. Réponse du service : {$a->detail}';
$string['test_shortsecret'] = 'Le secret partagé fait moins de 32 caractères : le service le refuse.';
$string['test_unreached'] = 'Le service ne répond pas à l’adresse {$a->url} : {$a->detail}';
$string['testconnection'] = 'Tester la connexion à l’assistant Mentor';
$string['notifyfailed'] = 'Le service de l’assistant Mentor n’a pas accepté la notification de modification du cours : {$a}';
$string['taskfullsync'] = 'Assistant Mentor : synchronisation complète nocturne du contenu des cours';
$string['tasknotifychange'] = 'Assistant Mentor : signaler une modification de cours';
$string['syncrole'] = 'Synchronisation de l’assistant Mentor';
$string['syncrole_desc'] = 'Lit le contenu de tous les cours pour l’index de l’assistant Mentor, par les services web. À n’attribuer qu’au compte de synchronisation.';
