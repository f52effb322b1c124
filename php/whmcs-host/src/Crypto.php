<?php
declare(strict_types=1);

namespace WhmcsHost;

/**
 * encrypt()/decrypt()/EncryptPassword/DecryptPassword of the emulation.
 * AES-256-CBC, key = SHA-256 of `$cc_encryption_hash`, random IV, HMAC-SHA256
 * over IV+ciphertext. Output: base64(iv . mac . ciphertext). The format is NOT
 * WHMCS's (docs/whmcs-emulation.md "Choices" #6): only round-trips are meaningful.
 */
final class Crypto
{
    private static string $secret = '';

    public static function setSecret(string $secret): void
    {
        self::$secret = $secret;
    }

    private static function keys(): array
    {
        if (self::$secret === '') {
            throw new \RuntimeException('No $cc_encryption_hash configured');
        }
        return [
            hash('sha256', 'enc|' . self::$secret, true),
            hash('sha256', 'mac|' . self::$secret, true),
        ];
    }

    public static function encrypt(string $plain): string
    {
        [$encKey, $macKey] = self::keys();
        $iv = random_bytes(16);
        $cipher = openssl_encrypt($plain, 'aes-256-cbc', $encKey, OPENSSL_RAW_DATA, $iv);
        if ($cipher === false) {
            throw new \RuntimeException('openssl_encrypt failed');
        }
        $mac = hash_hmac('sha256', $iv . $cipher, $macKey, true);
        return base64_encode($iv . $mac . $cipher);
    }

    /** Returns '' for empty or undecryptable input (WHMCS yields garbage/empty there). */
    public static function decrypt(string $encoded): string
    {
        if ($encoded === '') {
            return '';
        }
        [$encKey, $macKey] = self::keys();
        $raw = base64_decode($encoded, true);
        if ($raw === false || strlen($raw) < 16 + 32 + 16) {
            return '';
        }
        $iv = substr($raw, 0, 16);
        $mac = substr($raw, 16, 32);
        $cipher = substr($raw, 48);
        if (!hash_equals(hash_hmac('sha256', $iv . $cipher, $macKey, true), $mac)) {
            return '';
        }
        $plain = openssl_decrypt($cipher, 'aes-256-cbc', $encKey, OPENSSL_RAW_DATA, $iv);
        return $plain === false ? '' : $plain;
    }
}
