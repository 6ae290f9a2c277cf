<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * "Test the connection", linked from the settings page: does the service answer, and does
 * it accept the tokens this Moodle signs (shared secret, audience, issuer)?
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

admin_externalpage_setup('local_mentorassistant_testconnection');

$config = get_config('local_mentorassistant');
$client = new \local_mentorassistant\service_client($config);
$checks = [];
if (empty($config->serviceurl)) {
    $checks[] = [false, get_string('test_noservice', 'local_mentorassistant')];
} else {
    [$status, $detail] = $client->health();
    $reached = $status === 200;
    $checks[] = [$reached, $reached
        ? get_string('test_reached', 'local_mentorassistant', s($config->serviceurl))
        : get_string('test_unreached', 'local_mentorassistant',
            (object) ['url' => s($config->serviceurl), 'detail' => s(shorten_text($detail, 200))])];
    if ($reached) {
        if (strlen((string) ($config->secret ?? '')) < \local_mentorassistant\token::MIN_SECRET_LENGTH) {
            $checks[] = [false, get_string('test_shortsecret', 'local_mentorassistant')];
        } else {
            $signed = \local_mentorassistant\access::token(
                ['role' => 'learner', 'sessionids' => []], $config);
            [$status, $detail] = $client->check($signed['token']);
            $checks[] = [$status === 200, $status === 200
                ? get_string('test_accepted', 'local_mentorassistant')
                : get_string('test_refused', 'local_mentorassistant',
                    (object) ['status' => $status, 'detail' => s(shorten_text($detail, 200))])];
        }
    }
}

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('testconnection', 'local_mentorassistant'));
foreach ($checks as [$ok, $message]) {
    echo $OUTPUT->notification($message,
        $ok ? \core\output\notification::NOTIFY_SUCCESS : \core\output\notification::NOTIFY_ERROR);
}
echo $OUTPUT->continue_button(new moodle_url('/admin/settings.php', ['section' => 'local_mentorassistant']));
echo $OUTPUT->footer();
