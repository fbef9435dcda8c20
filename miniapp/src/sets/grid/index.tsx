import type { BoxSet, BoxSetList, PositionState } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/api-error';
import { api } from '../../api/session';
import { ActionButton } from '../../components/action-button';
import { ArtImage } from '../../components/art-image';
import { ErrorState, Skeleton } from '../../components/page-state';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { formatFen } from '@blindbox/shared/src/money';
import '../sets.css';
import '../../fair/fair.css';

/** `setId`: the set the shopper moved to with 换一盒; without it, whichever open set the server hands out. */
async function loadGrid(boxId: string, setId: string | null) {
  // Every set sold out is a state of the box, not a failure: the page says so and still lists the sets to verify.
  const current = (setId ? api.getSet(setId) : api.getCurrentSet(boxId)).catch((failure: unknown) => {
    if (failure instanceof ApiError && failure.code === 'SETS_SOLD_OUT') return null;
    throw failure;
  });
  const [box, chosen, sets] = await Promise.all([api.getBox(boxId), current, api.listSets(boxId)]);
  // A set moved to that has sold out meanwhile gives way to any open one.
  const set = chosen && chosen.state !== 'ON_SALE' && setId ? await api.getCurrentSet(boxId).catch(() => null) : chosen;
  const open = sets.items.filter((entry) => entry.state === 'ON_SALE').sort((a, b) => a.number - b.number);
  return { box, set, open, revealed: sets.items.filter((entry) => entry.revealedAt !== null) };
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

const STATE_LABELS: Record<PositionState, string> = { FREE: '可选', HELD: '已被锁定', SOLD: '已售出' };

/** One sealed box on the shelf: its picture, its number, and whether it is picked, taken or sold. */
function Cell({ position, state, picked, coverUrl, onTap }: { position: number; state: PositionState; picked: boolean; coverUrl: string; onTap: () => void }) {
  const look = picked ? 'picked' : state.toLowerCase();
  return (
    <View
      className={`set-cell set-cell--${look}`}
      data-testid="set-cell"
      data-position={position}
      data-state={state}
      role="button"
      aria-pressed={picked}
      aria-disabled={state !== 'FREE'}
      onClick={state === 'FREE' ? onTap : undefined}
    >
      <View className="set-cell__box">
        <ArtImage className="set-cell__image" url={coverUrl} size="list" />
        {picked && <Text className="set-cell__check">✓</Text>}
        {state !== 'FREE' && <Text className="set-cell__stamp">{STATE_LABELS[state]}</Text>}
      </View>
      <Text className="set-cell__label">
        {position + 1} 号{picked ? ' · 已选' : ''}
      </Text>
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
  const [setId, setSetId] = useState<string | null>(null);
  const grid = useResource(() => loadGrid(boxId, setId));
  const [picked, setPicked] = useState<number[]>([]);
  // The commitment is a hex string, for whoever checks it: shown on request, not to every shopper.
  const [showCommitment, setShowCommitment] = useState(false);
  const shownOnce = useRef(false);
  useEffect(() => {
    if (setId) void grid.reload();
  }, [setId]);

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
  // 换一盒: the next open set by number, round the shelf.
  const others = grid.data.open.filter((entry) => entry.id !== set.id);
  const nextSet = others.find((entry) => entry.number > set.number) ?? others[0];
  const changeSet = () => {
    if (!nextSet) return;
    setPicked([]);
    setSetId(nextSet.id);
  };

  return (
    <View className="page page--with-footer" data-testid="set-grid-page" data-set-id={set.id}>
      <View className="card set-shelf">
        <View className="set-shelf__head">
          <View className="set-shelf__titles">
            <Text className="section-title" data-testid="set-title">
              {box.name} · 第 {set.number} 盒
            </Text>
            <Text className="muted" data-testid="set-counts">
              还剩 {set.free} 个位置可选 · 每盒 {set.positions} 只
            </Text>
          </View>
          {nextSet && (
            <View className="pill set-shelf__change" data-testid="change-set" role="button" onClick={changeSet}>
              <Text>换一盒</Text>
            </View>
          )}
        </View>
        <Grid set={set} picked={stillFree} coverUrl={box.coverUrl} onTap={toggle} />
        {set.free === 0 && <Text className="notice">这一盒的位置都被锁定了，未支付的位置到期后会重新开放，也可以换一盒。</Text>}
        <Text className="muted">点盒子选位置，可选多个；拆开前谁也不知道里面是哪一款。</Text>
      </View>
      <View className="card">
        <Text className="section-title">公平承诺</Text>
        <Text className="muted">开售前已公布这一盒的排列指纹；整盒售完后公布排列，可逐位验证没有被调换。</Text>
        <View className="fold" data-testid="set-commitment-toggle" role="button" aria-expanded={showCommitment} onClick={() => setShowCommitment(!showCommitment)}>
          <Text className="link">{showCommitment ? '收起指纹' : '查看指纹 ›'}</Text>
        </View>
        {showCommitment && (
          <Text className="proof-value" data-testid="set-commitment">
            {set.commitment}
          </Text>
        )}
      </View>
      <RevealedSets revealed={revealed} />
      <View className="footer-bar">
        {stillFree.length > 0 ? (
          <Text className="footer-bar__total price" data-testid="set-total">
            {formatFen(box.priceFen * stillFree.length)}
          </Text>
        ) : (
          <Text className="footer-bar__total muted" data-testid="set-total">
            选好位置再结算
          </Text>
        )}
        <ActionButton variant="ghost" testId="buy-whole-set" disabled={!wholeFree} onTap={() => buy(set.grid.map((_, position) => position), true)}>
          {wholeFree ? `整盒 ${set.positions} 只` : '整盒已拆'}
        </ActionButton>
        <ActionButton testId="buy-picked" disabled={stillFree.length === 0} onTap={() => buy(stillFree, false)}>
          {stillFree.length > 0 ? `买 ${stillFree.length} 个` : '请选位置'}
        </ActionButton>
      </View>
    </View>
  );
}

function Grid({ set, picked, coverUrl, onTap }: { set: BoxSet; picked: number[]; coverUrl: string; onTap: (position: number) => void }) {
  return (
    <View className="set-grid" data-testid="set-grid">
      {set.grid.map((state, position) => (
        <Cell key={position} position={position} state={state} picked={picked.includes(position)} coverUrl={coverUrl} onTap={() => onTap(position)} />
      ))}
    </View>
  );
}
