import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
// The ES build of the locale: the CommonJS one arrives wrapped in `default` under Vite and antd falls back to English.
import zhCN from 'antd/es/locale/zh_CN';
import { ConsoleApiError } from './api/client';
import { storeSession } from './api/session';
import { AppRoutes } from './routes';
import './time';
import './global.css';

function onError(error: unknown): void {
  // Any call that finds the session gone (expired, revoked by the owner) sends the member to the login page.
  if (error instanceof ConsoleApiError && error.isLoggedOut) storeSession(queryClient, null);
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (count, error) => count < 2 && !(error instanceof ConsoleApiError && error.status > 0 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('no #root');
createRoot(root).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: '#c2410c', borderRadius: 6 } }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter basename="/console">
            <AppRoutes />
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
