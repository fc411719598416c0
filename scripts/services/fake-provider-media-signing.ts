// Short-lived media URLs carry an expiry and a signature over it, as Meta's
// lookaside URLs (ext, hash) and WhatsApp's pps avatar URLs (oe, oh) do, so
// a client cannot stretch one by editing its query.

export function createUrlSigner() {
  const key = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]) as Promise<CryptoKey>;

  async function sign(subject: string, expiresAt: number): Promise<string> {
    const mac = await crypto.subtle.sign(
      "HMAC",
      await key,
      new TextEncoder().encode(`${subject}\0${expiresAt}`),
    );
    return Array.from(new Uint8Array(mac).subarray(0, 16), (b) => b.toString(16).padStart(2, "0"))
      .join("");
  }

  return {
    sign,
    // "expired" only for a genuine URL past its time; a forged one is "invalid".
    async check(
      subject: string,
      expiresAt: number,
      signature: string | null,
    ): Promise<"ok" | "expired" | "invalid"> {
      if (!Number.isFinite(expiresAt) || signature !== await sign(subject, expiresAt)) {
        return "invalid";
      }
      return expiresAt * 1000 < Date.now() ? "expired" : "ok";
    },
  };
}
