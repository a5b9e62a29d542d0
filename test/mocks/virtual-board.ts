import five from 'johnny-five';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';

/** A johnny-five board on a fresh virtual IO (no REPL, no debug output, no SIGINT hook), once it is ready. */
export async function openVirtualBoard(): Promise<{ board: five.Board; io: VirtualBoardIO }> {
  const io = new VirtualBoardIO();
  const board = new five.Board({ io, repl: false, debug: false, sigint: false } as five.BoardOption);
  await new Promise<void>((resolve, reject) => {
    board.on('ready', () => resolve());
    board.on('error', (err: Error) => reject(err));
  });
  return { board, io };
}
