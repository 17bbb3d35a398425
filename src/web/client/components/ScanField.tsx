/**
 * A field a handheld scanner types into (the scan ends with Enter), with a button that scans with the phone's
 * camera instead. The camera code (ZXing) loads only when the button is pressed.
 */
import { ActionIcon, TextInput } from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';

const CameraScanner = lazy(() => import('./CameraScanner'));

export function ScanField({
  label,
  description,
  onScan,
  testId,
}: {
  label: string;
  description?: string;
  onScan: (code: string) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const [camera, setCamera] = useState(false);
  return (
    <>
      <TextInput
        label={label}
        description={description}
        value={value}
        data-testid={testId}
        autoComplete="off"
        enterKeyHint="done"
        onChange={(event) => setValue(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Enter') return;
          event.preventDefault();
          const code = value.trim();
          setValue('');
          if (code) onScan(code);
        }}
        rightSection={
          <ActionIcon variant="subtle" size="lg" aria-label={t('scan.camera')} onClick={() => setCamera(true)}>
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path
                fill="currentColor"
                d="M4 4h4v2H6v2H4zm12 0h4v4h-2V6h-2zM4 16h2v2h2v2H4zm14 2v-2h2v4h-4v-2zM7 8h2v8H7zm3 0h1v8h-1zm2 0h2v8h-2zm3 0h2v8h-2z"
              />
            </svg>
          </ActionIcon>
        }
      />
      {camera && (
        <Suspense fallback={null}>
          <CameraScanner
            onClose={() => setCamera(false)}
            onScan={(code) => {
              setCamera(false);
              onScan(code);
            }}
          />
        </Suspense>
      )}
    </>
  );
}
