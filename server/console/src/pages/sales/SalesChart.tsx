import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SalesResponse } from '@blindbox/shared';
import { yuan } from '../../money';

/** Revenue and refunds (bars, yuan) and units (line) per Beijing day of payment: its own chunk. */
export default function SalesChart({ days }: { days: SalesResponse['days'] }) {
  const rows = days.map((day) => ({ day: day.day.slice(5), revenue: day.revenueFen / 100, refunds: day.refundsFen / 100, units: day.units }));
  return (
    <div data-testid="sales-chart" style={{ width: '100%', height: 300 }}>
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" minTickGap={16} />
          <YAxis yAxisId="yuan" tickFormatter={(value: number) => `¥${value}`} />
          <YAxis yAxisId="units" orientation="right" allowDecimals={false} />
          <Tooltip formatter={(value, name) => (name === '收入' || name === '退款' ? yuan(Math.round(Number(value) * 100)) : value)} />
          <Legend />
          <Bar yAxisId="yuan" dataKey="revenue" name="收入" fill="#f97316" isAnimationActive={false} />
          <Bar yAxisId="yuan" dataKey="refunds" name="退款" fill="#94a3b8" isAnimationActive={false} />
          <Line yAxisId="units" dataKey="units" name="件数" stroke="#2563eb" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
