<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

use context_course;
use html_writer;
use moodle_url;

/**
 * Decides whether the current page gets the assistant and writes the tag that embeds it.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class embed {
    /** Shortest shared secret the service accepts. */
    const MIN_SECRET_LENGTH = 32;

    /**
     * The HTML to add before the page footer, or '' when the assistant does not apply.
     *
     * @return string
     */
    public static function footer_html(): string {
        global $PAGE, $USER;

        $config = get_config('local_mentorassistant');
        if (empty($config->enabled) || empty($config->serviceurl)
                || strlen((string) ($config->secret ?? '')) < self::MIN_SECRET_LENGTH) {
            return '';
        }
        // Only inside a course, for a signed-in learner of that course.
        if (during_initial_install() || !isloggedin() || isguestuser()) {
            return '';
        }
        $course = $PAGE->course;
        if (empty($course->id) || $course->id == SITEID) {
            return '';
        }
        $context = context_course::instance($course->id);
        if (!has_capability('local/mentorassistant:use', $context)) {
            return '';
        }
        $sessionid = self::session_id($course, $config->sessionfield ?? 'idnumber');
        if ($sessionid === '') {
            return '';
        }

        $token = token::mint(
            $config->secret,
            token::pseudonym((int) $USER->id, (string) ($config->pseudonymsalt ?? '')),
            [$sessionid],
            'learner',
            $config->audience ?: 'mentor-assistant',
            (int) ($config->ttl ?: 3600)
        );
        $service = rtrim($config->serviceurl, '/');
        if (($config->mode ?? 'script') === 'iframe') {
            return self::iframe($service, $token, $sessionid);
        }
        return html_writer::tag('script', '', [
            'src' => $service . '/widget/mentor-assistant.js',
            'data-token' => $token,
            'data-session' => $sessionid,
            'defer' => 'defer',
        ]);
    }

    /**
     * The assistant's session id for a course: its ID number by default (the identifier
     * Moodle keeps for external systems), else its short name or numeric id.
     *
     * @param \stdClass $course
     * @param string $field idnumber | shortname | id
     * @return string
     */
    public static function session_id(\stdClass $course, string $field): string {
        if ($field === 'id') {
            return (string) $course->id;
        }
        if ($field === 'shortname') {
            return trim((string) $course->shortname);
        }
        return trim((string) ($course->idnumber ?? ''));
    }

    /**
     * Iframe mode: no third-party script runs in Moodle's pages; a native <details>
     * disclosure opens and closes the frame, so even the launcher needs no JavaScript.
     * The token travels in the fragment, which the browser never sends to a server.
     *
     * @param string $service
     * @param string $token
     * @param string $sessionid
     * @return string
     */
    private static function iframe(string $service, string $token, string $sessionid): string {
        $fragment = http_build_query([
            'token' => $token,
            'session' => $sessionid,
            'lang' => current_language(),
        ], '', '&', PHP_QUERY_RFC3986);
        $title = get_string('assistanttitle', 'local_mentorassistant');
        $frame = html_writer::tag('iframe', '', [
            'src' => $service . '/widget/frame#' . $fragment,
            'title' => $title,
            'loading' => 'lazy',
        ]);
        $summary = html_writer::tag('summary', get_string('launcher', 'local_mentorassistant'));
        return html_writer::tag('details', $summary . $frame, ['class' => 'local-mentorassistant-frame']);
    }
}
