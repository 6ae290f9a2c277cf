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
    $ADMIN->add('localplugins', new admin_externalpage('local_mentorassistant_testconnection',
        get_string('testconnection', 'local_mentorassistant'),
        new moodle_url('/local/mentorassistant/testconnection.php'), 'moodle/site:config', true));

    if ($ADMIN->fulltree) {
        // What the service must be told about this Moodle, with this site's values.
        $config = get_config('local_mentorassistant');
        $origin = \local_mentorassistant\embed::origin($CFG->wwwroot);
        $testurl = new moodle_url('/local/mentorassistant/testconnection.php');
        $settings->add(new admin_setting_heading('local_mentorassistant/service',
            get_string('servicesetup', 'local_mentorassistant'),
            get_string('servicesetup_desc', 'local_mentorassistant', (object) [
                'issuer' => s(\local_mentorassistant\access::issuer($config)),
                'origin' => s($origin),
                'testurl' => $testurl->out(),
            ])));

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
            get_string('audience_desc', 'local_mentorassistant'), 'mentor-assistant',
            PARAM_RAW_TRIMMED));

        $settings->add(new admin_setting_configtext('local_mentorassistant/issuer',
            get_string('issuer', 'local_mentorassistant'),
            get_string('issuer_desc', 'local_mentorassistant'), '', PARAM_RAW_TRIMMED));

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

        $settings->add(new admin_setting_configcheckbox('local_mentorassistant/sitepages',
            get_string('sitepages', 'local_mentorassistant'),
            get_string('sitepages_desc', 'local_mentorassistant'), 1));

        $settings->add(new admin_setting_configtext('local_mentorassistant/loginhelpurl',
            get_string('loginhelpurl', 'local_mentorassistant'),
            get_string('loginhelpurl_desc', 'local_mentorassistant'), '', PARAM_URL));

        $settings->add(new admin_setting_configtext('local_mentorassistant/entityfield',
            get_string('entityfield', 'local_mentorassistant'),
            get_string('entityfield_desc', 'local_mentorassistant'), '', PARAM_ALPHANUMEXT));
    }
}
