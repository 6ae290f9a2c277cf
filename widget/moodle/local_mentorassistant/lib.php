<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Legacy callbacks, for Moodle 4.1 to 4.3 (4.4+ uses db/hooks.php).
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

/**
 * Adds the widget's tag at the end of every course page.
 *
 * @return string
 */
function local_mentorassistant_before_footer() {
    return \local_mentorassistant\embed::footer_html();
}
