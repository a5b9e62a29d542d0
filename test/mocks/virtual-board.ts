import five from 'johnny-five';
import { VirtualBoardIO, type VirtualBoardOptions } from '../../devices/core/hardware/virtual-board-io.ts';

/**
 * A johnny-five board on a fresh virtual IO (no REPL, no debug output, no SIGINT hook), once it is ready. Pass a
 * FakeClock to step its continuous I2C reads.
 */
export async function openVirtualBoard(
  options: VirtualBoardOptions = {},
): Promise<{ board: five.Board; io: VirtualBoardIO }> {
  const io = new VirtualBoardIO(options);
  const board = new five.Board({ io, repl: false, debug: false, sigint: false } as five.BoardOption);
  await new Promise<void>((resolve, reject) => {
    board.on('ready', () => resolve());
    board.on('error', (err: Error) => reject(err));
  });
  return { board, io };
}
