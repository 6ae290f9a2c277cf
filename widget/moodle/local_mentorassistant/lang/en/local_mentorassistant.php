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
$string['enabled'] = 'Show the assistant in courses';
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
$string['ttl_desc'] = 'After this, the learner is asked to reload the page.';
$string['privacy:metadata:mentorassistant'] = 'A signed token identifying the learner pseudonymously is sent to the Mentor assistant service so that it answers within the courses the learner follows.';
$string['privacy:metadata:mentorassistant:pseudonym'] = 'A keyed hash of the user id; the key stays in Moodle.';
$string['privacy:metadata:mentorassistant:sessionid'] = 'The session id of the current course.';
$string['notifyfailed'] = 'The Mentor assistant service did not accept the course change notification: {$a}';
$string['taskfullsync'] = 'Mentor assistant: nightly full sync of the course content';
$string['tasknotifychange'] = 'Mentor assistant: notify a course change';
$string['syncrole'] = 'Mentor assistant sync';
$string['syncrole_desc'] = 'Reads the content of every course for the Mentor assistant\'s index, through the web services. Give it to the sync account only.';
