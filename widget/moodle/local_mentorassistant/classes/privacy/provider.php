<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant\privacy;

use core_privacy\local\metadata\collection;

/**
 * Privacy API: nothing is stored in Moodle; a pseudonymous id and the course's session id
 * are sent to the assistant service inside the signed token.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class provider implements \core_privacy\local\metadata\provider {
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
        ], 'privacy:metadata:mentorassistant');
        return $collection;
    }
}
