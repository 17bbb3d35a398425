/**
 * Printing a document the API renders (a receipt, labels, a manifest, a distribution list): the PDF is downloaded
 * with the session's token (a plain link could not send it) and opened in a new tab, where the browser's viewer
 * prints it. The tab is opened inside the click, before the download: browsers block a window opened later.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiBlob, type RequestOptions } from './api';
import { errorText } from './field-errors';

export function usePrintPdf() {
  const { t } = useTranslation();
  const [printing, setPrinting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const print = async (path: string, query?: RequestOptions['query']) => {
    setPrinting(path);
    setError(null);
    const tab = window.open('', '_blank');
    try {
      const pdf = await apiBlob(path, { query });
      const url = URL.createObjectURL(pdf);
      if (tab) tab.location.href = url;
      else window.location.href = url;
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (failure) {
      tab?.close();
      setError(errorText(failure, t));
    } finally {
      setPrinting(null);
    }
  };

  /** Whether this document (or, without a path, any) is being downloaded. */
  const isPrinting = (path?: string) => (path ? printing === path : printing !== null);
  return { print, isPrinting, error };
}
