<?php
/**
 * The HTTP side of the module's JSON endpoints (admin API, client-area API) and redirects:
 * what a request carries, read from PHP's superglobals, and how an answer of the extension
 * (`status`, `headers`, `body`) is sent. Sending ends the request so WHMCS adds no layout.
 */

namespace AcronisCloud\Whmcs;

final class Request
{
    /** A query-string parameter as text ('' when absent). */
    public static function query(string $name): string
    {
        $value = $_GET[$name] ?? '';
        return is_scalar($value) ? (string) $value : '';
    }

    /** A query-string parameter as a number (0 when absent or not a number). */
    public static function queryInt(string $name): int
    {
        return (int) self::query($name);
    }

    /**
     * The request for the extension's API dispatcher. Form posts without a raw body are passed
     * on as JSON (`$formAsJson`, the client area; the CSRF token field left out) or as the
     * urlencoded form (the admin area, which reads the token itself).
     */
    public static function api(string $action, bool $formAsJson): array
    {
        $post = $_POST;
        $request = [
            // No REQUEST_METHOD outside a web server (CLI emulation): a POST is what carries data.
            'method' => (string) ($_SERVER['REQUEST_METHOD'] ?? ($formAsJson && $post !== [] ? 'POST' : 'GET')),
            'action' => $action,
            'query' => $_GET,
            'content_type' => (string) ($_SERVER['CONTENT_TYPE'] ?? ''),
            'body' => (string) file_get_contents('php://input'),
        ];
        if ($formAsJson) {
            unset($post['token']);
        }
        if (trim($request['body']) === '' && $post !== []) {
            $request['body'] = $formAsJson ? (string) json_encode($post) : http_build_query($post);
            $request['content_type'] = $formAsJson ? 'application/json' : 'application/x-www-form-urlencoded';
        }
        return $request;
    }

    /** The CSRF token WHMCS expects in this session ('' outside WHMCS). */
    public static function csrfExpected(): string
    {
        return function_exists('generate_token') ? (string) generate_token('plain') : '';
    }

    /** The CSRF token the request carries (header, else form field). */
    public static function csrfGiven(): string
    {
        return (string) ($_SERVER['HTTP_X_CSRF_TOKEN'] ?? $_POST['token'] ?? '');
    }

    /**
     * Sends an answer of the extension and ends the request. `$discardOutput` drops what
     * WHMCS already buffered (its page layout); `$headers` are added to the answer's own.
     */
    public static function send(array $answer, bool $discardOutput, array $headers = []): void
    {
        if ($discardOutput) {
            self::discardOutput();
        }
        http_response_code((int) $answer['status']);
        foreach (array_merge((array) $answer['headers'], $headers) as [$name, $value]) {
            header("$name: $value");
        }
        echo (string) $answer['body'];
        exit;
    }

    /** Redirects (303 See Other) to `$target` and ends the request. */
    public static function redirect(string $target): void
    {
        self::discardOutput();
        http_response_code(303);
        header('Location: ' . $target);
        exit;
    }

    /** JSON for a `<script>` element (`<`, `>`, `&` and quotes hex-escaped). */
    public static function scriptJson($value): string
    {
        return (string) json_encode($value, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES);
    }

    private static function discardOutput(): void
    {
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
    }
}
