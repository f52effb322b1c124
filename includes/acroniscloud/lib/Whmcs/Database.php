<?php
/**
 * The WHMCS database as the acroniscloud extension uses it: one statement at a time over the
 * PDO of WHMCS's own Capsule connection, so the module opens no connection of its own and
 * uses exactly WHMCS's connection settings. The extension sends SQL with `?` placeholders and
 * the parameters as JSON; the answer is JSON too. No exception leaves this class: a driver
 * error is answered as {"error": {"sqlstate", "code", "message"}}, which the extension turns
 * into its own error (deadlocks are retried there). Transactions go through the Laravel
 * connection so they nest (savepoints) inside a transaction the caller already opened.
 */

namespace AcronisCloud\Whmcs;

use PDO;

final class Database
{
    /** @var PDO */
    private $pdo;
    /** @var \Illuminate\Database\ConnectionInterface|null WHMCS's connection, for nested transactions */
    private $connection;

    /** `$connection`: the Laravel connection that owns `$pdo`, when there is one. */
    public function __construct(PDO $pdo, $connection = null)
    {
        $this->pdo = $pdo;
        $this->connection = $connection;
    }

    /** The adapter over WHMCS's default connection. */
    public static function whmcs(): self
    {
        $connection = \WHMCS\Database\Capsule::connection();
        return new self($connection->getPdo(), $connection);
    }

    /** PDO driver name: "mysql" or "sqlite". */
    public function driver(): string
    {
        try {
            return (string) $this->pdo->getAttribute(PDO::ATTR_DRIVER_NAME);
        } catch (\Throwable $e) {
            return '';
        }
    }

    /** Runs one operation: query | execute | insert | begin | commit | rollback. */
    public function run(string $op, string $sql, string $params): string
    {
        try {
            return $this->answer($this->dispatch($op, $sql, $params));
        } catch (\PDOException $e) {
            $info = $e->errorInfo ?? [];
            return $this->answer(['error' => [
                'sqlstate' => (string) ($info[0] ?? $e->getCode()),
                'code' => (int) ($info[1] ?? 0),
                'message' => (string) ($info[2] ?? $e->getMessage()),
            ]]);
        } catch (\Throwable $e) {
            return $this->answer(['error' => ['sqlstate' => '', 'code' => 0, 'message' => $e->getMessage()]]);
        }
    }

    private function dispatch(string $op, string $sql, string $params): array
    {
        switch ($op) {
            case 'begin':
                $this->connection ? $this->connection->beginTransaction() : $this->pdo->beginTransaction();
                return ['ok' => true];
            case 'commit':
                $this->connection ? $this->connection->commit() : $this->pdo->commit();
                return ['ok' => true];
            case 'rollback':
                if ($this->connection ? $this->connection->transactionLevel() > 0 : $this->pdo->inTransaction()) {
                    $this->connection ? $this->connection->rollBack() : $this->pdo->rollBack();
                }
                return ['ok' => true];
        }
        $statement = $this->statement($sql, $params);
        switch ($op) {
            case 'query':
                $columns = [];
                for ($i = 0; $i < $statement->columnCount(); $i++) {
                    $columns[] = (string) ($statement->getColumnMeta($i)['name'] ?? $i);
                }
                return ['columns' => $columns, 'rows' => $statement->fetchAll(PDO::FETCH_NUM)];
            case 'execute':
                return ['count' => $statement->rowCount()];
            case 'insert':
                return ['id' => (int) $this->pdo->lastInsertId()];
        }
        return ['error' => ['sqlstate' => '', 'code' => 0, 'message' => "Unknown database operation \"$op\"."]];
    }

    private function statement(string $sql, string $params): \PDOStatement
    {
        $this->pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
        $statement = $this->pdo->prepare($sql);
        $values = json_decode($params, true);
        foreach (is_array($values) ? array_values($values) : [] as $i => $value) {
            $type = is_int($value) ? PDO::PARAM_INT : ($value === null ? PDO::PARAM_NULL : PDO::PARAM_STR);
            $statement->bindValue($i + 1, is_float($value) ? (string) $value : $value, $type);
        }
        $statement->execute();
        return $statement;
    }

    private function answer(array $answer): string
    {
        $json = json_encode($answer, JSON_INVALID_UTF8_SUBSTITUTE | JSON_PRESERVE_ZERO_FRACTION);
        return $json === false ? '{"error":{"sqlstate":"","code":0,"message":"The answer could not be encoded."}}' : $json;
    }
}
