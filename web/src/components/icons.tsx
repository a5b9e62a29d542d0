/** Stroke icons drawn for the console (24×24 grid), bundled: no icon font, no network. */

const paths = {
  overview: 'M4 13h6V4H4zM14 20h6v-9h-6zM4 20h6v-4H4zM14 8h6V4h-6z',
  devices: 'M4 6h16M4 12h16M4 18h10',
  map: 'M9 4 3 6v14l6-2 6 2 6-2V4l-6 2-6-2zM9 4v14M15 6v14',
  alerts: 'M12 4 2.5 20h19L12 4zM12 10v4M12 17.2v.1',
  audit: 'M7 3h8l4 4v14H7zM15 3v4h4M10 12h6M10 16h6',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21c0-4 3-6 7-6s7 2 7 6M17 11a3 3 0 1 0 0-6M22 20c0-3-1.8-4.6-4-5.3',
  account: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4.4 3.6-7 8-7s8 2.6 8 7',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
  cart: 'M3 5h2.5l2.2 10h10.1l2-7H7M9.5 19.5h.01M16.5 19.5h.01',
  speaker: 'M5 9h3l5-4v14l-5-4H5zM16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12',
  battery: 'M3 8h15v8H3zM20 11v2',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4',
  chevron: 'M9 6l6 6-6 6',
  close: 'M6 6l12 12M18 6 6 18',
  plus: 'M12 5v14M5 12h14',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6',
  key: 'M14 10a4 4 0 1 0-3.5 4L9 15.5V18H6.5v2H4v-3l6.5-6.5M16 8h.01',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  orders: 'M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6',
  attendants: 'M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 21h4',
  exit: 'M13 4h6v16h-6M4 12h10M10 8l4 4-4 4',
  catalog: 'M3 12V4h8l10 10-8 8zM7.5 8h.01',
  promotions: 'M19 5 5 19M7 9a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM17 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  members: 'M3 6h18v12H3zM7 10h4M7 14h7M16 10h1',
  screen: 'M3 4h18v12H3zM8 20h8M12 16v4',
  recognition:
    'M4 8V5a1 1 0 0 1 1-1h3M16 4h3a1 1 0 0 1 1 1v3M20 16v3a1 1 0 0 1-1 1h-3M8 20H5a1 1 0 0 1-1-1v-3M8 9h8v6H8z',
  updates: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 16.5v-9M8 11l4-4 4 4',
} as const;

export type IconName = keyof typeof paths;

/** Decorative: the text next to an icon says what it means. */
export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={paths[name]} />
    </svg>
  );
}
