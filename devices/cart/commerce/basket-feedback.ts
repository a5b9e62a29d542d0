import type { CartScreenState } from '../../../protocol/commerce/cart-screen.ts';
import type { BasketSignals } from '../hardware/basket-signals.ts';

/**
 * What the basket light and buzzer say about the trip, from each new screen state: red blinking while an attendant
 * is called, amber while the cart asks the shopper something (a weight prompt, a refused scan), green while
 * shopping, off between shoppers; one beep when an item is confirmed, two for a refusal, a long one for an attendant.
 */
export class BasketFeedback {
  private confirmed = 0;
  private noticeAt = 0;
  private attendantAt = 0;

  constructor(private readonly signals: BasketSignals) {}

  show(state: CartScreenState): void {
    const light = state.attendant
      ? 'attendant'
      : state.prompt || state.notice
        ? 'attention'
        : state.session.state === 'idle'
          ? 'off'
          : 'ready';
    if (this.signals.light !== light) this.signals.setLight(light);
    const confirmed = state.lines.reduce((n, l) => n + l.confirmedQuantity, 0);
    if (confirmed > this.confirmed) this.signals.beep('accept');
    this.confirmed = confirmed;
    if (state.notice && state.notice.at !== this.noticeAt) {
      this.noticeAt = state.notice.at;
      this.signals.beep('error');
    }
    if (state.attendant && state.attendant.at !== this.attendantAt) {
      this.attendantAt = state.attendant.at;
      this.signals.beep('attendant');
    }
  }
}
