<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Token renewal for a page kept open past the token's lifetime: the widget POSTs here (with
 * the page's sesskey and Moodle's cookies) and gets a fresh token for the same grant, decided
 * again now (an unenrolled learner gets none).
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

define('AJAX_SCRIPT', true);
define('NO_DEBUG_DISPLAY', true);

require(__DIR__ . '/../../config.php');

$courseid = required_param('courseid', PARAM_INT);
$course = get_course($courseid);
if ($course->id == SITEID) {
    require_login(null, false, null, false, true);
} else {
    require_login($course, false, null, false, true);
}
require_sesskey();

$config = get_config('local_mentorassistant');
$grant = \local_mentorassistant\access::configured($config)
    ? \local_mentorassistant\access::grant($course, $config) : null;
header('Cache-Control: no-store');
header('Content-Type: application/json; charset=utf-8');
if ($grant === null) {
    http_response_code(403);
    echo json_encode(['error' => get_string('notoken', 'local_mentorassistant')]);
    die();
}
echo json_encode(\local_mentorassistant\access::token($grant, $config));
