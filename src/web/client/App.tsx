/** Routes: the sign-in page for visitors; every other screen inside the layout, for a signed-in user. */
import { Center, Loader } from '@mantine/core';
import { lazy, type ReactNode, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Layout } from './components/Layout';
import { useAuth } from './lib/auth';
import { SignIn } from './screens/SignIn';

const Home = lazy(() => import('./screens/Home'));
const Stock = lazy(() => import('./screens/Stock'));
const Ledger = lazy(() => import('./screens/Ledger'));
const ReceiveDonation = lazy(() => import('./screens/ReceiveDonation'));
const DonationView = lazy(() => import('./screens/DonationView'));
const Donations = lazy(() => import('./screens/Donations'));
const Queue = lazy(() => import('./screens/Queue'));
const Counts = lazy(() => import('./screens/Counts'));
const CountSheet = lazy(() => import('./screens/CountSheet'));

function Waiting() {
  return (
    <Center py="xl">
      <Loader aria-label="…" />
    </Center>
  );
}

function Private({ children }: { children: ReactNode }) {
  const { me, checking } = useAuth();
  const location = useLocation();
  if (checking) return <Waiting />;
  if (!me) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return (
    <Layout>
      <Suspense fallback={<Waiting />}>{children}</Suspense>
    </Layout>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route
        path="/"
        element={
          <Private>
            <Home />
          </Private>
        }
      />
      <Route
        path="/stock"
        element={
          <Private>
            <Stock />
          </Private>
        }
      />
      <Route
        path="/stock/ledger/:balanceId"
        element={
          <Private>
            <Ledger />
          </Private>
        }
      />
      <Route
        path="/donations"
        element={
          <Private>
            <Donations />
          </Private>
        }
      />
      <Route
        path="/donations/new"
        element={
          <Private>
            <ReceiveDonation />
          </Private>
        }
      />
      <Route
        path="/donations/:id"
        element={
          <Private>
            <DonationView />
          </Private>
        }
      />
      <Route
        path="/queue"
        element={
          <Private>
            <Queue />
          </Private>
        }
      />
      <Route
        path="/counts"
        element={
          <Private>
            <Counts />
          </Private>
        }
      />
      <Route
        path="/counts/:id"
        element={
          <Private>
            <CountSheet />
          </Private>
        }
      />
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
