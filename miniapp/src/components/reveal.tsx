import type { Draw, Rarity } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState, type ReactNode } from 'react';
import { RARITY_LABELS } from '../lib/format';
import { RARITIES } from '@blindbox/shared/src/constants';
import { prefersReducedMotion } from '../platform/motion';
import { ArtImage } from './art-image';
import { DrawList } from './draw-list';
import './reveal.css';

/** Long enough to feel the lid lift, short enough that nobody waits: the whole opening is under a second. */
const OPENING_MS = 800;

type Stage = 'opening' | 'moment' | 'items';

const MOMENT_TITLES: Partial<Record<Rarity, string>> = { SECRET: '隐藏款！', EPIC: '史诗款！' };

/** The draw that earns its own moment: the rarest one, if it is epic or secret. */
function highlightOf(draws: readonly Draw[]): Draw | null {
  const rank = (rarity: Rarity) => RARITIES.indexOf(rarity);
  const best = draws.reduce<Draw | null>((top, draw) => (!top || rank(draw.rarity) > rank(top.rarity) ? draw : top), null);
  return best && MOMENT_TITLES[best.rarity] ? best : null;
}

/**
 * After payment: the box shakes and opens, a rare draw is shown on its own, then everything drawn. Each
 * step can be skipped; with reduced motion the box does not animate at all. CSS animations and a timer
 * only, so it runs the same in WeChat and in a browser.
 */
export function Reveal({ draws, orderId, after }: { draws: Draw[]; orderId: string; /** Shown with the final list, not over the opening. */ after?: ReactNode }) {
  const highlight = highlightOf(draws);
  const afterOpening: Stage = highlight ? 'moment' : 'items';
  const [stage, setStage] = useState<Stage>(() => (prefersReducedMotion() ? afterOpening : 'opening'));

  useEffect(() => {
    if (stage !== 'opening') return undefined;
    const timer = setTimeout(() => setStage(afterOpening), OPENING_MS);
    return () => clearTimeout(timer);
  }, [stage, afterOpening]);

  if (stage === 'opening') {
    return (
      <View className="reveal-stage" data-testid="reveal-stage" onClick={() => setStage(afterOpening)}>
        <View className="reveal-stage__burst" />
        <View className="gift">
          <View className="gift__lid" />
          <View className="gift__body" />
          <View className="gift__ribbon" />
        </View>
        <Text className="reveal-stage__hint">正在开盒…</Text>
        <Skip onSkip={() => setStage('items')} />
      </View>
    );
  }
  if (stage === 'moment' && highlight) {
    const rarity = highlight.rarity.toLowerCase();
    return (
      <View className={`reveal-moment reveal-moment--${rarity}`} data-testid="reveal-moment" data-rarity={highlight.rarity}>
        <View className="reveal-moment__glow" />
        <Text className="reveal-moment__title">{MOMENT_TITLES[highlight.rarity]}</Text>
        <ArtImage className="reveal-moment__image" url={highlight.imageUrl} />
        <Text className="reveal-moment__name">{highlight.name}</Text>
        <Text className="reveal-moment__rarity">{RARITY_LABELS[highlight.rarity]}</Text>
        <Button className="btn btn--primary reveal-moment__continue" data-testid="reveal-continue" onClick={() => setStage('items')}>
          {draws.length > 1 ? `收下，看全部 ${draws.length} 个` : '收下'}
        </Button>
      </View>
    );
  }
  return (
    <>
      <DrawList draws={draws} orderId={orderId} stagger />
      {after}
    </>
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
