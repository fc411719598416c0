// A delivery as private.claim_hook_jobs hands it out.
export type HookJob = {
  job_id: string | number;
  hook_id: string;
  // "msg_...": the same on every retry and replay of this event to this hook
  webhook_id: string;
  event_type: string;
  // the envelope, sent as exactly these bytes
  body: string;
  url: string;
  method: string;
  // plain and secret header values
  headers: Record<string, string> | null;
  // whsec_ secrets that sign: the current one first, then the previous one
  // while a rotation overlaps
  secrets: string[];
  timeout_ms: number;
  allow_insecure: boolean;
  attempt: number;
  max_attempts: number;
};

// What private.record_hook_results takes for one job.
export type HookResult = {
  job_id: number;
  outcome: "delivered" | "retry" | "permanent";
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  retry_after_seconds: number | null;
  reply: unknown;
};

export type Log = (event: string, fields: Record<string, unknown>) => void;
