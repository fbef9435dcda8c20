import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Result } from 'antd';
import { PageLoading } from './components/PageLoading';
import { useSession } from './api/session';
import { errorMessage } from './api/client';
import { AppShell } from './layout/AppShell';
import { LoginPage } from './pages/LoginPage';
import { SetupPage } from './pages/SetupPage';

// One chunk per page: the login page does not load the tables, the chart loads with the dashboard only.
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const OrdersPage = lazy(() => import('./pages/orders/OrdersPage'));
const OrderDetailPage = lazy(() => import('./pages/orders/OrderDetailPage'));
const ShippingPage = lazy(() => import('./pages/shipping/ShippingPage'));
const BillsPage = lazy(() => import('./pages/bills/BillsPage'));
const BillDetailPage = lazy(() => import('./pages/bills/BillDetailPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const StaffPage = lazy(() => import('./pages/staff/StaffPage'));
const SeriesListPage = lazy(() => import('./pages/catalog/SeriesListPage'));
const SeriesEditorPage = lazy(() => import('./pages/catalog/SeriesEditorPage'));
const StockPage = lazy(() => import('./pages/catalog/StockPage'));
const DropsPage = lazy(() => import('./pages/drops/DropsPage'));
const LiveDropPage = lazy(() => import('./pages/drops/LiveDropPage'));
const SetsPage = lazy(() => import('./pages/sets/SetsPage'));
const CouponsPage = lazy(() => import('./pages/coupons/CouponsPage'));
const SalesPage = lazy(() => import('./pages/sales/SalesPage'));
const ComplaintsPage = lazy(() => import('./pages/complaints/ComplaintsPage'));
const ComplaintDetailPage = lazy(() => import('./pages/complaints/ComplaintDetailPage'));

/** Pages inside the shell need a session whose setup (password change, TOTP) is done. */
function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <PageLoading />;
  if (session.isError) return <Result status="error" title="无法加载登录状态" subTitle={errorMessage(session.error)} />;
  if (!session.data) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  const { staff } = session.data;
  if (staff.passwordChangeRequired || staff.totpEnrolmentRequired) return <Navigate to="/setup" replace />;
  return children;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route
        element={
          <RequireSession>
            <AppShell />
          </RequireSession>
        }
      >
        <Route index element={<Lazy page={<DashboardPage />} />} />
        <Route path="orders" element={<Lazy page={<OrdersPage />} />} />
        <Route path="orders/:id" element={<Lazy page={<OrderDetailPage />} />} />
        <Route path="shipping" element={<Lazy page={<ShippingPage />} />} />
        <Route path="bills" element={<Lazy page={<BillsPage />} />} />
        <Route path="bills/:day" element={<Lazy page={<BillDetailPage />} />} />
        <Route path="complaints" element={<Lazy page={<ComplaintsPage />} />} />
        <Route path="complaints/:id" element={<Lazy page={<ComplaintDetailPage />} />} />
        <Route path="audit" element={<Lazy page={<AuditPage />} />} />
        <Route path="staff" element={<Lazy page={<StaffPage />} />} />
        <Route path="catalog" element={<Lazy page={<SeriesListPage />} />} />
        <Route path="catalog/new" element={<Lazy page={<SeriesEditorPage />} />} />
        <Route path="catalog/:slug" element={<Lazy page={<SeriesEditorPage key="edit" />} />} />
        <Route path="catalog/:slug/stock" element={<Lazy page={<StockPage />} />} />
        <Route path="drops" element={<Lazy page={<DropsPage />} />} />
        <Route path="drops/:boxId" element={<Lazy page={<LiveDropPage />} />} />
        <Route path="sets" element={<Lazy page={<SetsPage />} />} />
        <Route path="coupons" element={<Lazy page={<CouponsPage />} />} />
        <Route path="sales" element={<Lazy page={<SalesPage />} />} />
        <Route path="*" element={<Result status="404" title="页面不存在" />} />
      </Route>
    </Routes>
  );
}

function Lazy({ page }: { page: ReactNode }) {
  return <Suspense fallback={<PageLoading />}>{page}</Suspense>;
}
