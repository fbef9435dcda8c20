import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LiveDrop } from '@blindbox/shared';
import { beijing } from '../../time';

/** Orders placed per time bucket (bars) and units paid so far (line) since the opening: its own chunk. */
export default function LiveDropChart({ drop }: { drop: LiveDrop }) {
  const format = drop.bucketSeconds < 60 ? 'HH:mm:ss' : 'MM-DD HH:mm';
  let paid = 0;
  // Units paid so far at the end of each bucket: the line climbs to what the drop sold.
  const rows = drop.series.map((bucket) => ({ at: beijing(bucket.at).format(format), orders: bucket.orders, sold: (paid += bucket.soldUnits) }));
  return (
    <div data-testid="live-drop-chart" style={{ width: '100%', height: 280 }}>
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="at" minTickGap={24} />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="orders" name={`下单数（每 ${drop.bucketSeconds} 秒）`} fill="#f97316" isAnimationActive={false} />
          <Line dataKey="sold" name="累计付款件数" stroke="#2563eb" dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
