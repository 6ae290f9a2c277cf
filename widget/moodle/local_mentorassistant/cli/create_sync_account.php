<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Creates the assistant's sync account and prints a web-service token for it.
 *
 *     export MENTOR_MOODLE_TOKEN=$(php local/mentorassistant/cli/create_sync_account.php)
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

define('CLI_SCRIPT', true);

require(__DIR__ . '/../../../config.php');
require_once($CFG->libdir . '/clilib.php');

[$options, $unrecognised] = cli_get_params(
    ['username' => 'mentor-sync', 'validuntil' => 0, 'help' => false],
    ['h' => 'help']
);
if ($unrecognised || $options['help']) {
    cli_writeln("Creates the Mentor assistant sync account (web services on, a user, a role,
a token for the 'Mentor assistant sync' service) and prints the token.

Options:
--username=NAME     the account's username (default mentor-sync)
--validuntil=TIME   Unix time the token expires (default 0: never)
-h, --help          this help");
    exit($unrecognised ? 2 : 0);
}

\core\session\manager::set_user(get_admin());
echo \local_mentorassistant\sync_account::create($options['username'], (int) $options['validuntil']) . PHP_EOL;
