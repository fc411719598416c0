// multipart/form-data as storage-js sends a Blob: fields cacheControl and
// metadata, and the file in a part whose name is empty. Deno's own
// Request.formData() drops parts with an empty name, so the parts are read
// here from the body's bytes.
import { Buffer } from "node:buffer";

export type Part = { name: string; filename: string | null; type: string | null; data: Uint8Array };

export function boundaryOf(contentType: string): string | null {
  const m = contentType.match(/boundary=(?:"([^"]+)"|([^;]+))/i);
  return m ? (m[1] ?? m[2]).trim() : null;
}

export function parseMultipart(body: Uint8Array, boundary: string): Part[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let at = buf.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (buf[start] === 0x2d && buf[start + 1] === 0x2d) break; // closing --boundary--
    if (buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
    const next = buf.indexOf(delimiter, start);
    if (next === -1) break;
    const headEnd = buf.indexOf("\r\n\r\n", start);
    if (headEnd === -1 || headEnd > next) break;
    const head = buf.subarray(start, headEnd).toString("utf8");
    let end = next;
    if (buf[end - 2] === 0x0d && buf[end - 1] === 0x0a) end -= 2;
    const disposition = head.match(/content-disposition:([^\r\n]*)/i)?.[1] ?? "";
    parts.push({
      name: disposition.match(/\bname="([^"]*)"/i)?.[1] ?? "",
      filename: disposition.match(/\bfilename="([^"]*)"/i)?.[1] ?? null,
      type: head.match(/content-type:\s*([^\r\n]*)/i)?.[1]?.trim() ?? null,
      data: body.subarray(headEnd + 4, end),
    });
    at = next;
  }
  return parts;
}
