<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

use context_course;
use context_system;

/**
 * Who gets a token, with which role and sessions: one decision for the page and for renewal.
 *
 * - Site support staff (local/mentorassistant:support in the system context: managers and
 *   site administrators) get the service's `support` role, which sees every session and the
 *   support desk.
 * - Course editors (local/mentorassistant:design in the course: editing teachers) get
 *   `designer`, which sees every session, as the service's course designers do.
 * - Everyone else gets `learner`: in a course, only when actively enrolled there with
 *   local/mentorassistant:use, for that course's session; on the site's other pages
 *   (dashboard, profile, ...), with local/mentorassistant:usesite, for no session at all,
 *   so global knowledge only (support questions: login, attestation).
 * - Nobody logged out or guest gets anything.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class access {
    /**
     * The grant for the current user on a page of $course (the site course for site pages).
     *
     * @param \stdClass $course
     * @param \stdClass $config the plugin's settings
     * @return array|null ['role' => string, 'sessionids' => string[]], or null: no token
     */
    public static function grant(\stdClass $course, \stdClass $config): ?array {
        global $USER;
        if (during_initial_install() || !isloggedin() || isguestuser()) {
            return null;
        }
        $system = context_system::instance();
        if (empty($course->id) || $course->id == SITEID) {
            if (empty($config->sitepages)) {
                return null;
            }
            if (has_capability('local/mentorassistant:support', $system)) {
                return ['role' => 'support', 'sessionids' => []];
            }
            if (!has_capability('local/mentorassistant:usesite', $system)) {
                return null;
            }
            return ['role' => 'learner', 'sessionids' => []];
        }
        $sessionid = self::session_id($course, $config->sessionfield ?? 'idnumber');
        $context = context_course::instance($course->id);
        if ($sessionid === '' || !has_capability('local/mentorassistant:use', $context)) {
            return null;
        }
        if (has_capability('local/mentorassistant:support', $system)) {
            return ['role' => 'support', 'sessionids' => [$sessionid]];
        }
        if (has_capability('local/mentorassistant:design', $context)) {
            return ['role' => 'designer', 'sessionids' => [$sessionid]];
        }
        if (!is_enrolled($context, $USER, 'local/mentorassistant:use', true)) {
            return null;
        }
        return ['role' => 'learner', 'sessionids' => [$sessionid]];
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
     * A signed token for the current user and a grant.
     *
     * @param array $grant from grant()
     * @param \stdClass $config
     * @return array ['token' => string, 'expires' => int]
     */
    public static function token(array $grant, \stdClass $config): array {
        global $USER;
        $ttl = (int) ($config->ttl ?: HOURSECS);
        $now = time();
        $token = token::mint(
            $config->secret,
            [
                'sub' => token::pseudonym((int) $USER->id, (string) ($config->pseudonymsalt ?? '')),
                'session_ids' => array_values(array_unique($grant['sessionids'])),
                'role' => $grant['role'],
                'aud' => $config->audience ?: 'mentor-assistant',
                'iss' => self::issuer($config),
            ] + entity::claims($USER, $config),
            $ttl,
            $now
        );
        return ['token' => $token, 'expires' => $now + $ttl];
    }

    /**
     * The `iss` claim: the setting, or this site's address (the service's MENTOR_JWT_ISSUER).
     *
     * @param \stdClass $config
     * @return string
     */
    public static function issuer(\stdClass $config): string {
        global $CFG;
        $issuer = trim((string) ($config->issuer ?? ''));
        return $issuer !== '' ? $issuer : $CFG->wwwroot;
    }

    /**
     * Whether the plugin is configured enough to sign anything.
     *
     * @param \stdClass $config
     * @return bool
     */
    public static function configured(\stdClass $config): bool {
        return !empty($config->enabled) && !empty($config->serviceurl)
            && strlen((string) ($config->secret ?? '')) >= token::MIN_SECRET_LENGTH;
    }
}
