<?php
declare(strict_types=1);

namespace WhmcsHost\Web;

/** Thrown to end a browser request after a redirect/refusal (not an error). */
final class Halt extends \RuntimeException
{
}
