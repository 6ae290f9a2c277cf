<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * English strings.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

$string['pluginname'] = 'Mentor assistant';
$string['assistanttitle'] = 'Mentor assistant';
$string['launcher'] = 'Any questions?';
$string['audience'] = 'Token audience';
$string['audience_desc'] = 'The "aud" claim the service expects (its MENTOR_JWT_AUDIENCE).';
$string['enabled'] = 'Show the assistant';
$string['enabled_desc'] = 'Adds the assistant to the pages of every course whose users have the capability local/mentorassistant:use.';
$string['mentorassistant:use'] = 'Use the Mentor assistant in a course';
$string['mode'] = 'Embedding';
$string['mode_desc'] = 'Script: a launcher button and chat panel added to the page (the service origin must be allowed by the site\'s Content Security Policy, if any). Iframe: the assistant runs in a frame from the service, for sites whose CSP admits no third-party script.';
$string['mode_iframe'] = 'Iframe';
$string['mode_script'] = 'Script (recommended)';
$string['secret'] = 'Shared secret';
$string['secret_desc'] = 'The HS256 secret shared with the service (its MENTOR_JWT_SECRET), at least 32 characters. Tokens are signed here, on the server; the secret never reaches the browser.';
$string['serviceurl'] = 'Service URL';
$string['serviceurl_desc'] = 'Base address of the assistant service, e.g. https://assistant.example.gouv.fr';
$string['sessionfield'] = 'Session id';
$string['sessionfield_desc'] = 'Which course field holds the session id used when the course content was indexed (session_id in course.yaml). Courses where it is empty do not show the assistant.';
$string['ttl'] = 'Token lifetime';
$string['ttl_desc'] = 'How long a token is valid. A page kept open longer gets a new one from Moodle (token.php) when the widget needs it.';
$string['privacy:metadata:mentorassistant'] = 'A signed token identifying the learner pseudonymously is sent to the Mentor assistant service so that it answers within the courses the learner follows.';
$string['privacy:metadata:mentorassistant:pseudonym'] = 'A keyed hash of the user id; the key stays in Moodle.';
$string['privacy:metadata:mentorassistant:sessionid'] = 'The session id of the current course.';
$string['entityfield'] = 'Entity field';
$string['entityfield_desc'] = 'Where the learner\'s ministry or entity comes from, for routing support tickets. Empty (default): the domain of the e-mail address, as Mentor attaches agents (the token carries the domain, never the address; the service maps it with its domain table). Otherwise a user field (e.g. institution) or a custom profile field written profile_field_<shortname>, whose value is sent as is.';
$string['erasurefailed'] = 'The Mentor assistant service did not delete the user\'s data (HTTP {$a->status}: {$a->detail}).';
$string['issuer'] = 'Token issuer';
$string['issuer_desc'] = 'The "iss" claim of the tokens (the service\'s MENTOR_JWT_ISSUER). Empty: this site\'s address.';
$string['loginhelp'] = 'Trouble signing in? See the help pages';
$string['loginhelpurl'] = 'Help link on the login page';
$string['loginhelpurl_desc'] = 'Logged-out visitors never get the assistant (nothing identifies them, so nothing can be scoped for them): the login page shows a link to this address instead (e.g. the FAQ). Empty: no link.';
$string['mentorassistant:design'] = 'Use the Mentor assistant as a course designer (every session)';
$string['mentorassistant:support'] = 'Use the Mentor assistant as support staff (every session, support desk)';
$string['mentorassistant:usesite'] = 'Use the Mentor assistant outside courses (general help only)';
$string['notoken'] = 'The assistant is not available to you on this page.';
$string['privacy:metadata:mentorassistant:entity'] = 'The user\'s ministry or entity: the domain of their e-mail address, or the configured profile field.';
$string['privacy:metadata:mentorassistant:questions'] = 'The questions asked in the assistant, its answers and the feedback given, kept by the service under the pseudonym.';
$string['servicesetup'] = 'Service configuration';
$string['servicesetup_desc'] = 'On the assistant service, for this Moodle:<pre>MENTOR_JWT_ISSUER=\'{$a->issuer}\'
MENTOR_CORS_ORIGINS=\'["{$a->origin}"]\'</pre>The same MENTOR_CORS_ORIGINS list is the list of sites allowed to show the assistant in a frame (iframe mode). MENTOR_JWT_SECRET and MENTOR_JWT_AUDIENCE must match the secret and audience below. <a href="{$a->testurl}">Test the connection</a>';
$string['sitepages'] = 'Show the assistant outside courses';
$string['sitepages_desc'] = 'On the dashboard and the site\'s other pages, signed-in users get the assistant for general questions (signing in, attestations, the platform): global knowledge only, no course content.';
$string['test_accepted'] = 'The service accepts the tokens signed by this site: shared secret, audience and issuer match.';
$string['test_noservice'] = 'No service URL is set.';
$string['test_reached'] = 'The service answers at {$a}.';
$string['test_refused'] = 'The service answers but refuses this site\'s tokens (HTTP {$a->status}): check that the shared secret, audience and issuer are the service\'s MENTOR_JWT_SECRET, MENTOR_JWT_AUDIENCE and MENTOR_JWT_ISSUER. Service\'s reply: {$a->detail}';
$string['test_shortsecret'] = 'The shared secret is shorter than 32 characters: the service refuses it.';
$string['test_unreached'] = 'The service does not answer at {$a->url}: {$a->detail}';
$string['testconnection'] = 'Test the connection to the Mentor assistant';
$string['notifyfailed'] = 'The Mentor assistant service did not accept the course change notification: {$a}';
$string['taskfullsync'] = 'Mentor assistant: nightly full sync of the course content';
$string['tasknotifychange'] = 'Mentor assistant: notify a course change';
$string['syncrole'] = 'Mentor assistant sync';
$string['syncrole_desc'] = 'Reads the content of every course for the Mentor assistant\'s index, through the web services. Give it to the sync account only.';
