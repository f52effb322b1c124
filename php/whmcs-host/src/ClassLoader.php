<?php
declare(strict_types=1);

namespace WhmcsHost;

/**
 * Minimal PSR-4 / PSR-0 / classmap loader with the public surface modules use
 * on the object returned by WHMCS's `vendor/autoload.php`
 * (addPsr4, add, setPsr4, set, addClassMap, register, unregister, loadClass,
 * findFile, getPrefixesPsr4, getPrefixes, getClassMap).
 */
final class ClassLoader
{
    /** @var array<string, string[]> prefix => dirs */
    private array $psr4 = [];
    /** @var array<string, string[]> */
    private array $psr0 = [];
    /** @var array<string, string> */
    private array $classMap = [];
    private bool $registered = false;

    public function addPsr4(string $prefix, $paths, bool $prepend = false): void
    {
        $prefix = ltrim($prefix, '\\');
        if ($prefix !== '' && substr($prefix, -1) !== '\\') {
            throw new \InvalidArgumentException('A non-empty PSR-4 prefix must end with a namespace separator.');
        }
        $paths = array_map(static fn ($p) => rtrim((string) $p, '/'), (array) $paths);
        $current = $this->psr4[$prefix] ?? [];
        $this->psr4[$prefix] = $prepend ? array_merge($paths, $current) : array_merge($current, $paths);
        uksort($this->psr4, static fn ($a, $b) => strlen($b) <=> strlen($a));
    }

    public function setPsr4(string $prefix, $paths): void
    {
        unset($this->psr4[ltrim($prefix, '\\')]);
        $this->addPsr4($prefix, $paths);
    }

    public function add(string $prefix, $paths, bool $prepend = false): void
    {
        $paths = array_map(static fn ($p) => rtrim((string) $p, '/'), (array) $paths);
        $current = $this->psr0[$prefix] ?? [];
        $this->psr0[$prefix] = $prepend ? array_merge($paths, $current) : array_merge($current, $paths);
    }

    public function set(string $prefix, $paths): void
    {
        unset($this->psr0[$prefix]);
        $this->add($prefix, $paths);
    }

    public function addClassMap(array $map): void
    {
        $this->classMap = array_merge($this->classMap, $map);
    }

    public function getPrefixesPsr4(): array
    {
        return $this->psr4;
    }

    public function getPrefixes(): array
    {
        return $this->psr0;
    }

    public function getClassMap(): array
    {
        return $this->classMap;
    }

    public function register(bool $prepend = false): void
    {
        if (!$this->registered) {
            spl_autoload_register([$this, 'loadClass'], true, $prepend);
            $this->registered = true;
        }
    }

    public function unregister(): void
    {
        if ($this->registered) {
            spl_autoload_unregister([$this, 'loadClass']);
            $this->registered = false;
        }
    }

    public function loadClass(string $class): ?bool
    {
        $file = $this->findFile($class);
        if ($file === false) {
            return null;
        }
        (static function (string $__file): void {
            include $__file;
        })($file);
        return true;
    }

    /** @return string|false */
    public function findFile(string $class)
    {
        $class = ltrim($class, '\\');
        if (isset($this->classMap[$class])) {
            return $this->classMap[$class];
        }
        foreach ($this->psr4 as $prefix => $dirs) {
            if ($prefix !== '' && strncmp($class, $prefix, strlen($prefix)) !== 0) {
                continue;
            }
            $relative = str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            foreach ($dirs as $dir) {
                if (is_file($dir . '/' . $relative)) {
                    return $dir . '/' . $relative;
                }
            }
        }
        $psr0Path = str_replace(['\\', '_'], '/', $class) . '.php';
        foreach ($this->psr0 as $prefix => $dirs) {
            if ($prefix !== '' && strncmp($class, $prefix, strlen($prefix)) !== 0) {
                continue;
            }
            foreach ($dirs as $dir) {
                if (is_file($dir . '/' . $psr0Path)) {
                    return $dir . '/' . $psr0Path;
                }
            }
        }
        return false;
    }
}
