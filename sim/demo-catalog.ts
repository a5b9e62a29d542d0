import { gs1CheckDigit } from '../commerce/gtin.ts';
import type { CatalogService } from '../fleet/catalog/catalog-service.ts';
import type { PromotionService } from '../fleet/promotions/promotion-service.ts';
import { DEMO_STORES } from '../fleet/registry/demo-seed.ts';
import type { ImportReport } from '../protocol/api/catalog.ts';
import type { Category, Product, VariableMeasureLayout } from '../protocol/commerce/catalog.ts';
import type { Promotion } from '../protocol/commerce/promotions.ts';
import { mulberry32 } from './simulated-store.ts';

/**
 * The demo chain's catalog, the same on every run (a seeded PRNG, no clock): a category tree of nine departments,
 * a few hundred products with valid GTINs (EAN-13 under China's GS1 prefixes 690-695, a few imported UPC-A and
 * small-pack EAN-8), produce sold by weight with IFPS PLUs, deli items weighed behind the counter and labelled with
 * variable-measure barcodes (prefix 21: price in the label, 22: weight in the label), alcohol and tobacco with a
 * minimum age of 18 (tobacco also always needs an attendant), and a promotion of every kind running.
 */
export interface DemoCatalog {
  categories: Category[];
  products: Product[];
  layouts: VariableMeasureLayout[];
  promotions: Promotion[];
}

type Item = [zh: string, en: string, brand: string | null, priceFen: number, weightG: number];

const DEPARTMENTS: [id: string, zh: string, en: string, children: [string, string, string][]][] = [
  [
    'dairy',
    '乳品',
    'Dairy',
    [
      ['dairy-milk', '牛奶', 'Milk'],
      ['dairy-yogurt', '酸奶', 'Yogurt'],
      ['dairy-cheese', '奶酪黄油', 'Cheese and butter'],
      ['dairy-eggs', '鸡蛋', 'Eggs'],
    ],
  ],
  [
    'bakery',
    '烘焙',
    'Bakery',
    [
      ['bakery-bread', '面包', 'Bread'],
      ['bakery-cakes', '蛋糕点心', 'Cakes and pastries'],
    ],
  ],
  [
    'produce',
    '生鲜果蔬',
    'Produce',
    [
      ['produce-fruit', '水果', 'Fruit'],
      ['produce-vegetables', '蔬菜', 'Vegetables'],
    ],
  ],
  [
    'deli',
    '熟食',
    'Deli',
    [
      ['deli-cooked', '熟食卤味', 'Cooked meats'],
      ['deli-salads', '沙拉凉菜', 'Salads'],
    ],
  ],
  [
    'beverages',
    '饮料',
    'Beverages',
    [
      ['beverages-water', '饮用水', 'Water'],
      ['beverages-juice', '果汁', 'Juice'],
      ['beverages-soft', '碳酸饮料', 'Soft drinks'],
      ['beverages-tea', '茶饮', 'Tea drinks'],
      ['beverages-coffee', '咖啡', 'Coffee'],
    ],
  ],
  [
    'alcohol',
    '酒类',
    'Beer, wine and spirits',
    [
      ['alcohol-beer', '啤酒', 'Beer'],
      ['alcohol-wine', '葡萄酒', 'Wine'],
      ['alcohol-spirits', '白酒烈酒', 'Spirits'],
    ],
  ],
  ['tobacco', '烟草', 'Tobacco', []],
  [
    'household',
    '日用百货',
    'Household',
    [
      ['household-cleaning', '清洁用品', 'Cleaning'],
      ['household-paper', '纸品', 'Paper goods'],
      ['household-personal', '个人护理', 'Personal care'],
    ],
  ],
  [
    'pantry',
    '粮油调味',
    'Pantry',
    [
      ['pantry-staples', '米面粮油', 'Rice, noodles and oil'],
      ['pantry-sauces', '调味品', 'Sauces and seasoning'],
    ],
  ],
  ['frozen', '冷冻食品', 'Frozen', [['frozen-dumplings', '速冻水饺', 'Dumplings and buns']]],
  [
    'snacks',
    '休闲零食',
    'Snacks',
    [
      ['snacks-chips', '薯片膨化', 'Chips'],
      ['snacks-biscuits', '饼干', 'Biscuits'],
      ['snacks-candy', '糖果巧克力', 'Candy and chocolate'],
      ['snacks-nuts', '坚果炒货', 'Nuts and seeds'],
    ],
  ],
];

/** Packaged items per category: [zh, en, brand, price in fen, weight in g]; each comes in the sizes of its row. */
const PACKAGED: Record<
  string,
  { items: Item[]; sizes: [zh: string, en: string, priceFactor: number, weightFactor: number][] }
> = {
  'dairy-milk': {
    items: [
      ['全脂牛奶', 'Whole milk', '光明', 1250, 1050],
      ['低脂牛奶', 'Low-fat milk', '蒙牛', 1290, 1050],
      ['有机牛奶', 'Organic milk', '伊利', 1890, 1050],
      ['高钙牛奶', 'High-calcium milk', '三元', 1390, 1050],
      ['燕麦奶', 'Oat drink', 'OATLY', 2190, 1080],
    ],
    sizes: [
      ['1升', '1 L', 1, 1],
      ['250毫升', '250 ml', 0.32, 0.27],
      ['2升', '2 L', 1.85, 2],
    ],
  },
  'dairy-yogurt': {
    items: [
      ['原味酸奶', 'Plain yogurt', '简爱', 690, 420],
      ['草莓酸奶', 'Strawberry yogurt', '安慕希', 750, 420],
      ['希腊酸奶', 'Greek yogurt', '乐纯', 990, 400],
      ['蓝莓酸奶', 'Blueberry yogurt', '君乐宝', 720, 420],
    ],
    sizes: [
      ['大杯', 'large', 1, 1],
      ['小杯', 'small', 0.45, 0.35],
      ['4杯装', 'pack of 4', 1.6, 1.3],
    ],
  },
  'dairy-cheese': {
    items: [
      ['切片奶酪', 'Cheese slices', '妙可蓝多', 2590, 220],
      ['黄油', 'Butter', '安佳', 3290, 240],
      ['马苏里拉', 'Mozzarella', '百吉福', 2890, 260],
    ],
    sizes: [['标准装', 'regular', 1, 1]],
  },
  'dairy-eggs': {
    items: [
      ['鲜鸡蛋', 'Fresh eggs', '德青源', 1590, 600],
      ['土鸡蛋', 'Free-range eggs', '黄天鹅', 2990, 550],
      ['鹌鹑蛋', 'Quail eggs', null, 1290, 300],
    ],
    sizes: [
      ['10枚', '10 pack', 1, 1],
      ['30枚', '30 pack', 2.8, 3],
    ],
  },
  'beverages-coffee': {
    items: [
      ['冷萃咖啡', 'Cold brew coffee', '三顿半', 990, 300],
      ['拿铁', 'Latte', '星巴克', 1290, 300],
      ['美式咖啡', 'Americano', '雀巢', 690, 300],
      ['挂耳咖啡', 'Drip bag coffee', '永璞', 3990, 120],
      ['速溶咖啡', 'Instant coffee', '雀巢', 4590, 500],
    ],
    sizes: [
      ['单瓶', 'bottle', 1, 1],
      ['4瓶装', 'pack of 4', 3.6, 4],
    ],
  },
  'household-personal': {
    items: [
      ['牙膏', 'Toothpaste', '云南白药', 2990, 200],
      ['洗发水', 'Shampoo', '海飞丝', 4990, 780],
      ['沐浴露', 'Shower gel', '多芬', 3990, 780],
      ['洗手液', 'Hand soap', '滴露', 1990, 550],
      ['牙刷', 'Toothbrush', '高露洁', 1290, 40],
      ['面巾纸', 'Facial tissues', '洁柔', 990, 150],
    ],
    sizes: [
      ['标准装', 'regular', 1, 1],
      ['双支装', 'twin pack', 1.8, 2],
    ],
  },
  'pantry-staples': {
    items: [
      ['东北大米', 'Northeast rice', '五常', 5990, 5000],
      ['挂面', 'Dried noodles', '金沙河', 890, 1000],
      ['花生油', 'Peanut oil', '鲁花', 8990, 5000],
      ['面粉', 'Flour', '香雪', 2490, 2500],
      ['小米', 'Millet', '沁州黄', 1990, 1000],
    ],
    sizes: [
      ['标准装', 'regular', 1, 1],
      ['小包装', 'small pack', 0.3, 0.2],
    ],
  },
  'pantry-sauces': {
    items: [
      ['生抽', 'Light soy sauce', '海天', 1290, 550],
      ['老抽', 'Dark soy sauce', '李锦记', 1390, 550],
      ['香醋', 'Black vinegar', '恒顺', 990, 550],
      ['蚝油', 'Oyster sauce', '李锦记', 1590, 580],
      ['辣椒酱', 'Chilli sauce', '老干妈', 1190, 280],
    ],
    sizes: [
      ['标准瓶', 'bottle', 1, 1],
      ['大瓶', 'large bottle', 1.7, 1.9],
    ],
  },
  'frozen-dumplings': {
    items: [
      ['猪肉白菜水饺', 'Pork and cabbage dumplings', '湾仔码头', 2690, 720],
      ['三鲜水饺', 'Three-delicacy dumplings', '思念', 2290, 720],
      ['汤圆', 'Glutinous rice balls', '三全', 1590, 500],
      ['小笼包', 'Soup buns', '必品阁', 2990, 600],
      ['葱油饼', 'Scallion pancakes', '正大', 1890, 500],
      ['馄饨', 'Wontons', '湾仔码头', 2490, 500],
    ],
    sizes: [
      ['标准装', 'bag', 1, 1],
      ['家庭装', 'family bag', 1.8, 2],
    ],
  },
  'snacks-nuts': {
    items: [
      ['每日坚果', 'Daily nut mix', '三只松鼠', 6990, 750],
      ['开心果', 'Pistachios', '百草味', 3990, 400],
      ['夏威夷果', 'Macadamias', '良品铺子', 3590, 300],
      ['瓜子', 'Sunflower seeds', '洽洽', 990, 260],
      ['巴旦木', 'Almonds', '三只松鼠', 2990, 300],
      ['腰果', 'Cashews', '沃隆', 4290, 400],
    ],
    sizes: [
      ['标准装', 'bag', 1, 1],
      ['小包装', 'snack bag', 0.35, 0.3],
    ],
  },
  'bakery-bread': {
    items: [
      ['全麦吐司', 'Wholemeal toast', '桃李', 990, 420],
      ['牛奶吐司', 'Milk toast', '曼可顿', 1090, 420],
      ['法棍', 'Baguette', null, 890, 260],
      ['黑麦面包', 'Rye bread', null, 1590, 500],
    ],
    sizes: [
      ['整条', 'loaf', 1, 1],
      ['半条', 'half', 0.55, 0.5],
    ],
  },
  'bakery-cakes': {
    items: [
      ['蛋黄酥', 'Egg yolk pastry', '稻香村', 3590, 330],
      ['瑞士卷', 'Swiss roll', '好利来', 2490, 300],
      ['月饼礼盒', 'Mooncake box', '杏花楼', 12800, 760],
      ['铜锣烧', 'Dorayaki', null, 1290, 200],
    ],
    sizes: [['盒装', 'box', 1, 1]],
  },
  'beverages-water': {
    items: [
      ['矿泉水', 'Mineral water', '农夫山泉', 200, 570],
      ['纯净水', 'Purified water', '怡宝', 180, 570],
      ['苏打水', 'Soda water', '屈臣氏', 450, 360],
      ['气泡水', 'Sparkling water', '元气森林', 550, 500],
    ],
    sizes: [
      ['单瓶', 'bottle', 1, 1],
      ['12瓶装', 'pack of 12', 10, 12],
      ['1.5升', '1.5 L', 1.6, 2.6],
    ],
  },
  'beverages-juice': {
    items: [
      ['橙汁', 'Orange juice', '汇源', 1590, 1050],
      ['苹果汁', 'Apple juice', '味全', 1490, 1050],
      ['椰子水', 'Coconut water', 'if', 890, 370],
      ['NFC橙汁', 'NFC orange juice', '农夫山泉', 1990, 950],
    ],
    sizes: [
      ['1升', '1 L', 1, 1],
      ['300毫升', '300 ml', 0.38, 0.3],
      ['2升', '2 L', 1.8, 2],
    ],
  },
  'beverages-soft': {
    items: [
      ['可乐', 'Cola', '可口可乐', 350, 350],
      ['无糖可乐', 'Cola zero', '可口可乐', 350, 350],
      ['雪碧', 'Lemon-lime soda', '雪碧', 350, 350],
      ['橙味汽水', 'Orange soda', '芬达', 350, 350],
      ['冰红茶', 'Iced black tea', '康师傅', 300, 520],
    ],
    sizes: [
      ['罐装', 'can', 1, 1],
      ['2升', '2 L', 2.6, 6],
      ['24罐装', 'case of 24', 19, 24],
    ],
  },
  'beverages-tea': {
    items: [
      ['乌龙茶', 'Oolong tea', '三得利', 550, 520],
      ['绿茶', 'Green tea', '东方树叶', 550, 520],
      ['茉莉花茶', 'Jasmine tea', '统一', 450, 520],
    ],
    sizes: [
      ['单瓶', 'bottle', 1, 1],
      ['6瓶装', 'pack of 6', 5.4, 6],
    ],
  },
  'alcohol-beer': {
    items: [
      ['青岛啤酒', 'Tsingtao lager', '青岛', 650, 520],
      ['雪花啤酒', 'Snow beer', '雪花', 550, 520],
      ['精酿IPA', 'Craft IPA', '熊猫精酿', 1890, 360],
      ['小麦啤酒', 'Wheat beer', '百威', 890, 520],
      ['黑啤', 'Stout', '健力士', 1590, 480],
    ],
    sizes: [
      ['单罐', 'can', 1, 1],
      ['6罐装', 'six-pack', 5.5, 6],
      ['24罐装', 'case of 24', 20, 24],
    ],
  },
  'alcohol-wine': {
    items: [
      ['赤霞珠干红', 'Cabernet Sauvignon', '长城', 8900, 1300],
      ['霞多丽干白', 'Chardonnay', '张裕', 7900, 1300],
      ['桃红葡萄酒', 'Rosé', '奔富', 12900, 1300],
      ['起泡酒', 'Sparkling wine', '蒙特斯', 15900, 1500],
    ],
    sizes: [['750毫升', '750 ml', 1, 1]],
  },
  'alcohol-spirits': {
    items: [
      ['白酒', 'Baijiu', '五粮液', 109900, 1100],
      ['二锅头', 'Erguotou', '红星', 1900, 700],
      ['威士忌', 'Whisky', '尊尼获加', 26900, 1400],
      ['黄酒', 'Huangjiu rice wine', '古越龙山', 3900, 1000],
    ],
    sizes: [['标准瓶', 'bottle', 1, 1]],
  },
  tobacco: {
    items: [
      ['香烟', 'Cigarettes', '中华', 6500, 30],
      ['香烟(细支)', 'Slim cigarettes', '黄鹤楼', 4500, 25],
      ['香烟(薄荷)', 'Menthol cigarettes', '南京', 3500, 30],
    ],
    sizes: [
      ['单包', 'pack', 1, 1],
      ['条装', 'carton', 10, 10],
    ],
  },
  'household-cleaning': {
    items: [
      ['洗洁精', 'Dish soap', '立白', 1290, 1150],
      ['洗衣液', 'Laundry liquid', '蓝月亮', 3990, 2100],
      ['消毒液', 'Disinfectant', '威露士', 2490, 1050],
      ['玻璃清洁剂', 'Glass cleaner', '超能', 1590, 550],
    ],
    sizes: [
      ['标准装', 'regular', 1, 1],
      ['补充装', 'refill', 0.8, 0.9],
    ],
  },
  'household-paper': {
    items: [
      ['抽纸', 'Tissues', '维达', 2590, 1200],
      ['卷纸', 'Toilet rolls', '清风', 3290, 1600],
      ['厨房纸', 'Kitchen towels', '心相印', 1890, 800],
    ],
    sizes: [
      ['标准装', 'regular', 1, 1],
      ['家庭装', 'family pack', 1.8, 2],
    ],
  },
  'snacks-chips': {
    items: [
      ['原味薯片', 'Salted crisps', '乐事', 790, 75],
      ['黄瓜味薯片', 'Cucumber crisps', '乐事', 790, 75],
      ['番茄味薯片', 'Tomato crisps', '可比克', 690, 70],
      ['虾条', 'Prawn crackers', '上好佳', 590, 60],
      ['玉米片', 'Tortilla chips', '多力多滋', 890, 90],
    ],
    sizes: [
      ['标准装', 'bag', 1, 1],
      ['大包装', 'large bag', 1.7, 2],
      ['迷你装', 'mini bag', 0.45, 0.4],
    ],
  },
  'snacks-biscuits': {
    items: [
      ['夹心饼干', 'Sandwich cookies', '奥利奥', 990, 290],
      ['苏打饼干', 'Soda crackers', '康师傅', 690, 400],
      ['曲奇', 'Butter cookies', '丹麦蓝罐', 4590, 460],
      ['威化饼', 'Wafers', '嘉顿', 790, 200],
    ],
    sizes: [['标准装', 'pack', 1, 1]],
  },
  'snacks-candy': {
    items: [
      ['牛奶巧克力', 'Milk chocolate', '德芙', 1290, 100],
      ['黑巧克力', 'Dark chocolate', '瑞士莲', 2590, 100],
      ['大白兔奶糖', 'White Rabbit candy', '冠生园', 1590, 230],
      ['口香糖', 'Chewing gum', '绿箭', 590, 40],
      ['软糖', 'Gummies', '徐福记', 990, 200],
    ],
    sizes: [
      ['标准装', 'pack', 1, 1],
      ['分享装', 'sharing bag', 2.2, 2.4],
      ['单颗装', 'single', 0.2, 0.15],
    ],
  },
};

/** Loose produce, weighed by the shopper on the cart: [zh, en, fen per kg, IFPS PLU]. */
const PRODUCE: Record<string, [string, string, number, string][]> = {
  'produce-fruit': [
    ['香蕉', 'Bananas', 799, '4011'],
    ['富士苹果', 'Fuji apples', 1299, '4131'],
    ['红提', 'Red grapes', 1999, '4023'],
    ['脐橙', 'Navel oranges', 999, '3107'],
    ['柠檬', 'Lemons', 1599, '4053'],
    ['猕猴桃', 'Kiwifruit', 1999, '4030'],
    ['芒果', 'Mangoes', 1899, '4051'],
    ['梨', 'Pears', 899, '4409'],
    ['桃子', 'Peaches', 1499, '4038'],
    ['西瓜', 'Watermelon', 399, '4032'],
    ['哈密瓜', 'Hami melon', 699, '4319'],
    ['牛油果', 'Avocados', 2999, '4046'],
    ['有机香蕉', 'Organic bananas', 1299, '94011'],
    ['有机苹果', 'Organic apples', 1999, '94131'],
  ],
  'produce-vegetables': [
    ['西红柿', 'Tomatoes', 699, '4664'],
    ['黄瓜', 'Cucumbers', 599, '4062'],
    ['土豆', 'Potatoes', 399, '4072'],
    ['胡萝卜', 'Carrots', 399, '4562'],
    ['洋葱', 'Onions', 349, '4093'],
    ['西兰花', 'Broccoli', 1199, '4060'],
    ['青椒', 'Green peppers', 799, '4065'],
    ['大白菜', 'Napa cabbage', 299, '4552'],
    ['茄子', 'Aubergines', 699, '4081'],
    ['生姜', 'Ginger', 1599, '4612'],
    ['大蒜', 'Garlic', 1299, '4608'],
    ['菠菜', 'Spinach', 999, '4090'],
    ['有机西红柿', 'Organic tomatoes', 1299, '94664'],
  ],
};

/** Deli counter items, weighed and labelled by the counter's scale: [zh, en, fen per kg, 5-digit PLU (label item ref)]. */
const DELI: Record<string, [string, string, number, string][]> = {
  'deli-cooked': [
    ['酱牛肉', 'Braised beef', 16800, '20101'],
    ['白切鸡', 'Poached chicken', 7800, '20102'],
    ['卤鸭脖', 'Braised duck necks', 6800, '20103'],
    ['叉烧', 'Char siu pork', 9800, '20104'],
    ['烤鸭', 'Roast duck', 8800, '20105'],
    ['卤猪蹄', 'Braised trotters', 5800, '20106'],
    ['盐水鸭', 'Salted duck', 7600, '20107'],
    ['熏鱼', 'Smoked fish', 9600, '20108'],
  ],
  'deli-salads': [
    ['凉拌木耳', 'Wood ear salad', 4800, '20201'],
    ['拍黄瓜', 'Smashed cucumber', 3200, '20202'],
    ['凉拌海带', 'Kelp salad', 3600, '20203'],
    ['土豆沙拉', 'Potato salad', 4200, '20204'],
    ['夫妻肺片', 'Spicy beef slices', 12800, '20205'],
  ],
};

const CN_COMPANIES = ['6901234', '6902538', '6920152', '6932134', '6948939', '6954767'];

/** EAN-13 (or UPC-A / EAN-8) with its GS1 check digit. */
function withCheckDigit(digits: string): string {
  return `${digits}${gs1CheckDigit(digits)}`;
}

/** The demo catalog. `window` bounds every promotion (default: running from 2025 to 2099). */
export function demoCatalog(
  window: { from: string; to: string } = { from: '2025-01-01', to: '2099-12-31' },
): DemoCatalog {
  const random = mulberry32(8);
  const categories: Category[] = [];
  for (const [id, zh, en, children] of DEPARTMENTS) {
    categories.push({ id, parentId: null, name: { zh, en } });
    for (const [childId, childZh, childEn] of children) {
      categories.push({ id: childId, parentId: id, name: { zh: childZh, en: childEn } });
    }
  }

  const products: Product[] = [];
  let itemRef = 0;
  const nextGtin = (): string[] => {
    itemRef++;
    // Mostly Chinese EAN-13; every 11th an imported UPC-A, every 17th a small-pack EAN-8 beside its EAN-13.
    if (itemRef % 11 === 0) return [withCheckDigit(`0${String(71_000_000 + itemRef * 37).padStart(10, '0')}`)];
    const company = CN_COMPANIES[itemRef % CN_COMPANIES.length] as string;
    const ean13 = withCheckDigit(`${company}${String(itemRef).padStart(5, '0')}`);
    if (itemRef % 17 === 0) return [ean13, withCheckDigit(`693${String(itemRef).padStart(4, '0')}`)];
    return [ean13];
  };
  for (const [categoryId, { items, sizes }] of Object.entries(PACKAGED)) {
    const department = categories.find((c) => c.id === categoryId)?.parentId ?? categoryId;
    items.forEach(([zh, en, brand, priceFen, weightG], i) => {
      sizes.forEach(([sizeZh, sizeEn, priceFactor, weightFactor], s) => {
        const nominal = Math.round(weightG * weightFactor);
        // A price ending in 0 or 9 fen, as shelf prices do, varied a little per item.
        const price = Math.max(100, Math.round((priceFen * priceFactor * (0.95 + random() * 0.1)) / 10) * 10 - (i % 2));
        products.push({
          sku: `${categoryId}-${i + 1}${sizes.length > 1 ? `-${s + 1}` : ''}`.toUpperCase(),
          gtins: nextGtin(),
          plu: null,
          name: {
            zh: `${brand ?? ''}${zh} ${sizeZh}`.trim(),
            en: `${brand && /^[A-Za-z]/.test(brand) ? `${brand} ` : ''}${en}, ${sizeEn}`,
          },
          brand,
          categoryId,
          soldBy: 'each',
          priceFen: price,
          nominalWeightG: nominal,
          // Scales confirm within 5 % or 10 g, whichever is more (packaging varies).
          weightToleranceG: Math.max(10, Math.round(nominal * 0.05)),
          tareG: null,
          minAge: department === 'alcohol' || department === 'tobacco' ? 18 : null,
          needsAttendant: department === 'tobacco',
          available: true,
        });
      });
    });
  }
  for (const [table, loose] of [
    [PRODUCE, 'produce'],
    [DELI, 'deli'],
  ] as const) {
    for (const [categoryId, rows] of Object.entries(table)) {
      rows.forEach(([zh, en, fenPerKg, plu], i) => {
        products.push({
          sku: `${categoryId}-${i + 1}`.toUpperCase(),
          gtins: [],
          plu,
          name: { zh, en },
          brand: null,
          categoryId,
          soldBy: 'weight',
          priceFen: fenPerKg,
          nominalWeightG: null,
          weightToleranceG: null,
          // Loose produce goes in a thin bag (5 g); deli items come in a tray the label already nets out.
          tareG: loose === 'produce' ? 5 : null,
          minAge: null,
          needsAttendant: false,
          available: true,
        });
      });
    }
  }

  // GS1 restricted-circulation numbers 20-29: the chain prints 21 (price) and 22 (weight) labels at the deli
  // counter as 2P IIIII VVVVV C: item reference = the product's PLU, value in fen or grams, EAN check digit.
  const layouts: VariableMeasureLayout[] = [
    {
      id: 'price-label',
      prefixes: ['21'],
      itemRef: { start: 2, length: 5 },
      value: { start: 7, length: 5 },
      valueKind: 'price',
      valueCheckDigit: null,
    },
    {
      id: 'weight-label',
      prefixes: ['22'],
      itemRef: { start: 2, length: 5 },
      value: { start: 7, length: 5 },
      valueKind: 'weight',
      valueCheckDigit: null,
    },
  ];

  const [xuhui] = DEMO_STORES;
  const base = {
    window,
    scope: { storeIds: [], regions: [] },
    stacking: 'stackable' as const,
    priority: 100,
    memberOnly: false,
    memberTiers: [],
    couponRequired: false,
  };
  const promotions: Promotion[] = [
    {
      ...base,
      id: 'yogurt-weekdays-20',
      name: { zh: '工作日酸奶八折', en: 'Yogurt 20% off on weekdays' },
      kind: 'percent_off',
      target: { categoryIds: ['dairy-yogurt'] },
      window: { ...window, weekdays: [1, 2, 3, 4, 5] },
      percentOff: 20,
    },
    {
      ...base,
      id: 'butter-2-off',
      name: { zh: '黄油立减2元', en: '¥2 off butter' },
      kind: 'amount_off',
      target: { skus: ['DAIRY-CHEESE-2'] },
      amountOffFen: 200,
    },
    {
      ...base,
      id: 'soft-drinks-3-for-10',
      name: { zh: '汽水任选3罐10元', en: 'Any 3 cans of soda for ¥10' },
      kind: 'multi_buy',
      target: { skus: ['BEVERAGES-SOFT-1-1', 'BEVERAGES-SOFT-2-1', 'BEVERAGES-SOFT-3-1', 'BEVERAGES-SOFT-4-1'] },
      quantity: 3,
      priceFen: 1000,
    },
    {
      ...base,
      id: 'chips-buy-2-get-1',
      name: { zh: '薯片买二送一', en: 'Chips: buy 2, get the cheapest free' },
      kind: 'buy_x_get_y',
      target: { categoryIds: ['snacks-chips'] },
      buy: 2,
      get: 1,
      getPercentOff: 100,
    },
    {
      ...base,
      id: 'spend-100-save-20',
      name: { zh: '满100减20', en: 'Spend ¥100, save ¥20' },
      kind: 'spend_threshold',
      target: {},
      stacking: 'exclusive',
      priority: 10,
      minSpendFen: 10_000,
      amountOffFen: 2_000,
      repeat: false,
    },
    {
      ...base,
      id: 'members-milk',
      name: { zh: '会员价全脂牛奶', en: 'Member price: whole milk' },
      kind: 'member_price',
      target: { skus: ['DAIRY-MILK-1-1'] },
      memberOnly: true,
      priceFen: 990,
    },
    {
      ...base,
      id: 'wine-coupon-30',
      name: { zh: '葡萄酒七折券', en: 'Wine 30% off with a coupon' },
      kind: 'percent_off',
      target: { categoryIds: ['alcohol-wine'] },
      memberOnly: true,
      couponRequired: true,
      percentOff: 30,
    },
    {
      ...base,
      id: 'xuhui-beer-happy-hour',
      name: { zh: '徐汇店周末啤酒欢乐时光', en: 'Xuhui weekend beer happy hour' },
      kind: 'percent_off',
      target: { categoryIds: ['alcohol-beer'] },
      window: { ...window, weekdays: [5, 6, 7], hours: [['17:00', '21:00']] },
      scope: { storeIds: [xuhui?.id ?? 'hf-shanghai-xuhui'], regions: [] },
      percentOff: 15,
    },
  ];
  return { categories, products, layouts, promotions };
}

/**
 * A deli label as the counter's scale prints it (see the layouts above): `21` + PLU + price in fen, or `22` + PLU +
 * grams, each 5 digits, with the EAN-13 check digit.
 */
export function variableMeasureLabel(kind: 'price' | 'weight', plu: string, value: number): string {
  return withCheckDigit(`${kind === 'price' ? '21' : '22'}${plu.padStart(5, '0')}${String(value).padStart(5, '0')}`);
}

/**
 * Loads the demo catalog through the fleet's own services, as an operator would: one all-or-nothing import, the
 * layouts, then each promotion as HQ. Running it again changes nothing but the update times.
 */
export async function loadDemoCatalog(
  services: { catalog: CatalogService; promotions: PromotionService },
  catalog: DemoCatalog = demoCatalog(),
): Promise<ImportReport> {
  const report = await services.catalog.import(
    { format: 'json', body: { categories: catalog.categories, products: catalog.products } },
    false,
  );
  await services.catalog.replaceLayouts(catalog.layouts, 'demo');
  for (const promotion of catalog.promotions) {
    await services.promotions.put({ username: 'demo', storeIds: null }, promotion.id, promotion);
  }
  return report;
}
