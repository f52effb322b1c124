<?php
/**
 * The WHMCS module log ("System Logs > Module Log") as the module writes it: every entry names
 * the request, the module file and callback being run and the type of call
 * (docs/behaviour.md §H.1). What is logged is masked by the extension before it gets here.
 */

namespace AcronisCloud\Whmcs;

use WHMCS\Database\Capsule;

final class ModuleLog
{
    /** @var array{0: string, 1: string} module file and callback being run */
    private static $call = ['hooks', ''];

    /** Records which callback runs (`$module` servers|addons|hooks, `$function` its name). */
    public static function enter(string $module, string $function): void
    {
        self::$call = [$module, $function];
    }

    /** @return array{0: string, 1: string} the callback being run */
    public static function call(): array
    {
        return self::$call;
    }

    /** One module-log entry of type `$typeOfCall` ("WHMCS API", "Database query", …). */
    public static function write(string $typeOfCall, string $request, string $response = ''): void
    {
        logModuleCall('acroniscloud', self::action($typeOfCall), $request, $response, '', []);
    }

    /** The entry's action text: request id, module, function and type of call. */
    public static function action(string $typeOfCall): string
    {
        [$module, $function] = self::$call;
        return 'Request ID: ' . \AcronisCloud\Logger::requestId() . " | Module: $module | Function: $function | Type of call: $typeOfCall";
    }

    /**
     * Logs every query run while module code runs ("Database query" scope), bindings masked.
     * Capsule's query log is used because WHMCS's Capsule may have no event dispatcher;
     * entries are written at the end of the request.
     */
    public static function logQueries(): void
    {
        $connection = Capsule::connection();
        $connection->enableQueryLog();
        register_shutdown_function(static function () use ($connection): void {
            $queries = $connection->getQueryLog();
            $connection->disableQueryLog();
            foreach ($queries as $query) {
                // The module log's own writes are not logged (they would log themselves forever).
                if (stripos($query['query'], 'tblmodulelog') !== false) {
                    continue;
                }
                $bindings = \AcronisCloud\Logger::maskQueryBindings($query['query'], array_values($query['bindings']));
                self::write('Database query', (string) json_encode(['query' => $query['query'], 'bindings' => $bindings], JSON_UNESCAPED_SLASHES));
            }
        });
    }
}
