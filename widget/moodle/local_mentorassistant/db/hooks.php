<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Hook callbacks (Moodle 4.4 and later). Older versions call
 * local_mentorassistant_before_footer() in lib.php instead.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

$callbacks = [
    [
        'hook' => \core\hook\output\before_footer_html_generation::class,
        'callback' => [\local_mentorassistant\hook_callbacks::class, 'before_footer_html_generation'],
    ],
];
