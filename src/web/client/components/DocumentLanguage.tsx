/** The language a printed document is rendered in: the interface's by default, any of kk, ru, en on request. */
import { SegmentedControl } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isLang, LANG_NAMES, LANGS, type Lang } from '../i18n';

export function useDocumentLang(): [Lang, (lang: Lang) => void] {
  const { i18n } = useTranslation();
  return useState<Lang>(isLang(i18n.language) ? i18n.language : 'kk');
}

export function DocumentLanguage({ value, onChange }: { value: Lang; onChange: (lang: Lang) => void }) {
  const { t } = useTranslation();
  return (
    <SegmentedControl
      aria-label={t('donation.receiptLanguage')}
      value={value}
      onChange={(next) => isLang(next) && onChange(next)}
      data={LANGS.map((lang) => ({ value: lang, label: LANG_NAMES[lang] }))}
    />
  );
}
