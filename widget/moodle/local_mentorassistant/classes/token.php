<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

/**
 * Mints the HS256 JSON Web Token that the assistant service verifies.
 *
 * Written out rather than pulled from a library: HS256 is one HMAC, and the service
 * accepts nothing else (no "none", no RS256), so there is no algorithm choice to get wrong.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class token {
    /** Shortest shared secret the service accepts. */
    const MIN_SECRET_LENGTH = 32;

    /**
     * A signed token with these claims, valid for $ttl seconds.
     *
     * @param string $secret shared with the service (MENTOR_JWT_SECRET), at least 32 characters
     * @param array $claims sub, session_ids, role, aud, iss, ...
     * @param int $ttl lifetime in seconds
     * @param int|null $now for tests
     * @return string
     */
    public static function mint(string $secret, array $claims, int $ttl, ?int $now = null): string {
        $now = $now ?? time();
        $header = ['alg' => 'HS256', 'typ' => 'JWT'];
        $claims += ['iat' => $now, 'exp' => $now + $ttl];
        $signinginput = self::base64url(json_encode($header)) . '.' .
            self::base64url(json_encode($claims, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
        $signature = hash_hmac('sha256', $signinginput, $secret, true);
        return $signinginput . '.' . self::base64url($signature);
    }

    /**
     * A stable id for the user that reveals nothing about them to the service.
     *
     * @param int $userid Moodle user id
     * @param string $salt site-local salt (config pseudonymsalt), never sent anywhere
     * @return string
     */
    public static function pseudonym(int $userid, string $salt): string {
        return 'moodle-' . substr(hash_hmac('sha256', (string) $userid, $salt), 0, 32);
    }

    /**
     * Base64url without padding (RFC 7515, section 2).
     *
     * @param string $data
     * @return string
     */
    private static function base64url(string $data): string {
        return rtrim(strtr(base64_encode($data), '+/', '-_'), '=');
    }
}
