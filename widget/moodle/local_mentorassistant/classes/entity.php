<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

/**
 * The learner's ministry or entity, for the support desk's routing, as a token claim.
 *
 * By default Mentor attaches agents to their entity from their e-mail domain: the token then
 * carries `entity_domain` (the domain only, never the address), which the service maps with
 * its domain table. A site that keeps the entity in a profile field instead names it in the
 * `entityfield` setting (a user field such as `institution`, or a custom profile field
 * `profile_field_<shortname>`), and the token carries its value as `entity`.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class entity {
    /** Longest claim the service accepts. */
    const MAX_LENGTH = 256;

    /**
     * The entity claims for a user.
     *
     * @param \stdClass $user
     * @param \stdClass $config
     * @return array
     */
    public static function claims(\stdClass $user, \stdClass $config): array {
        $field = trim((string) ($config->entityfield ?? ''));
        if ($field === '') {
            $at = strrpos((string) $user->email, '@');
            $domain = $at === false ? '' : \core_text::strtolower(substr($user->email, $at + 1));
            return $domain === '' ? [] : ['entity_domain' => $domain];
        }
        $value = self::field_value($user, $field);
        return $value === '' ? [] : ['entity' => \core_text::substr($value, 0, self::MAX_LENGTH)];
    }

    /**
     * A standard user field, or a custom profile field named profile_field_<shortname>.
     *
     * @param \stdClass $user
     * @param string $field
     * @return string
     */
    private static function field_value(\stdClass $user, string $field): string {
        global $CFG;
        if (strpos($field, 'profile_field_') === 0) {
            require_once($CFG->dirroot . '/user/profile/lib.php');
            $fields = profile_user_record($user->id, false);
            $name = substr($field, strlen('profile_field_'));
            return trim((string) ($fields->$name ?? ''));
        }
        // Never the e-mail address itself, whatever the setting says.
        if ($field === 'email') {
            return '';
        }
        return trim((string) ($user->$field ?? ''));
    }
}
