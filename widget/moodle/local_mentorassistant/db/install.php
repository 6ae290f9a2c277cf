<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Installation: a site-local salt for pseudonymous user ids.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

/**
 * The salt never leaves Moodle, so the assistant service (which knows the shared JWT secret)
 * cannot turn a pseudonymous id back into a Moodle user id by trying every id.
 *
 * @return bool
 */
function xmldb_local_mentorassistant_install() {
    set_config('pseudonymsalt', random_string(64), 'local_mentorassistant');
    return true;
}
