<?php
/**
 * The simulator's control API as the soak scripts reach it (php/soak/setup.php, php/soak/driver.php).
 */

declare(strict_types=1);

/** A request to the simulator's control API at $url (never faulted); the decoded JSON answer, null when there is none. */
function soak_control(string $url, string $method = 'GET', ?array $body = null): ?array
{
    $ch = curl_init($url);
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $method, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30]);
    if ($body !== null) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode($body));
        curl_setopt($ch, CURLOPT_HTTPHEADER, ['Content-Type: application/json']);
    }
    $out = json_decode((string) curl_exec($ch), true);
    curl_close($ch);
    return is_array($out) ? $out : null;
}
