<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * The external service the assistant's sync uses: exactly the read functions it calls
 * (ingest/moodle/sync.py, FUNCTIONS; a test checks that both lists agree), plus file
 * downloads. An administrator creates a service account and a token for this service.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

$services = [
    'Mentor assistant sync' => [
        'shortname' => 'local_mentorassistant_sync',
        'functions' => [
            'core_webservice_get_site_info',
            'core_course_get_courses_by_field',
            'core_course_get_contents',
            'core_course_get_course_module',
            'mod_glossary_get_entries_by_letter',
            'mod_page_get_pages_by_courses',
            'mod_book_get_books_by_courses',
            'mod_glossary_get_glossaries_by_courses',
            'mod_resource_get_resources_by_courses',
            'mod_folder_get_folders_by_courses',
            'mod_url_get_urls_by_courses',
            'mod_label_get_labels_by_courses',
            'mod_scorm_get_scorms_by_courses',
        ],
        'restrictedusers' => 0,
        'enabled' => 1,
        'downloadfiles' => 1,
        'uploadfiles' => 0,
    ],
];
