/**
 * Every word the member app shows, in Chinese and English (components hold no text). `{name}` marks a value put in
 * by the translator. The English table is the type the Chinese one must fill.
 */
export type MemberLocale = 'zh' | 'en';

const en = {
  appTitle: 'Member',
  langToggle: '中文',
  loading: 'Loading…',
  signInTitle: 'Sign in',
  memberNumber: 'Member number',
  pin: 'PIN (6 digits)',
  signIn: 'Sign in',
  signInHint: 'No PIN yet, or forgot it? Ask at the service desk for a member app link.',
  enrolTitle: 'Choose your PIN',
  enrolHint: 'You sign in with your member number and this PIN. Staff never see it.',
  newPin: 'New PIN (6 digits)',
  confirmPin: 'The same PIN again',
  enrolSubmit: 'Set PIN and sign in',
  pinMismatch: 'The two PINs differ',
  signOut: 'Sign out',
  showAtCart: 'Show this at the cart’s scanner',
  codeRefresh: 'New code in {seconds} s',
  codeStale: 'Cannot reach the store’s server: the code has expired. Check your connection.',
  codeRetrying: 'Reconnecting…',
  points: 'Points',
  familyPool: 'Family pool: {count} members',
  familyOwner: 'Family pool: {count} members (you own it)',
  ownPool: 'Your points',
  tier: 'Tier',
  coupons: 'Coupons',
  couponsNone: 'No coupons at the moment',
  couponMinSpend: 'On spend over {amount}',
  couponNoMinimum: 'No minimum spend',
  couponValid: 'Valid {from} – {to}',
  couponFallback: 'Coupon {id}',
  'code.MEMBER_LOGIN_FAILED': 'Wrong member number or PIN',
  'code.MEMBER_PIN_LOCKED': 'Too many wrong PINs. Ask at the service desk for a new member app link.',
  'code.MEMBER_PIN_WEAK': 'Choose a PIN that is not one digit repeated, a run (123456) or a repeated pattern',
  'code.MEMBER_APP_LINK_INVALID': 'This link is used, replaced or expired. Ask at the service desk for a new one.',
  'code.LOGIN_THROTTLED': 'Too many tries. Wait {seconds} s and try again.',
  'code.NOT_AUTHENTICATED': 'Please sign in again',
  'code.BAD_REQUEST': 'Check what you typed',
  'code.NETWORK': 'Cannot reach the store’s server. Check your connection.',
  'code.other': 'Something went wrong. Try again.',
};

export type MessageKey = keyof typeof en;
type Messages = Record<MessageKey, string>;

const zh: Messages = {
  appTitle: '会员',
  langToggle: 'English',
  loading: '加载中…',
  signInTitle: '登录',
  memberNumber: '会员号',
  pin: '密码（6位数字）',
  signIn: '登录',
  signInHint: '还没有密码或忘记了？请到服务台领取会员App链接。',
  enrolTitle: '设置密码',
  enrolHint: '以后用会员号和这个密码登录。店员看不到您的密码。',
  newPin: '新密码（6位数字）',
  confirmPin: '再输入一次',
  enrolSubmit: '设置密码并登录',
  pinMismatch: '两次输入的密码不一致',
  signOut: '退出',
  showAtCart: '请在购物车扫码器下出示此码',
  codeRefresh: '{seconds} 秒后刷新',
  codeStale: '无法连接门店服务器，会员码已过期，请检查网络。',
  codeRetrying: '正在重新连接…',
  points: '积分',
  familyPool: '家庭积分池：{count} 位成员',
  familyOwner: '家庭积分池：{count} 位成员（您是户主）',
  ownPool: '我的积分',
  tier: '等级',
  coupons: '优惠券',
  couponsNone: '暂无优惠券',
  couponMinSpend: '满 {amount} 可用',
  couponNoMinimum: '无门槛',
  couponValid: '有效期 {from} – {to}',
  couponFallback: '优惠券 {id}',
  'code.MEMBER_LOGIN_FAILED': '会员号或密码错误',
  'code.MEMBER_PIN_LOCKED': '密码错误次数过多，请到服务台领取新的会员App链接。',
  'code.MEMBER_PIN_WEAK': '密码过于简单：不能是同一数字重复、连续数字（123456）或重复组合',
  'code.MEMBER_APP_LINK_INVALID': '此链接已使用、已被替换或已过期，请到服务台领取新链接。',
  'code.LOGIN_THROTTLED': '尝试次数过多，请 {seconds} 秒后再试。',
  'code.NOT_AUTHENTICATED': '请重新登录',
  'code.BAD_REQUEST': '请检查输入的内容',
  'code.NETWORK': '无法连接门店服务器，请检查网络。',
  'code.other': '出了点问题，请重试。',
};

const TABLES: Record<MemberLocale, Messages> = { zh, en };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(locale: MemberLocale): Translate {
  const table = TABLES[locale];
  return (key, values) => {
    const text = table[key];
    return values ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole)) : text;
  };
}

/** The words for an error code; codes the table does not know get the generic one. */
export function errorKey(code: string): MessageKey {
  const key = `code.${code}`;
  return key in en ? (key as MessageKey) : 'code.other';
}

/** The language saved on this phone, else the browser's first choice (Chinese unless it prefers another). */
export function initialLocale(saved: string | null, browserLanguage: string | undefined): MemberLocale {
  if (saved === 'zh' || saved === 'en') return saved;
  return (browserLanguage ?? 'zh').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
