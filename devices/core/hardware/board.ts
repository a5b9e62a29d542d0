import five from 'johnny-five';
import { VirtualBoardIO } from './virtual-board-io.ts';

export interface OpenedBoard {
  board: five.Board;
  /** Present when the board is virtual: the simulator drives its inputs. */
  virtualIo: VirtualBoardIO | undefined;
}

/**
 * Opens the device's johnny-five board: Firmata over a serial port on real hardware, {@link VirtualBoardIO} in the
 * simulator and tests. johnny-five's REPL, debug output and SIGINT hook are off: the runtime owns the process.
 */
export async function openBoard(options: {
  io: 'virtual' | 'firmata';
  serialPort?: string | undefined;
  id: string;
  virtualIo?: VirtualBoardIO;
}): Promise<OpenedBoard> {
  const virtualIo = options.io === 'virtual' ? (options.virtualIo ?? new VirtualBoardIO()) : undefined;
  const boardOptions: Record<string, unknown> = {
    id: options.id,
    repl: false,
    debug: false,
    sigint: false,
    timeout: 15_000,
  };
  if (virtualIo) boardOptions.io = virtualIo;
  else boardOptions.port = options.serialPort;
  const board = new five.Board(boardOptions as five.BoardOption);
  await new Promise<void>((resolve, reject) => {
    board.on('ready', () => resolve());
    board.on('error', (err) => reject(err));
  });
  return { board, virtualIo };
}
