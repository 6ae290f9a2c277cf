<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

use context_system;

/**
 * The account the assistant's sync reads courses with, and its web-service token.
 *
 * What cli/create_sync_account.php does, step by step as the README describes it for the
 * administration pages: web services and REST on, a user, a system role holding exactly
 * the capabilities below, and a token for the plugin's external service (db/services.php),
 * whose functions only read.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class sync_account {
    /** Short name of the role. */
    const ROLE = 'mentorassistantsync';

    /** Short name of the external service declared in db/services.php. */
    const SERVICE = 'local_mentorassistant_sync';

    /**
     * What the sync needs. moodle/course:update only because Moodle tells a course's ID
     * number (the session id) to those who may edit the course; the token's service holds
     * read functions only, so the account cannot change anything through it.
     */
    const CAPABILITIES = [
        'webservice/rest:use',
        'moodle/course:view',
        'moodle/course:update',
        'moodle/category:viewcourselist',
        'mod/page:view',
        'mod/book:read',
        'mod/glossary:view',
        'mod/resource:view',
        'mod/folder:view',
        'mod/url:view',
        'mod/label:view',
        // Activities the sync reads the name and shown description of, and nothing more:
        // without their view capability Moodle leaves them out of the course contents.
        'mod/quiz:view',
        'mod/assign:view',
        'mod/forum:viewdiscussion',
        'mod/lesson:view',
        'mod/h5pactivity:view',
        'mod/feedback:view',
        'mod/workshop:view',
    ];

    /**
     * Creates (or completes) the account and returns a new token for it.
     *
     * @param string $username
     * @param int $validuntil Unix time the token stops working, 0 for never
     * @return string the token
     */
    public static function create(string $username, int $validuntil = 0): string {
        global $CFG, $DB;
        require_once($CFG->dirroot . '/user/lib.php');

        set_config('enablewebservices', 1);
        $protocols = array_filter(explode(',', (string) ($CFG->webserviceprotocols ?? '')));
        if (!in_array('rest', $protocols)) {
            $protocols[] = 'rest';
            set_config('webserviceprotocols', implode(',', $protocols));
        }

        $user = $DB->get_record('user', ['username' => $username, 'mnethostid' => $CFG->mnet_localhost_id]);
        if (!$user) {
            $userid = user_create_user((object) [
                'username' => $username,
                'auth' => 'manual',
                'password' => random_string(32) . 'Aa1!',
                'firstname' => 'Assistant',
                'lastname' => 'Mentor (synchronisation)',
                'email' => $username . '@invalid.example',
                'confirmed' => 1,
                'mnethostid' => $CFG->mnet_localhost_id,
            ], true, false);
        } else {
            $userid = (int) $user->id;
        }

        $system = context_system::instance();
        $roleid = $DB->get_field('role', 'id', ['shortname' => self::ROLE]);
        if (!$roleid) {
            $roleid = create_role(get_string('syncrole', 'local_mentorassistant'), self::ROLE,
                get_string('syncrole_desc', 'local_mentorassistant'));
            set_role_contextlevels($roleid, [CONTEXT_SYSTEM]);
        }
        foreach (self::CAPABILITIES as $capability) {
            if (get_capability_info($capability)) { // A module may be uninstalled.
                assign_capability($capability, CAP_ALLOW, $roleid, $system->id, true);
            }
        }
        role_assign($roleid, $userid, $system->id);

        $service = $DB->get_record('external_services', ['shortname' => self::SERVICE], '*', MUST_EXIST);
        return \core_external\util::generate_token(EXTERNAL_TOKEN_PERMANENT, $service, $userid, $system,
            $validuntil);
    }
}
