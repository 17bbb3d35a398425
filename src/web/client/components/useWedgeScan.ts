import { useEffect, useRef } from 'react';
import { WedgeBuffer } from '../lib/scan';

/**
 * Scans from a keyboard-wedge scanner while no field has the focus (a focused field receives them as typing, and
 * ScanField handles its Enter).
 */
export function useWedgeScan(onScan: (code: string) => void): void {
  const handler = useRef(onScan);
  handler.current = onScan;
  useEffect(() => {
    const buffer = new WedgeBuffer();
    const listener = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      const code = buffer.key(event.key, event.timeStamp);
      if (code) handler.current(code);
    };
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
}
