<?php

/**
 * Minimal client-area language facade. Only `locale` and
 * `getLocales()` carry meaning; other keys are returned unchanged.
 */
class Lang
{
    protected static $language = 'english';
    protected static $locales = [
        'english' => 'en_GB',
        'german' => 'de_DE',
        'french' => 'fr_FR',
        'spanish' => 'es_ES',
        'italian' => 'it_IT',
        'russian' => 'ru_RU',
        'japanese' => 'ja_JP',
    ];

    public static function setLanguage($language)
    {
        static::$language = $language !== '' ? strtolower($language) : 'english';
    }

    public static function trans($key, array $parameters = [], $domain = null, $locale = null)
    {
        if ($key === 'locale') {
            return static::$locales[static::$language] ?? 'en_GB';
        }
        $text = $key;
        foreach ($parameters as $name => $value) {
            $text = str_replace($name, (string) $value, $text);
        }
        return $text;
    }

    public static function getLocales()
    {
        $out = [];
        foreach (static::$locales as $language => $locale) {
            $out[] = ['language' => $language, 'locale' => $locale, 'languageCode' => substr($locale, 0, 2)];
        }
        return $out;
    }
}
