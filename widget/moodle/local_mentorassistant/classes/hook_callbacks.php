<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

/**
 * Moodle 4.4+ hook callbacks (registered in db/hooks.php).
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class hook_callbacks {
    /**
     * Adds the widget's tag at the end of every course page.
     *
     * @param \core\hook\output\before_footer_html_generation $hook
     */
    public static function before_footer_html_generation(
            \core\hook\output\before_footer_html_generation $hook): void {
        $hook->add_html(embed::footer_html());
    }
}
