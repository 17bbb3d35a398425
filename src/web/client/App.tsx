/** Routes: the sign-in page for visitors; every other screen inside the layout, for a signed-in user. */
import { Center, Loader } from '@mantine/core';
import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';
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
const Shipments = lazy(() => import('./screens/Shipments'));
const ShipmentPlan = lazy(() => import('./screens/ShipmentPlan'));
const ShipmentView = lazy(() => import('./screens/ShipmentView'));
const ShipmentReceive = lazy(() => import('./screens/ShipmentReceive'));

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

/** Every signed-in screen: its path and the screen (each loaded when first opened). */
const SCREENS: [path: string, Screen: ComponentType][] = [
  ['/', Home],
  ['/stock', Stock],
  ['/stock/ledger/:balanceId', Ledger],
  ['/donations', Donations],
  ['/donations/new', ReceiveDonation],
  ['/donations/:id', DonationView],
  ['/queue', Queue],
  ['/counts', Counts],
  ['/counts/:id', CountSheet],
  ['/shipments', Shipments],
  ['/shipments/new', ShipmentPlan],
  ['/shipments/:id', ShipmentView],
  ['/shipments/:id/receive', ShipmentReceive],
];

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      {SCREENS.map(([path, Screen]) => (
        <Route
          key={path}
          path={path}
          element={
            <Private>
              <Screen />
            </Private>
          }
        />
      ))}
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
