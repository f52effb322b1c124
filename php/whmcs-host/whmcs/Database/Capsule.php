<?php

namespace WHMCS\Database;

/**
 * WHMCS's database facade: Laravel's Capsule manager with a global instance
 * booted by init.php (see WhmcsHost\Bootstrap).
 */
class Capsule extends \Illuminate\Database\Capsule\Manager
{
}
