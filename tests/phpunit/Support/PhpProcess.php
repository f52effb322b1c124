<?php

namespace AcronisCloud\Tests\Support;

/** Runs a PHP snippet in a new process with the extension loaded (fork and crash tests). */
final class PhpProcess
{
    /** @return array{exit:int, stdout:string, stderr:string} */
    public static function run(string $code, array $env = [], int $timeout = 60): array
    {
        $ext = getenv('ACRONISCLOUD_EXT') ?: dirname(__DIR__, 3) . '/target/release/libacroniscloud.so';
        $file = tempnam(sys_get_temp_dir(), 'acl-php-') . '.php';
        file_put_contents($file, $code);
        $cmd = ['timeout', (string) $timeout, PHP_BINARY, '-d', 'extension=' . $ext, $file];
        $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, array_merge(getenv(), $env));
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $exit = proc_close($p);
        @unlink($file);
        return ['exit' => $exit, 'stdout' => (string) $stdout, 'stderr' => (string) $stderr];
    }
}
