<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant\task;

use local_mentorassistant\notifier;

/**
 * Nightly: asks the service for a full, incremental sync of the site (unchanged modules
 * cost a few web-service calls), which catches anything an event missed.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class full_sync extends \core\task\scheduled_task {
    /**
     * Task name shown in the admin pages.
     *
     * @return string
     */
    public function get_name(): string {
        return get_string('taskfullsync', 'local_mentorassistant');
    }

    /**
     * Sends the request.
     */
    public function execute() {
        notifier::send(['event' => 'full_sync']);
    }
}
