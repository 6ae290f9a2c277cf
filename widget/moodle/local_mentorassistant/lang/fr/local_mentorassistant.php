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
$string['enabled'] = 'Afficher l’assistant dans les cours';
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
$string['ttl_desc'] = 'Passé ce délai, l’apprenant est invité à recharger la page.';
$string['privacy:metadata:mentorassistant'] = 'Un jeton signé, qui identifie l’apprenant sous un pseudonyme, est envoyé au service de l’assistant Mentor pour qu’il réponde dans le périmètre des cours suivis.';
$string['privacy:metadata:mentorassistant:pseudonym'] = 'Une empreinte à clé de l’identifiant de l’utilisateur ; la clé reste dans Moodle.';
$string['privacy:metadata:mentorassistant:sessionid'] = 'L’identifiant de session du cours consulté.';
$string['notifyfailed'] = 'Le service de l’assistant Mentor n’a pas accepté la notification de modification du cours : {$a}';
$string['taskfullsync'] = 'Assistant Mentor : synchronisation complète nocturne du contenu des cours';
$string['tasknotifychange'] = 'Assistant Mentor : signaler une modification de cours';
$string['syncrole'] = 'Synchronisation de l’assistant Mentor';
$string['syncrole_desc'] = 'Lit le contenu de tous les cours pour l’index de l’assistant Mentor, par les services web. À n’attribuer qu’au compte de synchronisation.';
