import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePhoto, thumbnailOf } from './product-photo.ts';

/** Side of the thumbnails the console lists photos with (an 88 px cell on a 2× screen). */
export const CONSOLE_THUMBNAIL_PX = 176;

/**
 * Photo files, content-addressed as release artifacts are: `{dataDir}/vision/photos/{sha256}`, one file per sha256
 * whichever stores and products name it. Written to `vision/tmp/` and renamed, so a file under its name is whole.
 * Each photo's console thumbnail is made the first time it is asked for and kept in `vision/thumbnails/{sha256}.jpg`
 * (a phone's 4 MB photo is not what a list of 40 products should load).
 */
export class PhotoFiles {
  private readonly dir: string;
  private readonly thumbs: string;
  private readonly tmp: string;
  private readonly making = new Map<string, Promise<string>>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'vision', 'photos');
    this.thumbs = join(dataDir, 'vision', 'thumbnails');
    this.tmp = join(dataDir, 'vision', 'tmp');
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.thumbs, { recursive: true });
    await rm(this.tmp, { recursive: true, force: true });
    await mkdir(this.tmp, { recursive: true });
  }

  static sha256(bytes: Buffer): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256);
  }

  async write(sha256: string, bytes: Buffer): Promise<void> {
    await this.writeWhole(this.pathOf(sha256), sha256, bytes);
  }

  /** The path of the photo's console thumbnail (a JPEG of its centre square), made on first use. */
  thumbnailPath(sha256: string): Promise<string> {
    const path = join(this.thumbs, `${sha256}.jpg`);
    const pending = this.making.get(sha256);
    if (pending) return pending;
    const made = (async () => {
      try {
        await stat(path);
      } catch {
        const photo = await decodePhoto(await this.read(sha256));
        await this.writeWhole(path, sha256, await thumbnailOf(photo, CONSOLE_THUMBNAIL_PX));
      }
      return path;
    })().finally(() => this.making.delete(sha256));
    this.making.set(sha256, made);
    return made;
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
    await rm(join(this.thumbs, `${sha256}.jpg`), { force: true });
  }

  private async writeWhole(path: string, sha256: string, bytes: Buffer): Promise<void> {
    const temp = join(this.tmp, `${sha256}.${randomBytes(4).toString('hex')}`);
    await writeFile(temp, bytes);
    await rename(temp, path);
  }
}
