<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

/**
 * Signed calls to the service's /api/moodle/events.
 *
 * Headers X-Mentor-Timestamp (Unix seconds) and X-Mentor-Signature: sha256=<hex>, the
 * HMAC-SHA256 of "<timestamp>.<body>" keyed with the shared secret. The service rejects a
 * missing, wrong, stale (over 5 minutes) or already used signature.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class notifier {
    /** Path of the service's event endpoint. */
    const PATH = '/api/moodle/events';

    /** Seconds a call may take: a cron run must not hang on a slow service. */
    const TIMEOUT = 10;

    /**
     * Whether the plugin knows where and how to send events.
     *
     * @return bool
     */
    public static function configured(): bool {
        $config = get_config('local_mentorassistant');
        return !empty($config->serviceurl)
            && strlen((string) ($config->secret ?? '')) >= embed::MIN_SECRET_LENGTH;
    }

    /**
     * The signature header value for a body signed at a time.
     *
     * @param string $secret
     * @param int $timestamp
     * @param string $body
     * @return string
     */
    public static function signature(string $secret, int $timestamp, string $body): string {
        return 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $body, $secret);
    }

    /**
     * Sends one payload; throws so that the ad-hoc task is retried later.
     *
     * @param array $payload
     * @throws \moodle_exception when the service does not accept it
     */
    public static function send(array $payload): void {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        $config = get_config('local_mentorassistant');
        if (!self::configured()) {
            return;
        }
        $body = json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        $timestamp = time();
        // The service URL is set by the site administrator, not by a user: Moodle's
        // blocked-hosts list (which holds 127.0.0.1 and private networks) does not apply.
        $curl = new \curl(['ignoresecurity' => true]);
        $curl->setHeader([
            'Content-Type: application/json',
            'X-Mentor-Timestamp: ' . $timestamp,
            'X-Mentor-Signature: ' . self::signature($config->secret, $timestamp, $body),
        ]);
        $curl->post(rtrim($config->serviceurl, '/') . self::PATH, $body, [
            'CURLOPT_TIMEOUT' => self::TIMEOUT,
            'CURLOPT_CONNECTTIMEOUT' => self::TIMEOUT,
        ]);
        $status = (int) ($curl->get_info()['http_code'] ?? 0);
        if ($curl->get_errno() || $status < 200 || $status >= 300) {
            throw new \moodle_exception('notifyfailed', 'local_mentorassistant', '',
                $curl->get_errno() ? $curl->error : 'HTTP ' . $status);
        }
    }
}
