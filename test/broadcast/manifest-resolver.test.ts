import assert from 'node:assert/strict';
import {
  itemsDue,
  musicWindowAt,
  nextMusicWindow,
  plannedTrackAt,
  promoWindowOpen,
  trackAtIndex,
  volumeAt,
  windowTrackOrder,
} from '../../broadcast/manifest-resolver.ts';
import { seededShuffle } from '../../broadcast/seeded-shuffle.ts';
import { item, manifest, musicWindow, sha } from '../helpers/broadcast-manifest.ts';

const T0 = 1_800_000_000_000;
const H = 3_600_000;

describe('broadcast/manifest-resolver: what a manifest says about a moment', () => {
  it('volume: the covering span, 0 outside every span, spans half-open', () => {
    const m = manifest(T0, {
      volume: [
        { from: T0 + 9 * H, to: T0 + 11 * H, volume: 50 },
        { from: T0 + 11 * H, to: T0 + 14 * H, volume: 65 },
      ],
    });
    assert.deepEqual(
      [T0, T0 + 9 * H - 1, T0 + 9 * H, T0 + 11 * H - 1, T0 + 11 * H, T0 + 14 * H - 1, T0 + 14 * H].map((t) =>
        volumeAt(m, t),
      ),
      [0, 0, 50, 50, 65, 65, 0],
    );
  });

  it('music window at a time and the next one after a gap', () => {
    const a = musicWindow('a', T0, T0 + H, [sha('x')]);
    const b = musicWindow('b', T0 + 2 * H, T0 + 3 * H, [sha('y')]);
    const m = manifest(T0, { music: [b, a] });
    assert.equal(musicWindowAt(m, T0)?.id, 'a');
    assert.equal(musicWindowAt(m, T0 + H), undefined, 'the gap is silence');
    assert.equal(nextMusicWindow(m, T0 + H)?.id, 'b');
    assert.equal(nextMusicWindow(m, T0 + 2 * H), undefined, 'b already open: nothing after it');
  });

  it('track order: the playlist as given without a seed; a seeded shuffle that is deterministic and a permutation', () => {
    const playlist = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(sha);
    assert.deepEqual(windowTrackOrder({ playlist, shuffleSeed: null }), playlist);
    const once = windowTrackOrder({ playlist, shuffleSeed: 42 });
    assert.deepEqual(windowTrackOrder({ playlist, shuffleSeed: 42 }), once, 'same seed, same order');
    assert.deepEqual([...once].sort(), [...playlist].sort(), 'a permutation');
    assert.notDeepEqual(once, playlist, 'shuffled');
    assert.notDeepEqual(windowTrackOrder({ playlist, shuffleSeed: 43 }), once, 'another seed, another order');
    // Pinned: the fleet's calendar and a speaker on another build must agree on this exact order.
    assert.deepEqual(seededShuffle([1, 2, 3, 4, 5, 6, 7, 8], 42), [3, 8, 2, 1, 7, 6, 4, 5]);
  });

  it('planned track: cycles the order by duration, joins mid-window', () => {
    const w = musicWindow('w', T0, T0 + H, [sha('a'), sha('b')]);
    const durations = new Map([
      [sha('a'), 60_000],
      [sha('b'), 90_000],
    ]);
    const at = (t: number) => plannedTrackAt(w, t, (s) => durations.get(s));
    assert.deepEqual(at(T0), { index: 0, sha256: sha('a'), from: T0, to: T0 + 60_000 });
    assert.deepEqual(at(T0 + 60_000), { index: 1, sha256: sha('b'), from: T0 + 60_000, to: T0 + 150_000 });
    assert.deepEqual(at(T0 + 150_000 + 10), { index: 2, sha256: sha('a'), from: T0 + 150_000, to: T0 + 210_000 });
    assert.equal(at(T0 + H), undefined, 'outside the window');
    assert.equal(
      plannedTrackAt(w, T0, () => undefined),
      undefined,
      'no known durations',
    );
    assert.equal(trackAtIndex(w, 3), sha('b'));
  });

  it('items due in [t, t + lookahead), earliest first', () => {
    const m = manifest(T0, {
      items: [
        item('late', T0 + 5000, sha('v'), 1000),
        item('early', T0 + 1000, sha('v'), 1000),
        item('past', T0 - 1, sha('v'), 1000),
      ],
    });
    assert.deepEqual(
      itemsDue(m, T0, 5000).map((i) => i.id),
      ['early'],
    );
    assert.deepEqual(
      itemsDue(m, T0, 5001).map((i) => i.id),
      ['early', 'late'],
    );
  });

  it('promo windows', () => {
    const promo = { windows: [{ from: T0, to: T0 + H }] };
    assert.equal(promoWindowOpen(promo, T0), true);
    assert.equal(promoWindowOpen(promo, T0 + H), false);
  });
});
