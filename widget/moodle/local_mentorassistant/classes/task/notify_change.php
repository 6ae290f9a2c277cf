<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant\task;

use local_mentorassistant\notifier;

/**
 * Tells the service which course (and module) changed. Queued by the observer; a failure
 * is retried by Moodle with a growing delay, and the nightly full sync catches the rest.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class notify_change extends \core\task\adhoc_task {
    /**
     * Task name shown in the admin pages.
     *
     * @return string
     */
    public function get_name(): string {
        return get_string('tasknotifychange', 'local_mentorassistant');
    }

    /**
     * Sends the notification.
     */
    public function execute() {
        $data = $this->get_custom_data();
        notifier::send([
            'event' => (string) $data->event,
            'courseid' => (int) $data->courseid,
            'cmid' => isset($data->cmid) ? (int) $data->cmid : null,
        ]);
    }
}
