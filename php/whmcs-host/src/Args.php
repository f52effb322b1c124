<?php
declare(strict_types=1);

namespace WhmcsHost;

/**
 * Command-line arguments: `--key value`, `--key=value`, `--flag` (true when
 * followed by another option or nothing), repeated keys become lists, other
 * tokens are positional. `--` ends option parsing.
 */
final class Args
{
    /** @var string[] */
    public array $positional = [];
    /** @var array<string, string|bool|array<int, string|bool>> */
    public array $options = [];

    /** @param string[] $argv */
    public static function parse(array $argv): self
    {
        $a = new self();
        $n = count($argv);
        $onlyPositional = false;
        for ($i = 0; $i < $n; $i++) {
            $tok = (string) $argv[$i];
            if ($onlyPositional || strncmp($tok, '--', 2) !== 0 || $tok === '--') {
                if ($tok === '--' && !$onlyPositional) {
                    $onlyPositional = true;
                    continue;
                }
                $a->positional[] = $tok;
                continue;
            }
            $name = substr($tok, 2);
            if (strpos($name, '=') !== false) {
                [$name, $value] = explode('=', $name, 2);
            } elseif ($i + 1 < $n && strncmp((string) $argv[$i + 1], '--', 2) !== 0) {
                $value = (string) $argv[++$i];
            } else {
                $value = true;
            }
            if (array_key_exists($name, $a->options)) {
                $prev = $a->options[$name];
                $a->options[$name] = array_merge(is_array($prev) ? $prev : [$prev], [$value]);
            } else {
                $a->options[$name] = $value;
            }
        }
        return $a;
    }

    public function has(string $name): bool
    {
        return array_key_exists($name, $this->options);
    }

    /** @return mixed last value given for the option, or $default */
    public function get(string $name, $default = null)
    {
        if (!array_key_exists($name, $this->options)) {
            return $default;
        }
        $v = $this->options[$name];
        return is_array($v) ? end($v) : $v;
    }

    public function str(string $name, ?string $default = null): ?string
    {
        $v = $this->get($name, $default);
        if ($v === true) {
            return '';
        }
        return $v === null ? null : (string) $v;
    }

    /** @return array<int, string|bool> */
    public function all(string $name): array
    {
        if (!array_key_exists($name, $this->options)) {
            return [];
        }
        $v = $this->options[$name];
        return is_array($v) ? $v : [$v];
    }

    /** JSON-decoded option (object → assoc array). */
    public function json(string $name, $default = null)
    {
        $raw = $this->get($name);
        if ($raw === null) {
            return $default;
        }
        $decoded = json_decode((string) $raw, true);
        if (json_last_error() !== JSON_ERROR_NONE) {
            throw new UsageError(sprintf('--%s: invalid JSON (%s)', $name, json_last_error_msg()));
        }
        return $decoded;
    }

    public function pos(int $i, string $what): string
    {
        if (!isset($this->positional[$i])) {
            throw new UsageError("Missing argument: $what");
        }
        return $this->positional[$i];
    }
}
