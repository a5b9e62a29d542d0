import { mixSeed, SeededRandom } from './seeded-random.ts';

/**
 * The synthetic product domain of issue 11: packaged goods and produce, each a pure function of (domain seed, index).
 *
 * Products come in brand families of {@link FAMILY_SIZE}: the members share the brand's name, logo, font, layout,
 * pattern and package kind, and differ in their variant (flavour text, colours, sometimes pack size and so weight).
 * That is what makes real shelves hard: look-alikes of one brand, which vision alone confuses and weight or a
 * barcode separates. A family is packaged goods or one produce type (its members are varieties, sold by weight).
 */
export const FAMILY_SIZE = 4;

export const PACKAGE_KINDS = ['box', 'bottle', 'can', 'bag', 'jar', 'tray', 'produce'] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];

export const PRODUCE_KINDS = [
  'apple',
  'orange',
  'tomato',
  'potato',
  'onion',
  'lemon',
  'pepper',
  'banana',
  'grapes',
  'greens',
] as const;
export type ProduceKind = (typeof PRODUCE_KINDS)[number];

export const PATTERNS = ['plain', 'stripes', 'dots', 'gradient', 'split', 'waves', 'checks', 'burst'] as const;
export type Pattern = (typeof PATTERNS)[number];

export const LOGO_SHAPES = [
  'circle',
  'star',
  'diamond',
  'leaf',
  'shield',
  'triangle',
  'ring',
  'hexagon',
  'drop',
] as const;
export type LogoShape = (typeof LOGO_SHAPES)[number];

export interface Palette {
  base: string;
  accent: string;
  band: string;
  text: string;
}

export interface SyntheticProduct {
  index: number;
  sku: string;
  family: number;
  kind: PackageKind;
  brand: { zh: string; en: string };
  variant: { zh: string; en: string };
  palette: Palette;
  pattern: Pattern;
  logo: { shape: LogoShape; color: string; x: number; y: number; size: number };
  /** Top-down footprint in centimetres (length ≥ width). */
  size: { lengthCm: number; widthCm: number };
  nominalWeightG: number;
  /** Text arrangement of the brand (0–3), and which of the bundled fonts it prints with. */
  layout: number;
  font: number;
  /** GTIN-13 printed on the back of packaged goods; null for produce. */
  gtin: string | null;
  produce: {
    kind: ProduceKind;
    hue: number;
    saturation: number;
    lightness: number;
    count: number;
    bagged: boolean;
  } | null;
}

const BRAND_ZH =
  '康师农夫山泉统伊利蒙牛光明娃哈旺达园好丽友三只松鼠良品铺百草味金龙鱼海天老干妈李锦记加多宝王老吉椰树银鹭雀巢徐福记喜之郎来伊份盼盼嘉华鲜花稻香村元气森林白象今麦郎味全卫龙洽洽周黑鸭桃李奥利奥旺仔君乐宝新希望';
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ven',
  'ta',
  'ru',
  'zen',
  'bo',
  'li',
  'sa',
  'ko',
  'ne',
  'fa',
  'dor',
  'qi',
  'an',
  'mu',
  'pei',
  'xi',
  'tor',
  'ela',
  'vi',
  'gra',
  'su',
  'yo',
  'ha',
  'ri',
  'mon',
  'tea',
  'lux',
];
const VARIANTS: readonly [string, string][] = [
  ['原味', 'Original'],
  ['草莓', 'Strawberry'],
  ['巧克力', 'Chocolate'],
  ['香辣', 'Spicy'],
  ['低糖', 'Low Sugar'],
  ['柠檬', 'Lemon'],
  ['芒果', 'Mango'],
  ['抹茶', 'Matcha'],
  ['海盐', 'Sea Salt'],
  ['蜂蜜', 'Honey'],
  ['牛奶', 'Milk'],
  ['绿茶', 'Green Tea'],
  ['葡萄', 'Grape'],
  ['椰子', 'Coconut'],
  ['番茄', 'Tomato'],
  ['烧烤', 'BBQ'],
  ['黑椒', 'Pepper'],
  ['红枣', 'Red Date'],
  ['桂花', 'Osmanthus'],
  ['薄荷', 'Mint'],
  ['香草', 'Vanilla'],
  ['咖啡', 'Coffee'],
  ['麻辣', 'Mala'],
  ['青柠', 'Lime'],
  ['蓝莓', 'Blueberry'],
  ['桃子', 'Peach'],
  ['玉米', 'Corn'],
  ['芝士', 'Cheese'],
  ['无糖', 'Zero'],
];
const PRODUCE_NAMES: Record<ProduceKind, [string, string]> = {
  apple: ['苹果', 'Apple'],
  orange: ['橙子', 'Orange'],
  tomato: ['番茄', 'Tomato'],
  potato: ['土豆', 'Potato'],
  onion: ['洋葱', 'Onion'],
  lemon: ['柠檬', 'Lemon'],
  pepper: ['甜椒', 'Pepper'],
  banana: ['香蕉', 'Banana'],
  grapes: ['葡萄', 'Grapes'],
  greens: ['青菜', 'Greens'],
};
const PRODUCE_VARIETIES = ['红', '青', '黄', '有机', '精选', '小', '大', '进口'];

function hsl(h: number, s: number, l: number): string {
  return `hsl(${Math.round(((h % 360) + 360) % 360)}, ${Math.round(s)}%, ${Math.round(l)}%)`;
}

function gtin13(random: SeededRandom): string {
  let digits = '69';
  for (let i = 0; i < 10; i++) digits += String(random.int(0, 9));
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return digits + String((10 - (sum % 10)) % 10);
}

interface Family {
  kind: PackageKind;
  brand: { zh: string; en: string };
  pattern: Pattern;
  logoShape: LogoShape;
  logoColor: string;
  logoPlace: { x: number; y: number; size: number };
  layout: number;
  font: number;
  hue: number;
  baseSize: { lengthCm: number; widthCm: number };
  baseWeightG: number;
  produce: ProduceKind | null;
}

const KIND_SIZES: Record<
  Exclude<PackageKind, 'produce'>,
  { length: [number, number]; aspect: [number, number]; gPerCm2: [number, number] }
> = {
  box: { length: [10, 26], aspect: [0.45, 0.95], gPerCm2: [0.8, 4] },
  bottle: { length: [18, 32], aspect: [0.22, 0.36], gPerCm2: [3, 7] },
  can: { length: [10, 16], aspect: [0.45, 0.7], gPerCm2: [3, 5] },
  bag: { length: [14, 30], aspect: [0.55, 0.85], gPerCm2: [0.3, 2] },
  jar: { length: [7, 12], aspect: [1, 1], gPerCm2: [4, 9] },
  tray: { length: [14, 24], aspect: [0.55, 0.8], gPerCm2: [1, 3] },
};

function family(domainSeed: number, familyIndex: number): Family {
  const r = new SeededRandom(mixSeed(domainSeed, 1, familyIndex));
  const isProduce = r.chance(0.08);
  const kind: PackageKind = isProduce
    ? 'produce'
    : r.pick(['box', 'box', 'bottle', 'can', 'bag', 'bag', 'jar', 'tray'] as const);
  const zhLength = r.int(2, 4);
  let zh = '';
  for (let i = 0; i < zhLength; i++) zh += BRAND_ZH[r.int(0, BRAND_ZH.length - 1)];
  let en = '';
  for (let i = 0, n = r.int(2, 3); i < n; i++) en += r.pick(SYLLABLES);
  en = en[0]!.toUpperCase() + en.slice(1);
  const produce = isProduce ? r.pick(PRODUCE_KINDS) : null;
  let baseSize = { lengthCm: 0, widthCm: 0 };
  let baseWeightG = 0;
  if (kind === 'produce') {
    baseSize = { lengthCm: r.range(12, 24), widthCm: r.range(10, 18) };
    baseWeightG = Math.round(r.range(250, 1200));
  } else {
    const k = KIND_SIZES[kind];
    const length = r.range(...k.length);
    const width = Math.min(length, length * r.range(...k.aspect));
    baseSize = { lengthCm: length, widthCm: width };
    baseWeightG = Math.max(30, Math.round(length * width * r.range(...k.gPerCm2)));
  }
  return {
    kind,
    brand: { zh, en },
    pattern: r.pick(PATTERNS),
    logoShape: r.pick(LOGO_SHAPES),
    logoColor: hsl(r.range(0, 360), r.range(50, 95), r.range(30, 60)),
    logoPlace: { x: r.range(-0.3, 0.3), y: r.range(-0.25, 0.25), size: r.range(0.18, 0.35) },
    layout: r.int(0, 3),
    font: r.int(0, 1),
    hue: r.range(0, 360),
    baseSize,
    baseWeightG,
    produce,
  };
}

/** Product `index` of the domain `domainSeed` (the same on every machine). */
export function syntheticProduct(domainSeed: number, index: number): SyntheticProduct {
  const familyIndex = Math.floor(index / FAMILY_SIZE);
  const f = family(domainSeed, familyIndex);
  const r = new SeededRandom(mixSeed(domainSeed, 2, index));
  const member = index % FAMILY_SIZE;
  if (f.kind === 'produce' && f.produce) {
    const [zh, en] = PRODUCE_NAMES[f.produce];
    const variety = PRODUCE_VARIETIES[(familyIndex * 3 + member) % PRODUCE_VARIETIES.length]!;
    const baseHue = {
      apple: 5,
      orange: 30,
      tomato: 8,
      potato: 35,
      onion: 25,
      lemon: 52,
      pepper: 0,
      banana: 50,
      grapes: 280,
      greens: 110,
    }[f.produce];
    return {
      index,
      sku: `syn-${index}`,
      family: familyIndex,
      kind: 'produce',
      brand: { zh: `${variety}${zh}`, en: `${en} ${member + 1}` },
      variant: { zh: variety, en: String(member + 1) },
      palette: { base: '#000', accent: '#000', band: '#000', text: '#000' },
      pattern: 'plain',
      logo: { shape: 'circle', color: '#000', x: 0, y: 0, size: 0 },
      size: f.baseSize,
      nominalWeightG: f.baseWeightG,
      layout: 0,
      font: 0,
      gtin: null,
      produce: {
        kind: f.produce,
        hue:
          baseHue + r.range(-25, 25) + (f.produce === 'pepper' || f.produce === 'apple' ? r.pick([0, 0, 50, 100]) : 0),
        saturation: r.range(45, 90),
        lightness: r.range(30, 60),
        count: r.int(2, 6),
        bagged: r.chance(0.5),
      },
    };
  }
  const [vzh, ven] = VARIANTS[r.int(0, VARIANTS.length - 1)]!;
  const hue = f.hue + r.range(-60, 60) + (member % 2) * r.range(60, 180);
  // About one member in three comes in another pack size: weight then separates it from its look-alikes.
  const scale = r.chance(0.35) ? r.pick([0.7, 1.4, 1.8]) : 1;
  const lengthScale = Math.sqrt(scale);
  return {
    index,
    sku: `syn-${index}`,
    family: familyIndex,
    kind: f.kind,
    brand: f.brand,
    variant: { zh: vzh, en: ven },
    palette: {
      base: hsl(hue, r.range(35, 90), r.range(25, 75)),
      accent: hsl(hue + r.range(120, 240), r.range(40, 95), r.range(30, 70)),
      band: hsl(hue + r.range(-30, 30), r.range(20, 90), r.range(10, 90)),
      text: r.chance(0.5) ? '#ffffff' : hsl(hue + 180, 80, r.chance(0.5) ? 15 : 85),
    },
    pattern: r.chance(0.8) ? f.pattern : r.pick(PATTERNS),
    logo: { shape: f.logoShape, color: f.logoColor, ...f.logoPlace },
    size: { lengthCm: f.baseSize.lengthCm * lengthScale, widthCm: f.baseSize.widthCm * lengthScale },
    nominalWeightG: Math.round(f.baseWeightG * scale * r.range(0.97, 1.03)),
    layout: f.layout,
    font: f.font,
    gtin: gtin13(r),
    produce: null,
  };
}

/** Products `[from, from + count)` of the domain. */
export function syntheticProducts(domainSeed: number, from: number, count: number): SyntheticProduct[] {
  return Array.from({ length: count }, (_, i) => syntheticProduct(domainSeed, from + i));
}
