<?php
declare(strict_types=1);

namespace WhmcsHost;

/** Wrong command-line usage (runner exit code 2). */
final class UsageError extends \InvalidArgumentException
{
}
