// Types of the per-agent tables create_agent() makes (seed 003). They are
// one shape for every agent, so they are written once here instead of being
// generated per agent into database.types.ts (gen-types.sh leaves them out).
import type { AgentTableKind, MediaType, MessageDirection, OrderStatus } from "./enums.ts";

export type { AgentTableKind, MediaType, OrderStatus };

/** The name of one of an agent's tables, e.g. agentTable(3784, "customers") = "agt_3784_customers". */
export function agentTable<K extends AgentTableKind>(
  agentId: number,
  kind: K,
): `agt_${number}_${K}` {
  if (!Number.isSafeInteger(agentId) || agentId <= 0) {
    throw new Error(`not an agent id: ${agentId}`);
  }
  return `agt_${agentId}_${kind}`;
}

// Timestamps are `timestamp without time zone`: strings without an offset.
export type AgentCustomer = {
  id: number;
  agent_id: number;
  name: string;
  phone: string;
  profile_image_url: string | null;
  created_at: string | null;
};

export type AgentMessage = {
  id: number;
  customer_id: number;
  message: string;
  direction: MessageDirection;
  timestamp: string | null;
  is_read: boolean | null;
  media_type: MediaType | null;
  media_url: string | null;
  caption: string | null;
};

export type AgentOrder = {
  id: number;
  customer_id: number;
  total_amount: number | null;
  status: OrderStatus | null;
  notes: string | null;
  shipping_address: string | null;
  created_at: string | null;
  updated_at: string | null;
};

export type AgentOrderItem = {
  id: number;
  order_id: number;
  name: string;
  quantity: number;
  price: number;
  total: number | null;
  created_at: string | null;
};

export type AgentRows = {
  customers: AgentCustomer;
  messages: AgentMessage;
  orders: AgentOrder;
  orders_items: AgentOrderItem;
};
