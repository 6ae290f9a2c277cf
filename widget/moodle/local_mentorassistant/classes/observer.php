<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

use core\event\base;
use local_mentorassistant\task\notify_change;

/**
 * Turns course events into queued notifications for the assistant service.
 *
 * Nothing is sent here: the event is saved as an ad-hoc task and cron sends it, so a
 * teacher's save never waits on the service, nor fails when it is down (the task retries).
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class observer {
    /**
     * The course itself or one of its sections: the service re-reads the whole course.
     *
     * @param base $event
     */
    public static function course_changed(base $event): void {
        self::queue($event, (int) $event->courseid, null);
    }

    /**
     * A course module was created, updated or deleted: its id is the event's object.
     *
     * @param base $event
     */
    public static function module_changed(base $event): void {
        self::queue($event, (int) $event->courseid, (int) $event->objectid);
    }

    /**
     * Something inside a module (a book chapter, a glossary entry): the module is re-read.
     *
     * @param base $event
     */
    public static function content_changed(base $event): void {
        self::queue($event, (int) $event->courseid, (int) $event->contextinstanceid);
    }

    /**
     * Queues one notification; identical ones still waiting are merged by Moodle.
     *
     * @param base $event
     * @param int $courseid
     * @param int|null $cmid
     */
    private static function queue(base $event, int $courseid, ?int $cmid): void {
        if ($courseid <= 0 || $courseid == SITEID || !notifier::configured()) {
            return;
        }
        $task = new notify_change();
        $task->set_custom_data([
            'event' => $event->eventname,
            'courseid' => $courseid,
            'cmid' => $cmid,
        ]);
        \core\task\manager::queue_adhoc_task($task, true);
    }
}
