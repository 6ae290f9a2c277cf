<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

use html_writer;
use moodle_url;

/**
 * Writes what the current page gets: the assistant's tag (script or iframe) with a token for
 * the grant access::grant() decides, or on the login page a link to the help pages.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class embed {
    /** Page layouts that never show the assistant: forms and screens without a page around. */
    const NO_ASSISTANT_LAYOUTS = ['admin', 'embedded', 'popup', 'frametop', 'maintenance',
        'print', 'redirect', 'secure'];

    /**
     * The HTML to add before the page footer, or '' when the assistant does not apply.
     *
     * @return string
     */
    public static function footer_html(): string {
        global $PAGE;

        $config = get_config('local_mentorassistant');
        if (!access::configured($config)) {
            return '';
        }
        // A logged-out visitor is nobody the service may scope: no token, a help link.
        if ($PAGE->pagelayout === 'login') {
            return self::login_help($config);
        }
        if (in_array($PAGE->pagelayout, self::NO_ASSISTANT_LAYOUTS, true)) {
            return '';
        }
        $grant = access::grant($PAGE->course, $config);
        if ($grant === null) {
            return '';
        }
        $signed = access::token($grant, $config);
        $sessionid = $grant['sessionids'][0] ?? '';
        $service = rtrim($config->serviceurl, '/');
        $renew = new moodle_url('/local/mentorassistant/token.php',
            ['courseid' => $PAGE->course->id, 'sesskey' => sesskey()]);
        if (($config->mode ?? 'script') === 'iframe') {
            return self::iframe($service, $signed['token'], $sessionid, $renew);
        }
        return html_writer::tag('script', '', [
            'src' => $service . '/widget/mentor-assistant.js',
            'data-token' => $signed['token'],
            'data-session' => $sessionid,
            'data-renew' => $renew->out(false),
            'defer' => 'defer',
        ]);
    }

    /**
     * Iframe mode: no third-party script runs in Moodle's pages; a native <details>
     * disclosure opens and closes the frame, so even the launcher needs no JavaScript.
     * The token travels in the fragment, which the browser never sends to a server. The
     * frame cannot call Moodle itself (its cookies are third-party there): it asks this
     * page for a fresh token by postMessage, and this plugin's few lines answer it.
     *
     * @param string $service
     * @param string $token
     * @param string $sessionid
     * @param moodle_url $renew
     * @return string
     */
    private static function iframe(string $service, string $token, string $sessionid,
            moodle_url $renew): string {
        global $PAGE;
        $fragment = http_build_query([
            'token' => $token,
            'session' => $sessionid,
            'lang' => current_language(),
            'renew' => 'parent',
        ], '', '&', PHP_QUERY_RFC3986);
        $title = get_string('assistanttitle', 'local_mentorassistant');
        $frame = html_writer::tag('iframe', '', [
            'src' => $service . '/widget/frame#' . $fragment,
            'title' => $title,
            'loading' => 'lazy',
            'class' => 'local-mentorassistant-iframe',
        ]);
        $origin = self::origin($service);
        $PAGE->requires->js_amd_inline(
            "require([], function() {\n" .
            "    var origin = " . json_encode($origin) . ", renew = " .
            json_encode($renew->out(false)) . ";\n" .
            "    window.addEventListener('message', function(event) {\n" .
            "        if (event.origin !== origin || !event.data ||\n" .
            "                event.data.type !== 'mentor-assistant:renew') {\n" .
            "            return;\n" .
            "        }\n" .
            "        fetch(renew, {method: 'POST', credentials: 'same-origin'})\n" .
            "            .then(function(response) { return response.ok ? response.json() : {}; })\n" .
            "            .catch(function() { return {}; })\n" .
            "            .then(function(body) {\n" .
            "                event.source.postMessage({type: 'mentor-assistant:token',\n" .
            "                    token: body.token || ''}, origin);\n" .
            "            });\n" .
            "    });\n" .
            "});"
        );
        $summary = html_writer::tag('summary', get_string('launcher', 'local_mentorassistant'));
        return html_writer::tag('details', $summary . $frame, ['class' => 'local-mentorassistant-frame']);
    }

    /**
     * The login page: a link to the help pages, when one is configured.
     *
     * @param \stdClass $config
     * @return string
     */
    private static function login_help(\stdClass $config): string {
        $url = trim((string) ($config->loginhelpurl ?? ''));
        if ($url === '') {
            return '';
        }
        $link = html_writer::link($url, get_string('loginhelp', 'local_mentorassistant'));
        return html_writer::tag('p', $link, ['class' => 'local-mentorassistant-loginhelp']);
    }

    /**
     * scheme://host[:port] of a URL.
     *
     * @param string $url
     * @return string
     */
    public static function origin(string $url): string {
        $parts = parse_url($url);
        $origin = ($parts['scheme'] ?? 'https') . '://' . ($parts['host'] ?? '');
        return isset($parts['port']) ? $origin . ':' . $parts['port'] : $origin;
    }
}
