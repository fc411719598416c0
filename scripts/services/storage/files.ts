// Object bytes on disk, one file per object id (names never reach the
// file system). Writes go to a temporary file, counted and hashed as they
// stream, and are renamed into place once the row is written.
import { createHash } from "node:crypto";
import { entityTooLarge } from "./errors.ts";

export type Written = { tmp: string; size: number; md5: string };

export class FileStore {
  constructor(readonly dir: string) {
    Deno.mkdirSync(`${dir}/tmp`, { recursive: true });
    Deno.mkdirSync(`${dir}/objects`, { recursive: true });
  }

  path(id: string): string {
    return `${this.dir}/objects/${id}`;
  }

  async write(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Written> {
    const tmp = `${this.dir}/tmp/${crypto.randomUUID()}`;
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    const hash = createHash("md5");
    let size = 0;
    try {
      if (body) {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > limit) throw entityTooLarge();
          hash.update(chunk);
          let off = 0;
          while (off < chunk.byteLength) off += await file.write(chunk.subarray(off));
        }
      }
    } catch (e) {
      file.close();
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    file.close();
    return { tmp, size, md5: hash.digest("hex") };
  }

  async commit(w: Written, id: string): Promise<void> {
    await Deno.rename(w.tmp, this.path(id));
  }

  async discard(w: Written): Promise<void> {
    await Deno.remove(w.tmp).catch(() => {});
  }

  async copy(from: string, to: string): Promise<void> {
    await Deno.copyFile(this.path(from), this.path(to));
  }

  async remove(id: string): Promise<void> {
    await Deno.remove(this.path(id)).catch(() => {});
  }

  async open(id: string): Promise<Deno.FsFile | null> {
    try {
      return await Deno.open(this.path(id), { read: true });
    } catch {
      return null;
    }
  }
}
