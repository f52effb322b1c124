<?php

/** Minimal admin-area language facade; same behaviour as \Lang. */
class AdminLang extends Lang
{
    protected static $language = 'english';
}
