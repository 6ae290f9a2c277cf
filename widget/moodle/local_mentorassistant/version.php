<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Version details.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

$plugin->component = 'local_mentorassistant';
$plugin->version   = 2026120101;
$plugin->requires  = 2022112800; // Moodle 4.1: the legacy callback; 4.4+ uses db/hooks.php.
$plugin->supported = [401, 405];
$plugin->maturity  = MATURITY_BETA;
$plugin->release   = '0.2.0';
