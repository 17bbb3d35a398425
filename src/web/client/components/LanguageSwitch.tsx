import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isLang, LANG_NAMES, LANGS } from '../i18n';

/** Қазақша / Русский / English, always visible: a coordinator hands the tablet to whoever reads best. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('nav.language')}
      value={isLang(i18n.language) ? i18n.language : 'kk'}
      onChange={(lang) => void i18n.changeLanguage(lang)}
      data={LANGS.map((lang) => ({ value: lang, label: <span lang={lang}>{LANG_NAMES[lang]}</span> }))}
    />
  );
}
