<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

/**
 * Course events that change what the assistant knows: each queues a signed notification.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */

defined('MOODLE_INTERNAL') || die();

$observers = [];
foreach ([
    '\core\event\course_created',
    '\core\event\course_updated',
    '\core\event\course_deleted',
    '\core\event\course_restored',
    '\core\event\course_section_created',
    '\core\event\course_section_updated',
    '\core\event\course_section_deleted',
] as $eventname) {
    $observers[] = ['eventname' => $eventname, 'callback' => '\local_mentorassistant\observer::course_changed'];
}
foreach ([
    '\core\event\course_module_created',
    '\core\event\course_module_updated',
    '\core\event\course_module_deleted',
] as $eventname) {
    $observers[] = ['eventname' => $eventname, 'callback' => '\local_mentorassistant\observer::module_changed'];
}
// Events inside a module: its context instance is the course module.
foreach ([
    '\mod_book\event\chapter_created',
    '\mod_book\event\chapter_updated',
    '\mod_book\event\chapter_deleted',
    '\mod_glossary\event\entry_created',
    '\mod_glossary\event\entry_updated',
    '\mod_glossary\event\entry_deleted',
    '\mod_glossary\event\entry_approved',
    '\mod_glossary\event\entry_disapproved',
] as $eventname) {
    $observers[] = ['eventname' => $eventname, 'callback' => '\local_mentorassistant\observer::content_changed'];
}
