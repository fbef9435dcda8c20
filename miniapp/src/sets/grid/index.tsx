import type { BoxSet, BoxSetList, PositionState } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { ApiError } from '../../api/api-error';
import { api } from '../../api/session';
import { ErrorState, Skeleton } from '../../components/page-state';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { formatFen } from '@blindbox/shared/src/money';
import '../sets.css';
import '../../fair/fair.css';

const STATE_LABELS: Record<PositionState, string> = { FREE: '可选', HELD: '已被锁定', SOLD: '已售' };

async function loadGrid(boxId: string) {
  // Every set sold out is a state of the box, not a failure: the page says so and still lists the sets to verify.
  const current = api.getCurrentSet(boxId).catch((failure: unknown) => {
    if (failure instanceof ApiError && failure.code === 'SETS_SOLD_OUT') return null;
    throw failure;
  });
  const [box, set, sets] = await Promise.all([api.getBox(boxId), current, api.listSets(boxId)]);
  return { box, set, revealed: sets.items.filter((entry) => entry.revealedAt !== null) };
}

function RevealedSets({ revealed }: { revealed: BoxSetList['items'] }) {
  if (revealed.length === 0) return null;
  return (
    <View className="card" data-testid="revealed-sets">
      <Text className="section-title">已公布的端盒</Text>
      {revealed.map((entry) => (
        <View key={entry.id} className="set-list__row" data-testid="revealed-set" onClick={() => void Taro.navigateTo({ url: routes.setVerify(entry.id) })}>
          <Text>第 {entry.number} 盒 · {entry.state === 'SOLD_OUT' ? '已售完' : '已下架'}</Text>
          <Text className="link">验证 →</Text>
        </View>
      ))}
    </View>
  );
}

function Cell({ position, state, picked, onTap }: { position: number; state: PositionState; picked: boolean; onTap: () => void }) {
  const look = picked ? 'picked' : state.toLowerCase();
  return (
    <View
      className={`set-cell set-cell--${look}`}
      data-testid="set-cell"
      data-position={position}
      data-state={state}
      role="button"
      aria-pressed={picked}
      onClick={state === 'FREE' ? onTap : undefined}
    >
      <Text className="set-cell__number">{position + 1}</Text>
      <Text>{picked ? '已选' : STATE_LABELS[state]}</Text>
    </View>
  );
}

/**
 * One set of a whole-set box as a grid of sealed positions: the shopper picks free ones, or the whole set, and
 * pays through the usual confirm and pay pages. The grid shows only whether a position is taken: no design
 * is known here until it is paid for. Coming back to the page (a position lost, a payment done) reloads it,
 * and a set that is gone gives way to the next one.
 */
export default function SetGridPage() {
  const { params } = useRouter();
  const boxId = params.boxId ?? '';
  const grid = useResource(() => loadGrid(boxId));
  const [picked, setPicked] = useState<number[]>([]);
  const shownOnce = useRef(false);

  useDidShow(() => {
    if (shownOnce.current) {
      setPicked([]);
      void grid.reload();
    }
    shownOnce.current = true;
  });

  if (grid.error) return <ErrorState message={grid.error} onRetry={() => void grid.reload()} />;
  if (!grid.data) return <Skeleton kind="detail" />;
  const { box, set, revealed } = grid.data;
  if (!set) {
    return (
      <View className="page" data-testid="sets-sold-out">
        <View className="card">
          <Text className="section-title">{box.name} · 全部售完</Text>
          <Text className="notice">这一系列的端盒都已售完，新的一批开售时再来看看。售完的端盒已公布排列，可以逐盒验证。</Text>
        </View>
        <RevealedSets revealed={revealed} />
        <Button className="btn btn--ghost" onClick={() => void Taro.reLaunch({ url: routes.boxes() })}>
          继续逛逛
        </Button>
      </View>
    );
  }
  const stillFree = picked.filter((position) => set.grid[position] === 'FREE');
  const wholeFree = set.free === set.positions;
  const toggle = (position: number) => setPicked((current) => (current.includes(position) ? current.filter((entry) => entry !== position) : [...current, position].sort((a, b) => a - b)));
  const buy = (positions: number[], whole: boolean) => void Taro.navigateTo({ url: routes.confirm(boxId, { setId: set.id, positions, whole }) });

  return (
    <View className="page page--with-footer" data-testid="set-grid-page" data-set-id={set.id}>
      <View className="card">
        <Text className="section-title" data-testid="set-title">
          {box.name} · 第 {set.number} 盒
        </Text>
        <Text className="muted" data-testid="set-counts">
          可选 {set.free} · 锁定 {set.held} · 已售 {set.sold}（共 {set.positions} 个位置）
        </Text>
        <Grid set={set} picked={stillFree} onTap={toggle} />
        {set.free === 0 && <Text className="notice">这一盒的位置都被锁定了，未支付的位置到期后会重新开放。</Text>}
      </View>
      <View className="card">
        <Text className="section-title">开售前公布的承诺</Text>
        <Text className="muted">SHA-256(排列 ‖ 盐)，整盒售完后公布排列与盐，可在此验证：</Text>
        <Text className="proof-value" data-testid="set-commitment">
          {set.commitment}
        </Text>
      </View>
      <RevealedSets revealed={revealed} />
      <View className="footer-bar">
        <Text className="footer-bar__total price">{formatFen(box.priceFen * Math.max(stillFree.length, 1))}</Text>
        <Button className="btn btn--ghost" data-testid="buy-whole-set" disabled={!wholeFree} onClick={() => buy(set.grid.map((_, position) => position), true)}>
          整盒 {set.positions} 只
        </Button>
        <Button className="btn btn--primary" data-testid="buy-picked" disabled={stillFree.length === 0} onClick={() => buy(stillFree, false)}>
          {stillFree.length > 0 ? `买 ${stillFree.length} 个` : '请选位置'}
        </Button>
      </View>
    </View>
  );
}

function Grid({ set, picked, onTap }: { set: BoxSet; picked: number[]; onTap: (position: number) => void }) {
  return (
    <View className="set-grid" data-testid="set-grid">
      {set.grid.map((state, position) => (
        <Cell key={position} position={position} state={state} picked={picked.includes(position)} onTap={() => onTap(position)} />
      ))}
    </View>
  );
}
