/** Scans a barcode or QR code with the device's camera (ZXing), in a modal; loaded on demand. */
import { Alert, Modal } from '@mantine/core';
import { BrowserMultiFormatReader, type IScannerControls } from '@zxing/browser';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export default function CameraScanner({ onScan, onClose }: { onScan: (code: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [unavailable, setUnavailable] = useState(false);

  useEffect(() => {
    if (!navigator.mediaDevices?.getUserMedia) {
      setUnavailable(true);
      return;
    }
    let controls: IScannerControls | undefined;
    let stopped = false;
    const reader = new BrowserMultiFormatReader();
    const element = video.current;
    if (!element) return;
    reader
      .decodeFromConstraints({ video: { facingMode: 'environment' } }, element, (result, _error, ctl) => {
        if (result && !stopped) {
          stopped = true;
          ctl.stop();
          onScan(result.getText());
        }
      })
      .then((started) => {
        controls = started;
        if (stopped) started.stop();
      })
      .catch(() => setUnavailable(true));
    return () => {
      stopped = true;
      controls?.stop();
    };
  }, [onScan]);

  return (
    <Modal opened onClose={onClose} title={t('scan.cameraTitle')} closeButtonProps={{ 'aria-label': t('scan.close') }}>
      {unavailable ? (
        <Alert color="orange">{t('scan.cameraUnavailable')}</Alert>
      ) : (
        <video ref={video} style={{ width: '100%' }} muted playsInline />
      )}
    </Modal>
  );
}
