import { type CSSVariablesResolver, createTheme } from '@mantine/core';

/**
 * Large touch targets (people use Asar standing, with gloves, on a phone) and contrast that passes WCAG AA in a
 * bright warehouse: the primary colour one shade darker than Mantine's default, dimmed text darker than its gray.6.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  defaultRadius: 'md',
  // A screen's title fits a phone's width in Kazakh, whose words run long.
  headings: { sizes: { h1: { fontSize: 'clamp(1.5rem, 6vw, 2.125rem)' } } },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif',
  components: {
    // A label that does not fit (Russian and Kazakh run long on a phone) wraps onto a second line, never cut off.
    Button: {
      defaultProps: { size: 'md' },
      styles: {
        root: { height: 'auto', minHeight: 'var(--button-height)', paddingBlock: 'var(--mantine-spacing-xs)' },
        label: { whiteSpace: 'normal', textAlign: 'center', overflow: 'visible' },
      },
    },
    // A badge (a status, a vulnerability, days left) is never cut short to an ellipsis: Mantine clips it, which lets a
    // row or a table cell squeeze it to "ЧЕР…" on a phone; unclipped, its label is its minimum width and the text
    // beside it wraps instead.
    Badge: { styles: { root: { overflow: 'visible' }, label: { overflow: 'visible' } } },
    TextInput: { defaultProps: { size: 'md' } },
    PasswordInput: { defaultProps: { size: 'md' } },
    Select: { defaultProps: { size: 'md' } },
  },
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': '#495057' },
  dark: {},
});
