<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Site administration > Plugins > Local plugins > Mentor assistant.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

if ($hassiteconfig) {
    $settings = new admin_settingpage('local_mentorassistant',
        get_string('pluginname', 'local_mentorassistant'));
    $ADMIN->add('localplugins', $settings);

    $settings->add(new admin_setting_configcheckbox('local_mentorassistant/enabled',
        get_string('enabled', 'local_mentorassistant'),
        get_string('enabled_desc', 'local_mentorassistant'), 0));

    $settings->add(new admin_setting_configtext('local_mentorassistant/serviceurl',
        get_string('serviceurl', 'local_mentorassistant'),
        get_string('serviceurl_desc', 'local_mentorassistant'), '', PARAM_URL));

    $settings->add(new admin_setting_configpasswordunmask('local_mentorassistant/secret',
        get_string('secret', 'local_mentorassistant'),
        get_string('secret_desc', 'local_mentorassistant'), ''));

    $settings->add(new admin_setting_configtext('local_mentorassistant/audience',
        get_string('audience', 'local_mentorassistant'),
        get_string('audience_desc', 'local_mentorassistant'), 'mentor-assistant', PARAM_RAW_TRIMMED));

    $settings->add(new admin_setting_configduration('local_mentorassistant/ttl',
        get_string('ttl', 'local_mentorassistant'),
        get_string('ttl_desc', 'local_mentorassistant'), HOURSECS));

    $settings->add(new admin_setting_configselect('local_mentorassistant/sessionfield',
        get_string('sessionfield', 'local_mentorassistant'),
        get_string('sessionfield_desc', 'local_mentorassistant'), 'idnumber', [
            'idnumber' => get_string('idnumbercourse'),
            'shortname' => get_string('shortnamecourse'),
            'id' => 'id',
        ]));

    $settings->add(new admin_setting_configselect('local_mentorassistant/mode',
        get_string('mode', 'local_mentorassistant'),
        get_string('mode_desc', 'local_mentorassistant'), 'script', [
            'script' => get_string('mode_script', 'local_mentorassistant'),
            'iframe' => get_string('mode_iframe', 'local_mentorassistant'),
        ]));
}
