/** The web front end's entry: providers (i18n, data cache, theme, session, offline queue) and the routes. */
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { setupI18n } from './i18n';
import { ApiError } from './lib/api';
import { AuthProvider } from './lib/auth';
import { OfflineProvider } from './lib/offline';
import { cssVariablesResolver, theme } from './theme';

setupI18n();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Retrying a refusal is pointless; retrying a dropped connection is what a weak network needs.
      retry: (failures, error) => error instanceof ApiError && error.isNetwork && failures < 3,
      // Keep showing what was loaded when the connection drops.
      networkMode: 'always',
    },
  },
});

// The offline app shell (public/sw.js); browsers allow it on HTTPS and localhost only.
if ('serviceWorker' in navigator && window.isSecureContext) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // Without it Asar still works online; only a reload without a connection fails.
    });
  });
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="top-center" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>
            <OfflineProvider>
              <App />
            </OfflineProvider>
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
