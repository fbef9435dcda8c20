import type { Draw, Rarity } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState, type ReactNode } from 'react';
import { RARITIES } from '@blindbox/shared/src/constants';
import { RARITY_LABELS } from '../lib/format';
import { routes } from '../lib/routes';
import { prefersReducedMotion } from '../platform/motion';
import { ArtImage } from './art-image';
import './reveal.css';

/**
 * The unboxing: the box shakes (harder towards the end), the lid flies off, light and the item rise out. Long
 * enough to feel like opening something, short enough that a repeat buyer does not wait: under two seconds.
 */
const OPENING_MS = 1800;

/** The rarities that earn a moment of their own, which 跳过 never skips. */
const MOMENT_TITLES: Partial<Record<Rarity, string>> = { SECRET: '隐藏款！', EPIC: '史诗款！' };

const rank = (rarity: Rarity) => RARITIES.indexOf(rarity);

/** The rarest draw of the order (the first of them): the colour of the light out of the box, the picture shared. */
export function rarestDraw(draws: readonly Draw[]): Draw | undefined {
  return draws.reduce<Draw | undefined>((top, draw) => (!top || rank(draw.rarity) > rank(top.rarity) ? draw : top), undefined);
}

/** The units that get their own moment, rarest first (a shopper drawing two sees the secret one first). */
function momentsOf(draws: readonly Draw[]): number[] {
  return draws
    .map((draw, index) => ({ draw, index }))
    .filter(({ draw }) => MOMENT_TITLES[draw.rarity])
    .sort((a, b) => rank(b.draw.rarity) - rank(a.draw.rarity) || a.index - b.index)
    .map(({ index }) => index);
}

type Stage = { kind: 'opening' } | { kind: 'moment'; step: number } | { kind: 'cards' };

/**
 * After payment: the box opens, each epic or secret draw gets its own moment, then one full-width card per
 * unit, each with its rarity's effect (a shine for common, a glow for rare, an aura for epic, turning gold rays
 * for secret). 跳过 shortens the opening only: a rare moment waits for the shopper's 收下. With reduced motion
 * the box is not shown opening and nothing moves. CSS animations and a timer only, so WeChat and a browser
 * run the same.
 */
export function Reveal({ draws, orderId, after }: { draws: Draw[]; orderId: string; /** Shown under the cards, not over the opening. */ after?: ReactNode }) {
  const moments = momentsOf(draws);
  const afterOpening: Stage = moments.length > 0 ? { kind: 'moment', step: 0 } : { kind: 'cards' };
  const [stage, setStage] = useState<Stage>(() => (prefersReducedMotion() ? afterOpening : { kind: 'opening' }));

  useEffect(() => {
    if (stage.kind !== 'opening') return undefined;
    const timer = setTimeout(() => setStage(afterOpening), OPENING_MS);
    return () => clearTimeout(timer);
  }, [stage.kind, afterOpening.kind]);

  if (stage.kind === 'opening') {
    return (
      <View className={`reveal-stage reveal-stage--${(rarestDraw(draws)?.rarity ?? 'COMMON').toLowerCase()}`} data-testid="reveal-stage">
        <View className="reveal-stage__beam" />
        <View className="gift">
          <View className="gift__body" />
          <View className="gift__lid">
            <View className="gift__bow" />
          </View>
          <View className="gift__ribbon" />
        </View>
        <View className="reveal-stage__item" />
        <Text className="reveal-stage__hint">{draws.length > 1 ? `${draws.length} 连抽，开盒中…` : '开盒中…'}</Text>
        <Skip onSkip={() => setStage(afterOpening)} />
      </View>
    );
  }
  if (stage.kind === 'moment') {
    const index = moments[stage.step] ?? 0;
    const draw = draws[index]!;
    const next = stage.step + 1 < moments.length ? ({ kind: 'moment', step: stage.step + 1 } as const) : ({ kind: 'cards' } as const);
    return (
      <View key={index} className={`reveal-moment reveal-moment--${draw.rarity.toLowerCase()}`} data-testid="reveal-moment" data-rarity={draw.rarity}>
        <View className="reveal-moment__rays" />
        <View className="reveal-moment__glow" />
        <Text className="reveal-moment__title">{MOMENT_TITLES[draw.rarity]}</Text>
        <ArtImage className="reveal-moment__image" url={draw.imageUrl} size="detail" />
        <Text className="reveal-moment__name" data-testid="reveal-moment-name">
          {draw.name}
        </Text>
        <Text className="reveal-moment__rarity">{RARITY_LABELS[draw.rarity]}</Text>
        <Button className="btn btn--primary reveal-moment__continue" data-testid="reveal-continue" onClick={() => setStage(next)}>
          {next.kind === 'moment' ? '收下，看下一个' : draws.length > 1 ? `收下，看全部 ${draws.length} 个` : '收下'}
        </Button>
      </View>
    );
  }
  return (
    <>
      <View className="reveal-cards" data-testid="reveal-list">
        {draws.map((draw, index) => (
          <RevealCard key={`${draw.productId}-${index}`} draw={draw} index={index} orderId={orderId} />
        ))}
      </View>
      {after}
    </>
  );
}

/** Which effect each rarity's card carries (the class and, for tests and screen readers, its name). */
export const RARITY_EFFECTS: Record<Rarity, string> = { COMMON: 'shine', RARE: 'glow', EPIC: 'aura', SECRET: 'rays' };

function RevealCard({ draw, index, orderId }: { draw: Draw; index: number; orderId: string }) {
  const rarity = draw.rarity.toLowerCase();
  return (
    <View
      className={`reveal-card reveal-card--${rarity}`}
      style={{ animationDelay: `${Math.min(index, 8) * 120}ms` }}
      data-testid="reveal-item"
      data-rarity={draw.rarity}
      data-effect={RARITY_EFFECTS[draw.rarity]}
    >
      <View className="reveal-card__art">
        <View className={`reveal-card__fx reveal-fx--${RARITY_EFFECTS[draw.rarity]}`} data-testid="reveal-effect" />
        <ArtImage className="reveal-card__image" url={draw.imageUrl} size="list" />
        <View className="reveal-card__sheen" />
      </View>
      <View className="reveal-card__body">
        <Text className="reveal-card__name" data-testid="reveal-name">
          {draw.name}
        </Text>
        <Text className={`rarity-tag rarity--${rarity}`}>{RARITY_LABELS[draw.rarity]}</Text>
      </View>
      <View className="reveal-card__links">
        {draw.set && (
          <Text className="link reveal-card__link" data-testid="set-verify-link" onClick={() => void Taro.navigateTo({ url: routes.setVerify(draw.set?.setId ?? '') })}>
            第 {draw.set.number} 盒 · {draw.set.position + 1} 号位 · 验证
          </Text>
        )}
        {draw.proof && (
          <Text className="link reveal-card__link" data-testid="proof-link" onClick={() => void Taro.navigateTo({ url: routes.proof(orderId, index) })}>
            {draw.proof.forced ? '保底 · ' : ''}验证公平性
          </Text>
        )}
      </View>
    </View>
  );
}

function Skip({ onSkip }: { onSkip: () => void }) {
  return (
    <View
      className="reveal-skip"
      data-testid="reveal-skip"
      role="button"
      onClick={(event) => {
        event.stopPropagation();
        onSkip();
      }}
    >
      <Text>跳过</Text>
    </View>
  );
}
