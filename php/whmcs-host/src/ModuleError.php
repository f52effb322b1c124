<?php
declare(strict_types=1);

namespace WhmcsHost;

/** A module callback reported failure (non-"success" string); carries the command result. */
final class ModuleError extends \RuntimeException
{
    /** @var mixed */
    public $result;

    public function __construct(string $message, $result)
    {
        parent::__construct($message);
        $this->result = $result;
    }
}
