/**
 * A signature (or a thumbprint pressed onto the glass) drawn with a finger or a stylus on the touch screen, through
 * signature_pad (smooth strokes, pointer events, a pen that thins with speed). What leaves the device is a small
 * PNG: the strokes are redrawn onto a fixed 600 × 200 canvas, whatever the screen's size and pixel ratio, so a
 * phone with a 3× screen does not send a 3× image (the API takes at most 64 KiB).
 */
import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import SignaturePadLib from 'signature_pad';

export const SIGNATURE_SIZE = { width: 600, height: 200 };

/** The PNG of the strokes at the fixed export size, base64 without the data: prefix. */
function exportPng(pad: SignaturePadLib, drawn: HTMLCanvasElement): string {
  const canvas = document.createElement('canvas');
  canvas.width = SIGNATURE_SIZE.width;
  canvas.height = SIGNATURE_SIZE.height;
  const copy = new SignaturePadLib(canvas, { backgroundColor: 'rgb(255,255,255)', penColor: 'rgb(0,0,0)' });
  const scale = SIGNATURE_SIZE.width / drawn.getBoundingClientRect().width;
  copy.fromData(
    pad.toData().map((group) => ({
      ...group,
      minWidth: group.minWidth * scale,
      maxWidth: group.maxWidth * scale,
      points: group.points.map((point) => ({ ...point, x: point.x * scale, y: point.y * scale })),
    })),
  );
  const url = copy.toDataURL('image/png');
  copy.off();
  return url.slice(url.indexOf(',') + 1);
}

export function SignaturePad({
  label,
  onChange,
  error,
  testId = 'signature',
}: {
  label: string;
  onChange: (png: string | null) => void;
  error?: string | null;
  testId?: string;
}) {
  const { t } = useTranslation();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const padRef = useRef<SignaturePadLib | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const pad = new SignaturePadLib(canvas, { penColor: 'rgb(0,0,0)', minWidth: 1, maxWidth: 3 });
    padRef.current = pad;
    // Sized to the element in device pixels, so the strokes are sharp; a resize clears the canvas (its pixels
    // are lost), so the strokes are kept and drawn again.
    const resize = () => {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const strokes = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext('2d')?.scale(ratio, ratio);
      pad.fromData(strokes);
    };
    resize();
    const ended = () => changed.current(pad.isEmpty() ? null : exportPng(pad, canvas));
    pad.addEventListener('endStroke', ended);
    const observer = new ResizeObserver(resize);
    observer.observe(canvas);
    return () => {
      observer.disconnect();
      pad.removeEventListener('endStroke', ended);
      pad.off();
      padRef.current = null;
    };
  }, []);

  const clear = () => {
    padRef.current?.clear();
    onChange(null);
  };

  return (
    <Stack gap={4}>
      <Text component="label" htmlFor={`${testId}-canvas`} fw={500} size="sm">
        {label}
      </Text>
      <Paper withBorder radius="sm" style={{ borderColor: error ? 'var(--mantine-color-red-8)' : undefined }}>
        <canvas
          id={`${testId}-canvas`}
          ref={canvasRef}
          data-testid={testId}
          aria-label={label}
          style={{ display: 'block', width: '100%', height: 180, touchAction: 'none', cursor: 'crosshair' }}
        />
      </Paper>
      <Group justify="space-between">
        <Text size="xs" c={error ? 'red.8' : 'dimmed'} role={error ? 'alert' : undefined}>
          {error ?? t('signature.hint')}
        </Text>
        <Button variant="subtle" size="compact-sm" onClick={clear} data-testid={`${testId}-clear`}>
          {t('signature.clear')}
        </Button>
      </Group>
    </Stack>
  );
}
