<?php
// This file is part of mentor-assistant - https://mentor.gouv.fr
// SPDX-License-Identifier: EUPL-1.2

namespace local_mentorassistant;

/**
 * Calls from Moodle's server to the assistant service, each signed with the shared secret.
 *
 * @package    local_mentorassistant
 * @license    https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12 EUPL-1.2
 */
class service_client {
    /** Lifetime of the tokens signed for one call. */
    const CALL_TTL = 60;

    /** @var \stdClass the plugin's settings */
    private $config;

    /**
     * @param \stdClass $config the plugin's settings
     */
    public function __construct(\stdClass $config) {
        $this->config = $config;
    }

    /**
     * GET /api/health, without a token.
     *
     * @return array [int http status (0: unreachable), string detail]
     */
    public function health(): array {
        return $this->request('GET', '/api/health', null, null);
    }

    /**
     * GET /api/connection with a token like the pages carry: does the service accept our
     * signature, audience and issuer?
     *
     * @param string $token
     * @return array [int http status, string detail]
     */
    public function check(string $token): array {
        return $this->request('GET', '/api/connection', $token, null);
    }

    /**
     * POST /api/privacy/erasure: the service deletes the user's conversations and feedback.
     *
     * @param int $userid
     * @throws \moodle_exception when the service did not confirm it, so the request is retried
     */
    public function erase(int $userid): void {
        // Never configured: nothing of this user ever reached a service.
        if (empty($this->config->serviceurl)) {
            return;
        }
        $pseudonym = token::pseudonym($userid, (string) ($this->config->pseudonymsalt ?? ''));
        $token = token::mint($this->config->secret, [
            'sub' => 'moodle-privacy',
            'session_ids' => [],
            'role' => 'support',
            'aud' => $this->config->audience ?: 'mentor-assistant',
            'iss' => access::issuer($this->config),
        ], self::CALL_TTL);
        [$status, $detail] = $this->request('POST', '/api/privacy/erasure', $token,
            ['user_id' => $pseudonym]);
        if ($status !== 200) {
            throw new \moodle_exception('erasurefailed', 'local_mentorassistant', '',
                (object) ['status' => $status, 'detail' => $detail]);
        }
    }

    /**
     * One call; never throws for a network failure (status 0).
     *
     * @param string $method GET | POST
     * @param string $path
     * @param string|null $token
     * @param array|null $body JSON body
     * @return array [int http status, string body or error]
     */
    private function request(string $method, string $path, ?string $token, ?array $body): array {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        $curl = new \curl();
        $headers = ['Accept: application/json'];
        if ($token !== null) {
            $headers[] = 'Authorization: Bearer ' . $token;
        }
        if ($body !== null) {
            $headers[] = 'Content-Type: application/json';
        }
        $curl->setHeader($headers);
        $url = rtrim((string) $this->config->serviceurl, '/') . $path;
        $options = ['CURLOPT_TIMEOUT' => 20, 'CURLOPT_CONNECTTIMEOUT' => 5];
        $response = $method === 'POST'
            ? $curl->post($url, json_encode($body), $options)
            : $curl->get($url, [], $options);
        if ($curl->get_errno() || $curl->error) {
            return [0, (string) ($curl->error ?: $response)];
        }
        return [(int) ($curl->get_info()['http_code'] ?? 0), (string) $response];
    }
}
