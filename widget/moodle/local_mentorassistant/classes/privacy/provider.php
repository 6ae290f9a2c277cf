<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant\privacy;

use context;
use context_user;
use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\userlist;
use local_mentorassistant\service_client;

/**
 * Privacy API. Moodle stores nothing for this plugin; the service keeps, under the user's
 * pseudonym, the conversations (questions, answers) and feedback sent from the widget. So
 * every user's own context is declared as holding data there, and a deletion request makes
 * the service delete them (a signed call: service_client::erase()).
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class provider implements
        \core_privacy\local\metadata\provider,
        \core_privacy\local\request\core_userlist_provider,
        \core_privacy\local\request\plugin\provider {

    /**
     * Describes the data sent to the service.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_external_location_link('mentorassistant', [
            'pseudonym' => 'privacy:metadata:mentorassistant:pseudonym',
            'sessionid' => 'privacy:metadata:mentorassistant:sessionid',
            'entity' => 'privacy:metadata:mentorassistant:entity',
            'questions' => 'privacy:metadata:mentorassistant:questions',
        ], 'privacy:metadata:mentorassistant');
        return $collection;
    }

    /**
     * The user's own context: anyone signed in may have asked the assistant.
     *
     * @param int $userid
     * @return contextlist
     */
    public static function get_contexts_for_userid(int $userid): contextlist {
        $contextlist = new contextlist();
        $contextlist->add_user_context($userid);
        return $contextlist;
    }

    /**
     * @param userlist $userlist
     */
    public static function get_users_in_context(userlist $userlist) {
        $context = $userlist->get_context();
        if ($context instanceof context_user) {
            $userlist->add_user($context->instanceid);
        }
    }

    /**
     * Nothing to export from Moodle: the conversations are in the service, under a
     * pseudonym only the service's operator can look up (with this site's salt).
     *
     * @param approved_contextlist $contextlist
     */
    public static function export_user_data(approved_contextlist $contextlist) {
    }

    /**
     * @param context $context
     */
    public static function delete_data_for_all_users_in_context(context $context) {
        if ($context instanceof context_user) {
            self::client()->erase((int) $context->instanceid);
        }
    }

    /**
     * @param approved_contextlist $contextlist
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        foreach ($contextlist->get_contexts() as $context) {
            if ($context instanceof context_user && $context->instanceid == $contextlist->get_user()->id) {
                self::client()->erase((int) $context->instanceid);
            }
        }
    }

    /**
     * @param approved_userlist $userlist
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        if ($userlist->get_context() instanceof context_user) {
            foreach ($userlist->get_userids() as $userid) {
                self::client()->erase((int) $userid);
            }
        }
    }

    /**
     * @return service_client
     */
    private static function client(): service_client {
        return new service_client(get_config('local_mentorassistant'));
    }
}
