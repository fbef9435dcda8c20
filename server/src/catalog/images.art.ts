import type { Rarity } from '@blindbox/shared';

/**
 * The demo catalog's pictures, drawn as SVG by the project itself so nothing depends on an image host
 * (a WeChat review, or a laptop offline, sees every picture). Shapes only, no text: an SVG's text would
 * be rendered with whatever fonts the viewer has.
 */

export type Motif = 'cat' | 'mecha' | 'dessert' | 'forest' | 'rabbit';

/** A series: one figure shape, one sky, and how its box's cover sets it apart on the shelf. */
export interface SeriesArt {
  motif: Motif;
  sky: readonly [string, string];
  cover: CoverArt;
}

/** The cover: the series' signature figure in its colours over the series' own pattern, on a band of its packaging. */
export interface CoverArt {
  hero: FigureArt;
  pattern: 'stars' | 'circuits' | 'dots' | 'leaves' | 'moon';
  band: string;
}

/** One product of a series: its colours and a mark that tells it apart from its siblings. */
export interface FigureArt {
  body: string;
  accent: string;
  mark: 'none' | 'spots' | 'stripes' | 'star' | 'heart';
}

interface Paint {
  body: string;
  accent: string;
  line: string;
  detail: boolean;
}

const SIZE = 300;

/** Rarity is shown three ways at once, so it reads without colour vision: frame colour, frame weight, gem count. */
const FRAMES: Record<Rarity, { colour: string; width: number; gems: number }> = {
  COMMON: { colour: '#9aa3b2', width: 8, gems: 1 },
  RARE: { colour: '#1f6fe5', width: 12, gems: 2 },
  EPIC: { colour: '#7b35e8', width: 14, gems: 3 },
  SECRET: { colour: 'url(#gold)', width: 16, gems: 0 },
};

function svg(defs: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}"><defs>${defs}</defs>${body}</svg>`;
}

const skyGradient = ([top, bottom]: readonly [string, string]) =>
  `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient>`;
const goldGradient =
  '<linearGradient id="gold" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fff1b8"/><stop offset=".45" stop-color="#e8a400"/><stop offset="1" stop-color="#a86b00"/></linearGradient>';

function star(cx: number, cy: number, outer: number, fill: string, extra = ''): string {
  const points = Array.from({ length: 10 }, (_, index) => {
    const radius = index % 2 === 0 ? outer : outer * 0.45;
    const angle = (Math.PI / 5) * index - Math.PI / 2;
    return `${(cx + radius * Math.cos(angle)).toFixed(1)},${(cy + radius * Math.sin(angle)).toFixed(1)}`;
  });
  return `<polygon points="${points.join(' ')}" fill="${fill}"${extra}/>`;
}

/** Deterministic sprinkle of small stars (no randomness: the same catalog gives the same bytes and URLs). */
function sparkles(count: number, fill: string, opacity: number): string {
  return Array.from({ length: count }, (_, index) => {
    const x = 30 + ((index * 97) % 240);
    const y = 26 + ((index * 61) % 120);
    return star(x, y, 3 + (index % 3) * 2, fill, ` opacity="${opacity}"`);
  }).join('');
}

function face(cx: number, cy: number, paint: Paint): string {
  if (!paint.detail) return '';
  return (
    `<circle cx="${cx - 22}" cy="${cy}" r="7" fill="${paint.line}"/><circle cx="${cx + 22}" cy="${cy}" r="7" fill="${paint.line}"/>` +
    `<circle cx="${cx - 20}" cy="${cy - 2}" r="2.5" fill="#fff"/><circle cx="${cx + 24}" cy="${cy - 2}" r="2.5" fill="#fff"/>` +
    `<path d="M${cx - 8} ${cy + 16} q8 7 16 0" stroke="${paint.line}" stroke-width="4" fill="none" stroke-linecap="round"/>` +
    `<circle cx="${cx - 38}" cy="${cy + 14}" r="7" fill="#ff8fa3" opacity=".6"/><circle cx="${cx + 38}" cy="${cy + 14}" r="7" fill="#ff8fa3" opacity=".6"/>`
  );
}

function mark(kind: FigureArt['mark'], cx: number, cy: number, paint: Paint): string {
  if (!paint.detail) return '';
  switch (kind) {
    case 'none':
      return '';
    case 'spots':
      return `<circle cx="${cx - 30}" cy="${cy - 34}" r="12" fill="${paint.accent}"/><circle cx="${cx + 34}" cy="${cy - 28}" r="9" fill="${paint.accent}"/>`;
    case 'stripes':
      return [-16, 0, 16].map((dx) => `<rect x="${cx + dx - 3}" y="${cy - 52}" width="6" height="22" rx="3" fill="${paint.accent}"/>`).join('');
    case 'star':
      return star(cx, cy - 40, 13, paint.accent);
    case 'heart':
      return `<path d="M${cx} ${cy - 28} l-14 -14 a8 8 0 0 1 14 -8 a8 8 0 0 1 14 8 z" fill="${paint.accent}"/>`;
  }
}

/** Each motif draws a figure centred at (150, 165) with a face near y = 160. */
const figures: Record<Motif, (art: FigureArt, paint: Paint) => string> = {
  cat: (art, p) =>
    `<path d="M150 258 c-62 0 -78 -30 -70 -62 l140 0 c8 32 -8 62 -70 62z" fill="${p.body}"/>` +
    `<path d="M92 120 l-6 -62 l48 34z M208 120 l6 -62 l-48 34z" fill="${p.body}"/>` +
    (p.detail ? `<path d="M96 108 l-3 -34 l26 19z M204 108 l3 -34 l-26 19z" fill="${p.accent}"/>` : '') +
    `<ellipse cx="150" cy="158" rx="74" ry="64" fill="${p.body}"/>` +
    mark(art.mark, 150, 158, p) +
    face(150, 160, p) +
    (p.detail ? `<path d="M70 168 h-26 M70 180 h-24 M230 168 h26 M230 180 h24" stroke="${p.line}" stroke-width="3" stroke-linecap="round"/>` : ''),
  mecha: (art, p) =>
    `<rect x="78" y="204" width="144" height="58" rx="16" fill="${p.body}"/>` +
    `<rect x="52" y="196" width="40" height="40" rx="10" fill="${p.accent}"/><rect x="208" y="196" width="40" height="40" rx="10" fill="${p.accent}"/>` +
    `<rect x="146" y="54" width="8" height="40" fill="${p.body}"/><circle cx="150" cy="52" r="11" fill="${p.accent}"/>` +
    `<rect x="82" y="94" width="136" height="114" rx="26" fill="${p.body}"/>` +
    (p.detail ? `<rect x="98" y="138" width="104" height="44" rx="18" fill="#1b2140"/>` : '') +
    mark(art.mark, 150, 160, p) +
    (p.detail ? `<circle cx="128" cy="160" r="9" fill="#7df9ff"/><circle cx="172" cy="160" r="9" fill="#7df9ff"/>` : ''),
  dessert: (art, p) =>
    `<path d="M92 196 h116 l-16 66 h-84z" fill="${p.accent}"/>` +
    (p.detail ? [112, 136, 160, 184].map((x) => `<path d="M${x} 200 l-4 58" stroke="${p.line}" stroke-width="3" opacity=".35"/>`).join('') : '') +
    `<circle cx="150" cy="150" r="64" fill="${p.body}"/><circle cx="96" cy="186" r="26" fill="${p.body}"/><circle cx="204" cy="186" r="26" fill="${p.body}"/>` +
    `<circle cx="150" cy="78" r="16" fill="${p.detail ? '#e23a4f' : p.body}"/>` +
    mark(art.mark, 150, 150, p) +
    face(150, 158, p),
  forest: (art, p) =>
    `<ellipse cx="150" cy="236" rx="66" ry="34" fill="${p.body}"/>` +
    `<ellipse cx="96" cy="98" rx="22" ry="38" fill="${p.body}" transform="rotate(-24 96 98)"/><ellipse cx="204" cy="98" rx="22" ry="38" fill="${p.body}" transform="rotate(24 204 98)"/>` +
    (p.detail ? `<ellipse cx="98" cy="102" rx="10" ry="22" fill="${p.accent}" transform="rotate(-24 98 102)"/><ellipse cx="202" cy="102" rx="10" ry="22" fill="${p.accent}" transform="rotate(24 202 102)"/>` : '') +
    `<circle cx="150" cy="160" r="70" fill="${p.body}"/>` +
    (p.detail ? `<ellipse cx="150" cy="184" rx="36" ry="26" fill="${p.accent}"/>` : '') +
    mark(art.mark, 150, 160, p) +
    face(150, 158, p),
  rabbit: (art, p) =>
    `<ellipse cx="150" cy="240" rx="62" ry="30" fill="${p.body}"/>` +
    `<ellipse cx="118" cy="72" rx="20" ry="56" fill="${p.body}" transform="rotate(-10 118 72)"/><ellipse cx="182" cy="72" rx="20" ry="56" fill="${p.body}" transform="rotate(10 182 72)"/>` +
    (p.detail ? `<ellipse cx="118" cy="76" rx="9" ry="38" fill="${p.accent}" transform="rotate(-10 118 76)"/><ellipse cx="182" cy="76" rx="9" ry="38" fill="${p.accent}" transform="rotate(10 182 76)"/>` : '') +
    `<ellipse cx="150" cy="170" rx="72" ry="66" fill="${p.body}"/>` +
    mark(art.mark, 150, 172, p) +
    face(150, 172, p),
};

/** The figure's shape in one flat colour: no face, no mark. */
function outline(motif: Motif, colour: string): string {
  return figures[motif]({ body: colour, accent: colour, mark: 'none' }, { body: colour, accent: colour, line: colour, detail: false });
}

function frame(rarity: Rarity): string {
  const { colour, width, gems } = FRAMES[rarity];
  const inset = width / 2 + 4;
  const border = `<rect x="${inset}" y="${inset}" width="${SIZE - 2 * inset}" height="${SIZE - 2 * inset}" rx="28" fill="none" stroke="${colour}" stroke-width="${width}"/>`;
  if (rarity === 'SECRET') {
    return border + `<circle cx="250" cy="50" r="30" fill="#1a1200" opacity=".55"/>` + star(250, 50, 24, 'url(#gold)', ' stroke="#fff6d5" stroke-width="2"');
  }
  const badges = Array.from({ length: gems }, (_, index) => {
    const x = 258 - index * 26;
    return `<path d="M${x} 34 l11 14 l-11 14 l-11 -14z" fill="${colour}" stroke="#fff" stroke-width="2.5"/>`;
  }).join('');
  return border + badges;
}

const INK = '#2b2233';

/** A product's picture: its series' sky and figure, in its own colours, inside its rarity's frame. */
export function figureSvg(series: SeriesArt, art: FigureArt, rarity: Rarity): string {
  const paint: Paint = { body: art.body, accent: art.accent, line: INK, detail: true };
  const glow = rarity === 'SECRET' || rarity === 'EPIC';
  return svg(
    skyGradient(series.sky) +
      goldGradient +
      '<radialGradient id="glow"><stop offset="0" stop-color="#fff" stop-opacity=".75"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient>',
    `<rect width="${SIZE}" height="${SIZE}" rx="32" fill="url(#sky)"/>` +
      sparkles(rarity === 'SECRET' ? 14 : 6, rarity === 'SECRET' ? '#ffe58f' : '#ffffff', rarity === 'SECRET' ? 0.95 : 0.55) +
      (glow ? `<circle cx="150" cy="160" r="130" fill="url(#glow)"/>` : '') +
      figures[series.motif](art, paint) +
      frame(rarity),
  );
}

/** What the collection shows for a product not drawn yet: the figure's outline, no colours, no rarity. */
export function silhouetteSvg(series: SeriesArt): string {
  return svg(
    '',
    `<rect width="${SIZE}" height="${SIZE}" rx="32" fill="#eceef3"/>` +
      outline(series.motif, '#b8bdc9') +
      `<rect x="8" y="8" width="${SIZE - 16}" height="${SIZE - 16}" rx="28" fill="none" stroke="#c3c8d3" stroke-width="4" stroke-dasharray="14 10"/>`,
  );
}

/** Each series' backdrop pattern: what tells the covers apart at a glance, with the figure and the colours. */
const PATTERNS: Record<CoverArt['pattern'], string> = {
  stars: sparkles(16, '#ffffff', 0.8) + `<circle cx="236" cy="64" r="26" fill="#fff6d5" opacity=".9"/><circle cx="248" cy="56" r="24" fill="url(#sky)"/>`,
  circuits: [40, 90, 140].map((y, index) => `<path d="M0 ${y} h${60 + index * 30} l20 20 h${90 - index * 20}" stroke="#7df9ff" stroke-width="4" fill="none" opacity=".45"/><circle cx="${190 - index * 10}" cy="${y + 20}" r="6" fill="#7df9ff" opacity=".7"/>`).join(''),
  dots: Array.from({ length: 24 }, (_, index) => `<circle cx="${20 + (index % 6) * 52 + (Math.floor(index / 6) % 2) * 26}" cy="${24 + Math.floor(index / 6) * 44}" r="9" fill="#ffffff" opacity=".55"/>`).join(''),
  leaves: Array.from({ length: 9 }, (_, index) => `<ellipse cx="${24 + (index * 71) % 260}" cy="${30 + (index * 43) % 140}" rx="16" ry="7" fill="#c7f0a8" opacity=".6" transform="rotate(${index * 40} ${24 + (index * 71) % 260} ${30 + (index * 43) % 140})"/>`).join(''),
  moon: `<circle cx="150" cy="120" r="104" fill="#fff6d5" opacity=".9"/><circle cx="118" cy="96" r="14" fill="#f1e2b0"/><circle cx="184" cy="142" r="10" fill="#f1e2b0"/>` + sparkles(8, '#ffffff', 0.8),
};

/**
 * A box's cover: the series' sky and pattern, its signature figure in colour, on a band of the series' packaging
 * with a gold bow. No two series share a pattern, a figure or a palette, so the shelf is never five look-alikes.
 */
export function coverSvg(series: SeriesArt): string {
  const { hero, pattern, band } = series.cover;
  const paint: Paint = { body: hero.body, accent: hero.accent, line: INK, detail: true };
  return svg(
    skyGradient(series.sky) + goldGradient,
    `<rect width="${SIZE}" height="${SIZE}" rx="32" fill="url(#sky)"/>` +
      PATTERNS[pattern] +
      `<g transform="translate(30 4) scale(.8)">${figures[series.motif](hero, paint)}</g>` +
      `<path d="M0 228 h${SIZE} v40 a32 32 0 0 1 -32 32 h-${SIZE - 64} a32 32 0 0 1 -32 -32z" fill="${band}"/>` +
      `<rect x="0" y="228" width="${SIZE}" height="8" fill="url(#gold)"/>` +
      `<path d="M40 252 c-18 -20 -40 -4 -20 8z M40 252 c18 -20 40 -4 20 8z" fill="url(#gold)"/><circle cx="40" cy="256" r="7" fill="url(#gold)"/>` +
      star(260, 264, 16, '#fff', ' opacity=".9"'),
  );
}
