import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DashboardResponse } from '@blindbox/shared';
import { yuan } from '../money';

/** Revenue (bars, yuan) and paid orders (line) per Beijing day: its own chunk, loaded with the dashboard only. */
export default function DashboardChart({ series }: { series: DashboardResponse['series'] }) {
  const rows = series.map((day) => ({ day: day.day.slice(5), revenue: day.revenueFen / 100, refunds: day.refundsFen / 100, paid: day.paid, orders: day.orders }));
  return (
    <div data-testid="dashboard-chart" style={{ width: '100%', height: 300 }}>
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" />
          <YAxis yAxisId="yuan" tickFormatter={(value: number) => `¥${value}`} />
          <YAxis yAxisId="count" orientation="right" allowDecimals={false} />
          <Tooltip formatter={(value, name) => (name === '收入' || name === '退款' ? yuan(Math.round(Number(value) * 100)) : value)} />
          <Legend />
          <Bar yAxisId="yuan" dataKey="revenue" name="收入" fill="#f97316" isAnimationActive={false} />
          <Bar yAxisId="yuan" dataKey="refunds" name="退款" fill="#94a3b8" isAnimationActive={false} />
          <Line yAxisId="count" dataKey="paid" name="付款订单" stroke="#2563eb" isAnimationActive={false} />
          <Line yAxisId="count" dataKey="orders" name="下单数" stroke="#16a34a" strokeDasharray="4 2" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
